// cap hands over packet bytes but not libpcap's timestamps, so a live packet is stamped when its
// callback runs: a monotonic clock (performance.now(), sub-µs, allocation-free) mapped once onto
// wall time. Linux slews CLOCK_MONOTONIC with NTP like CLOCK_REALTIME, so the two only part when
// the wall clock is stepped, which a capture should not follow anyway.
import { performance } from 'node:perf_hooks';

/** Stamps are whole microseconds: the callback's scheduling jitter makes more digits dishonest. */
export const LIVE_TS_DIGITS = 6;

export class ArrivalClock {
  /** Wall-clock ms minus performance.now() ms. */
  private offsetMs: number;
  /** Result of the last stamp(): seconds since 1970 and nanoseconds within (a multiple of 1000). */
  sec = 0;
  nsec = 0;

  constructor(offsetMs: number = calibrateOffsetMs()) {
    this.offsetMs = offsetMs;
  }

  /** Stamps "now" into sec/nsec. */
  stamp(): void {
    // µs since 1970 is about 1.8e15 < 2^53: exact integers in a double.
    const us = Math.round((this.offsetMs + performance.now()) * 1000);
    const sec = Math.floor(us / 1e6);
    this.sec = sec;
    this.nsec = (us - sec * 1e6) * 1000;
  }
}

/**
 * Date.now() only resolves whole ms, but the instant it ticks is a wall-clock time known to the µs.
 * Catch a few ticks between two monotonic reads and keep the tightest bracket: a preempted read
 * (seen at 0.5 ms on a busy VM) would otherwise shift every stamp of the run.
 */
export function calibrateOffsetMs(ticks = 4): number {
  let best = Number.POSITIVE_INFINITY;
  let offset = Date.now() - performance.now();
  for (let i = 0; i < ticks; i++) {
    const start = Date.now();
    let wall = start;
    let before = 0;
    const giveUp = performance.now() + 20;
    do {
      before = performance.now();
      wall = Date.now();
    } while (wall === start && before < giveUp);
    const after = performance.now();
    if (wall !== start && after - before < best) {
      best = after - before;
      offset = wall - (before + after) / 2;
    }
  }
  return offset;
}
