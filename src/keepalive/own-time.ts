// Each flow's own time (README "How detection decides", timestamps that step backwards). Merged
// or concatenated captures step back in time: the capture clock (the flow table's, for expiry)
// keeps the latest time seen, but a flow's durations come from its own packets' timestamps, in
// order. Only a flow whose own packets step back is clamped to its latest time, and named in a
// warning. Nothing is kept until the capture first steps back: before that every record's time
// is the capture clock, so a flow's own time is its record's LastTime (flow/store.ts).
import { FlowDouble, Layout, type FlowStore } from '../flow/store';
import type { Nanos } from '../units';

export class OwnTimes {
  /** By slot: the flow's latest own time; NaN for a flow last seen before the capture stepped back. */
  private last = new Float64Array(1024).fill(NaN);
  /** Flows whose own packets stepped back, the first of them (id, 1-based frame) and the largest step, ns. */
  flowsSteppedBack = 0;
  firstFlow = -1;
  firstFrame = 0;
  maxStepNs = 0;
  private readonly steppedBack = new Set<number>();

  /** The latest own time of the flow in `slot`. */
  lastOf(store: FlowStore, slot: number): Nanos {
    const v = slot < this.last.length ? this.last[slot] : NaN;
    return (Number.isNaN(v) ? store.f64[slot * Layout.Doubles + FlowDouble.LastTime] : v) as Nanos;
  }

  /**
   * The flow in `slot` (id `flowId`) has a segment stamped `rec` at `frame`, after its own latest
   * time `prev`: returns the segment's time for the flow's durations, never before `prev`.
   */
  advance(slot: number, flowId: number, rec: Nanos, prev: Nanos, frame: number): Nanos {
    let t = rec;
    if (rec < prev) {
      if (!this.steppedBack.has(flowId)) { this.steppedBack.add(flowId); this.flowsSteppedBack++; }
      if (this.firstFlow < 0) { this.firstFlow = flowId; this.firstFrame = frame; }
      if (prev - rec > this.maxStepNs) this.maxStepNs = prev - rec;
      t = prev;
    }
    this.set(slot, t);
    return t;
  }

  /** The flow in `slot` was created or saw a segment at own time `t`. */
  set(slot: number, t: Nanos): void {
    if (slot >= this.last.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.last.length * 2)).fill(NaN);
      grown.set(this.last);
      this.last = grown;
    }
    this.last[slot] = t;
  }

  /** The warning for the capture, or null when no flow's own timestamps stepped back. */
  warning(): string | null {
    if (this.flowsSteppedBack === 0) return null;
    return `timestamps of flow ${this.firstFlow} step backwards at frame ${this.firstFrame}` +
      (this.flowsSteppedBack > 1 ? ` (${this.flowsSteppedBack} flows)` : '') +
      `, by up to ${(this.maxStepNs / 1e9).toFixed(6)} s; such a flow's durations use its latest time`;
  }
}
