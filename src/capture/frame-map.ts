// Which input file each frame of a merged trace came from, and its frame number there. Merged
// frames from one file follow each other in runs (one run per file when their times do not
// overlap), so the map holds runs, not frames: 3 numbers per run.

/** Runs as plain arrays, for a message from the decode worker. */
export interface FrameRuns {
  /** Merged frame (1-based) where each run starts. */
  readonly start: number[];
  /** Index of the run's input file (its position in the merge's order). */
  readonly capture: number[];
  /** Frame number (1-based) of the run's first record in its own file. */
  readonly captureFrame: number[];
}

export class FrameMap {
  private start = new Float64Array(64);
  private capture = new Int32Array(64);
  private captureFrame = new Float64Array(64);
  private n = 0;
  /** Asked for more runs when a frame lies past the last known run's start (decode worker's messages). */
  refill: (() => void) | null = null;

  get runs(): number { return this.n; }

  add(start: number, capture: number, captureFrame: number): void {
    if (this.n === this.start.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => { const b = make(a.length * 2); b.set(a); return b; };
      this.start = grow(this.start, (n) => new Float64Array(n));
      this.capture = grow(this.capture, (n) => new Int32Array(n));
      this.captureFrame = grow(this.captureFrame, (n) => new Float64Array(n));
    }
    this.start[this.n] = start; this.capture[this.n] = capture; this.captureFrame[this.n] = captureFrame;
    this.n++;
  }

  addRuns(r: FrameRuns): void {
    for (let i = 0; i < r.start.length; i++) this.add(r.start[i], r.capture[i], r.captureFrame[i]);
  }

  /** The runs from index `from` on, as plain arrays. */
  slice(from: number): FrameRuns {
    return {
      start: Array.from(this.start.subarray(from, this.n)),
      capture: Array.from(this.capture.subarray(from, this.n)),
      captureFrame: Array.from(this.captureFrame.subarray(from, this.n)),
    };
  }

  private runOf(frame: number): number {
    if (this.refill !== null && (this.n === 0 || frame >= this.start[this.n - 1])) this.refill();
    let lo = 0, hi = this.n - 1;
    if (hi < 0 || frame < this.start[0]) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.start[mid] <= frame) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The input file of merged frame `frame`, -1 if unknown. */
  captureOf(frame: number): number {
    const r = this.runOf(frame);
    return r < 0 ? -1 : this.capture[r];
  }

  /** The frame number in its own file of merged frame `frame`, 0 if unknown. */
  frameIn(frame: number): number {
    const r = this.runOf(frame);
    return r < 0 ? 0 : this.captureFrame[r] + (frame - this.start[r]);
  }
}
