// The durations behind one prober's {min, median, max} (idle, interval or RTT, in ns). Count, min
// and max are always exact. The median is exact up to EXACT_UP_TO values, which covers one probe
// series of every stack's defaults (Linux 9 probes, BSD 8, Windows 10); past that the values go
// into a logarithmic histogram whose median is within 1 % of the true one (LogSketch). Memory per
// prober then stays under a few hundred bytes however long a flow probes: keeping every value
// was 18 bytes per probe, 180 MB for 20,000 flows of 96 answered probes.
const EXACT_UP_TO = 16;

export class Sample {
  // Plain arrays, on V8's heap: a typed array above 64 bytes gets its memory from malloc, and 40,000
  // of them freed when they became sketches left that memory fragmented (about 10 MB of RSS).
  private values: number[] | null = null;
  private sketch: LogSketch | null = null;
  count = 0;
  min = Infinity;
  max = -Infinity;

  add(v: number): void {
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.sketch !== null) { this.sketch.add(v); return; }
    if (this.values === null) this.values = [];
    if (this.values.length === EXACT_UP_TO) {
      const sketch = new LogSketch();
      for (const x of this.values) sketch.add(x);
      sketch.add(v);
      this.sketch = sketch;
      this.values = null;
      return;
    }
    this.values.push(v);
  }

  /** True when median() is the sketch's estimate rather than the exact value. */
  get approximate(): boolean { return this.sketch !== null; }

  median(): number {
    if (this.count === 0) return NaN;
    if (this.sketch !== null) return Math.min(this.max, Math.max(this.min, this.sketch.median(this.count)));
    const n = this.count;
    const sorted = Float64Array.from(this.values as number[]).sort(); // a typed array sorts numerically, without a comparator call per pair
    return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}

/** Relative accuracy of LogSketch's quantiles. */
export const SKETCH_RELATIVE_ERROR = 0.01;
const GAMMA = (1 + SKETCH_RELATIVE_ERROR) / (1 - SKETCH_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Bins one sketch may span: γ^4096 is about 10^35, far beyond any ratio of two durations in ns. */
const MAX_BINS = 4096;

/**
 * A logarithmic histogram (the DDSketch idea): value v > 0 counts in bin ceil(log_γ v), whose
 * values all lie within SKETCH_RELATIVE_ERROR of the bin's representative 2γ^i/(γ+1), so any
 * quantile read from it is too. Values below 1 (sub-nanosecond durations) count as zero. The bins
 * cover only the span between the smallest and largest value seen: a flow's probe timings sit
 * close together, so a sketch is usually a handful of bins.
 */
export class LogSketch {
  private bins: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  /** Index of bins[0]; NaN while no positive value was seen. */
  private lo = NaN;
  private zeros = 0;

  add(v: number): void {
    if (!(v >= 1)) { this.zeros++; return; }
    const i = Math.ceil(Math.log(v) / LOG_GAMMA);
    if (Number.isNaN(this.lo)) this.lo = i - (this.bins.length >> 1);
    let at = i - this.lo;
    if (at < 0 || at >= this.bins.length) at = this.grow(i);
    this.bins[at]++;
  }

  /**
   * Makes room for bin `i`; returns its position. The new bins go on the side the values grew
   * towards, measured from the bins in use (not the array's empty ends, which would push the far
   * end past MAX_BINS). At MAX_BINS the low end folds into the lowest bin.
   */
  private grow(i: number): number {
    let top = this.bins.length - 1, bottom = 0;
    while (top > 0 && this.bins[top] === 0) top--;
    while (bottom < top && this.bins[bottom] === 0) bottom++;
    const lo = Math.min(this.lo + bottom, i), hi = Math.max(this.lo + top, i), need = hi - lo + 1;
    const span = Math.min(MAX_BINS, Math.max(this.bins.length, 2 * need));
    // Growing downwards, or capped: keep the high end (medians of durations live there, not at ~1 ns).
    const newLo = need > span || i < this.lo + bottom ? hi - span + 1 : lo;
    const bins: number[] = new Array<number>(span).fill(0);
    for (let k = bottom; k <= top; k++) {
      if (this.bins[k] === 0) continue;
      bins[Math.max(0, this.lo + k - newLo)] += this.bins[k];
    }
    this.bins = bins;
    this.lo = newLo;
    return Math.max(0, i - newLo);
  }

  /** The value of 0-based rank r of the `count` values added, within the stated error. */
  private atRank(r: number): number {
    if (r < this.zeros) return 0;
    let seen = this.zeros;
    for (let k = 0; k < this.bins.length; k++) {
      seen += this.bins[k];
      if (seen > r) return 2 * GAMMA ** (this.lo + k) / (GAMMA + 1);
    }
    return NaN;
  }

  median(count: number): number {
    return count % 2 === 1 ? this.atRank((count - 1) / 2) : (this.atRank(count / 2 - 1) + this.atRank(count / 2)) / 2;
  }
}
