// V8 heap settings for a long streaming run whose live heap stays small. By default V8 grows the
// young generation to 16 MB per semi-space once a capture's first flows survive their first
// collections, and lets the old generation grow to several times what was live at the last full
// collection, so peak RSS grows with the file (bench/README.md).
//
// They are set here, at run time, and not as flags on node's command line: any V8 flag given at
// start-up changes V8's flag hash, and a worker thread then rejects node's code cache for its
// internal modules, which slows the decode worker's start (bench/README.md).
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
