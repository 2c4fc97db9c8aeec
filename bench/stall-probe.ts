// How much of the wall clock this machine takes away from a busy thread. On the shared VM the
// project is developed on, a loop that never sleeps still sees pauses of up to ~300 ms, and they
// grow with the memory the loop touches (bench/README.md). Every timed command of
// the bench pays them, so the bench prints this next to its ratios. The probe runs in the bench's
// own process while no measured command runs; it allocates nothing inside the loop.
import { performance } from 'node:perf_hooks';

/** A pause longer than this between two rounds of the loop counts as time taken away. */
const PAUSE_MS = 1;
/** Array accesses per round: a round takes microseconds, far below PAUSE_MS even when every access misses. */
const ROUND = 64;

export interface StallProbe {
  /** Bytes the loop touched at random (0: a cache-resident loop). */
  readonly footprintBytes: number;
  readonly seconds: number;
  /** Share of the wall time spent in pauses longer than PAUSE_MS, 0–1. */
  readonly stalledFraction: number;
  readonly pauses: number;
  readonly longestPauseMs: number;
}

/** Runs a busy loop for `seconds`, touching `footprintBytes` of memory at random (like the flow store). */
export function probeStalls(seconds: number, footprintBytes: number): StallProbe {
  const words = Math.max(1, Math.floor(footprintBytes / 4));
  const a = new Int32Array(words).fill(1);
  let x = 0x2545f491, sum = 0;
  const start = performance.now(), end = start + seconds * 1000;
  let last = start, stalled = 0, pauses = 0, longest = 0;
  for (;;) {
    for (let k = 0; k < ROUND; k++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      sum = (sum + a[(x >>> 3) % words]++) | 0;
    }
    const t = performance.now();
    const gap = t - last;
    last = t;
    if (gap > PAUSE_MS) { stalled += gap; pauses++; if (gap > longest) longest = gap; }
    if (t >= end) break;
  }
  if (sum === 0x7fffffff) process.stdout.write(''); // keeps the loads live
  return { footprintBytes, seconds, stalledFraction: stalled / (last - start), pauses, longestPauseMs: longest };
}

/** `host pauses (busy loop, 3 s each): cache-resident 52 % (max 290 ms), random over 16 MiB 80 % (…)`. */
export function describeProbes(probes: readonly StallProbe[]): string {
  const one = (p: StallProbe): string =>
    `${p.footprintBytes === 0 ? 'cache-resident' : `random over ${(p.footprintBytes / 2 ** 20).toFixed(0)} MiB`} ` +
    `${(p.stalledFraction * 100).toFixed(0)} % (${p.pauses} pauses, longest ${p.longestPauseMs.toFixed(0)} ms)`;
  return `host pauses > ${PAUSE_MS} ms in a busy loop (${probes[0]?.seconds ?? 0} s each): ${probes.map(one).join('; ')}`;
}
