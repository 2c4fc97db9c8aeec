// The capture's time base as the engine's events and a decode worker's ring need it: the first
// whole second, the first record's time, and the timestamp digits seen so far. The decoding front
// keeps it up to date; on the engine's thread of a two-thread run, replay.ts sets it from the ring.
import type { EventClock } from '../keepalive/engine';
import { isoTime, type Nanos } from '../units';

export class CaptureClock implements EventClock {
  /** The capture's first whole second (Unix time), which Nanos count from; NaN before any record. */
  epochSecond = NaN;
  /** The first record's time. */
  firstRecord = 0 as Nanos;
  /** Fractional digits of the capture's timestamps so far (0 before any). */
  digits = 0;

  iso(t: Nanos): string { return isoTime(this.epochSecond, t, this.digits || 6); }
  rel(t: Nanos): number { return Number(((t - this.firstRecord) / 1e9).toFixed(9)); }
}
