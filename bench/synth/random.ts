// A seeded generator so every run writes byte-identical captures (the cache relies on that).

/** Mulberry32: 32-bit state, fast, good enough for traffic shapes (not for anything secret). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }

  /** Exponentially distributed with the given mean (think times, inter-arrival gaps). */
  exp(mean: number): number { return -Math.log(1 - this.next()) * mean; }

  /** A uint32, e.g. an initial sequence number. */
  u32(): number { return Math.floor(this.next() * 4294967296) >>> 0; }
}
