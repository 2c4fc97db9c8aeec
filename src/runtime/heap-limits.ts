// V8 heap settings for a long streaming run whose live heap stays about 30 MB. By default V8 grows
// the young generation to 16 MB per semi-space once a capture's first flows survive their first
// collections, and lets the old generation grow to several times what was live at the last full
// collection, so peak RSS grew with the file (151 MB on 1 GiB, 175 MB on 4 GiB; README "Benchmark").
//
// They are set here, at run time, and not as flags on node's command line: any V8 flag given at
// start-up changes V8's flag hash, and a worker thread then rejects node's code cache for its
// internal modules. The decode worker took 41–46 instead of 20–25 ms to reach its first line,
// and the main thread's modules 42–44 instead of 32–40 ms to load.
import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * Keeps the young generation at the size it starts with (1 MB per semi-space) and lets the old one
 * grow only 50 % past what was live at the last full collection. Both flags are read by V8 at each
 * collection, so setting them once the program runs takes effect from the next one. Call it only
 * once no worker thread is still starting (see above); later calls do nothing.
 */
export function limitHeapGrowth(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=50');
}
