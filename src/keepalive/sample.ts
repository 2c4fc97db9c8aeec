// A bounded set of durations: exact min and max, median over the most recent CAP values, so a
// flow probing for weeks cannot grow without bound.
import type { Spread } from './model';

const CAP = 4096;

export class Sample {
  private values: Float64Array | null = null;
  count = 0;
  min = Infinity;
  max = -Infinity;

  add(v: number): void {
    if (this.values === null) this.values = new Float64Array(8);
    if (this.count < CAP && this.count === this.values.length) {
      const grown = new Float64Array(Math.min(CAP, this.values.length * 4));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count % CAP] = v;
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  median(): number {
    if (this.values === null || this.count === 0) return NaN;
    const n = Math.min(this.count, CAP);
    const sorted = this.values.slice(0, n).sort(); // a typed array sorts numerically, without a comparator call per pair
    return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** min/median/max scaled by `factor` (e.g. ns → s), rounded to `digits` decimals; null when empty. */
  spread(factor: number, digits: number): Spread | null {
    if (this.count === 0) return null;
    const r = (v: number): number => Number((v * factor).toFixed(digits));
    return { min: r(this.min), median: r(this.median()), max: r(this.max) };
  }
}
