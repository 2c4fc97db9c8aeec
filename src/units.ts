// The only place that converts between units. Capture time travels as (sec, nsec) pairs from the
// reader; inside one analysis it becomes Nanos relative to the capture's first whole second, which a
// double holds exactly for about 104 days of capture.
declare const unit: unique symbol;
type Unit<T extends string> = number & { readonly [unit]: T };

/** Nanoseconds since the analysis epoch (`epochSec`), an integer. */
export type Nanos = Unit<'ns'>;
export type Seconds = Unit<'s'>;
/** 1-based record number in the file, as Wireshark numbers frames. */
export type FrameNo = Unit<'frame'>;
/**
 * A TCP sequence or acknowledgement number, modulo 2^32. Compare with seqDelta(), never with <.
 * The engine holds them as signed 32-bit integers (seq32): the same bits, but always a small
 * integer to V8, where an unsigned value above 2^31 becomes a heap number each time it is passed
 * to a call that is not inlined (measured: about 40 bytes of garbage per packet).
 */
export type SeqNum = Unit<'seq32'>;

export const NS_PER_SEC = 1e9;

export const nanosSince = (epochSec: number, sec: number, nsec: number): Nanos =>
  ((sec - epochSec) * NS_PER_SEC + nsec) as Nanos;
export const nanosToSeconds = (d: number): Seconds => (d / NS_PER_SEC) as Seconds;

/** Signed distance a − b in sequence space (RFC 1982 style), in (−2^31, 2^31]. */
export const seqDelta = (a: number, b: number): number => (a - b) | 0;
/** The signed 32-bit form of a sequence number read as unsigned. */
export const seq32 = (a: number): SeqNum => (a | 0) as SeqNum;
/** a + n modulo 2^32, in the signed form. */
export const seqAdd = (a: number, n: number): SeqNum => ((a + n) | 0) as SeqNum;

/**
 * ISO 8601 UTC of an epoch-relative instant, with `digits` fractional digits (6 for µs captures,
 * 9 for ns), computed in integers so nanoseconds survive.
 */
export function isoTime(epochSec: number, t: Nanos, digits: number): string {
  let sec = epochSec + Math.floor(t / NS_PER_SEC);
  let ns = t - Math.floor(t / NS_PER_SEC) * NS_PER_SEC;
  if (ns < 0) { ns += NS_PER_SEC; sec -= 1; }
  const base = isoSecond(sec);
  if (digits <= 0) return `${base}Z`;
  const frac = String(ns).padStart(9, '0').slice(0, Math.min(9, digits));
  return `${base}.${frac}Z`;
}

export const SEC_PER_DAY = 86400;
/** The last day isoDay() formatted, and its `YYYY-MM-DDT`. */
let cachedDay = NaN;
let cachedDayText = '';

/**
 * `YYYY-MM-DDT` of a Unix day (seconds / 86400): the first 11 characters of Date's toISOString,
 * the same string object as last time for the same day. For years outside 0000–9999 the date is
 * longer (`+010000-01-01T…`) and these 11 characters do not end in `T`: callers leave those to Date.
 */
export function isoDay(day: number): string {
  if (day !== cachedDay) {
    cachedDayText = new Date(day * SEC_PER_DAY * 1000).toISOString().slice(0, 11);
    cachedDay = day;
  }
  return cachedDayText;
}

/**
 * `YYYY-MM-DDTHH:MM:SS` of a Unix second, as Date's toISOString gives it. The date part is made
 * by Date once per day, not per timestamp (two per reported flow; cost in bench/README.md).
 */
function isoSecond(sec: number): string {
  const day = Math.floor(sec / SEC_PER_DAY);
  const dayText = isoDay(day);
  // Years outside 0000–9999 have a longer date part (+010000-01-01T…): leave them to Date.
  if (dayText[10] !== 'T') return new Date(sec * 1000).toISOString().slice(0, 19);
  const s = sec - day * SEC_PER_DAY;
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
  return `${dayText}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${x < 10 ? '0' : ''}${x}`;
}
