// A bounded set of durations: exact min and max, median over the most recent CAP values, so a
// flow probing for weeks cannot grow without bound. A retired flow's row keeps count, min, median
// and max (report.ts), which the report rounds into its spreads.
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
}
