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
  // Past 2^53 ns (104 days from the epoch second) a double no longer holds every nanosecond: the
  // remainder may be anything, so the fraction is left at what can be told, and never malformed.
  if (!(ns >= 0 && ns < NS_PER_SEC) || !Number.isInteger(ns)) ns = 0;
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
    cachedDayText = Math.abs(day) <= DATE_MAX_DAYS ? new Date(day * SEC_PER_DAY * 1000).toISOString().slice(0, 11) : farDay(day);
    cachedDay = day;
  }
  return cachedDayText;
}

/** Date's range: ±10^8 days around 1970 (ECMA-262 §21.4.1.1); beyond it toISOString throws. */
const DATE_MAX_DAYS = 1e8;

/**
 * `±YYYYYY-MM-DDT` of a Unix day beyond Date's range (a pcapng timestamp with a huge offset or
 * resolution, say): the proleptic Gregorian date from the day count in 400-year eras, as Date
 * would print it had it the range. The year grows to as many digits as it needs.
 */
export function farDay(day: number): string {
  const z = day + 719468; // days from 0000-03-01
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const year = `${y < 0 ? '-' : '+'}${String(Math.abs(y)).padStart(6, '0')}`;
  return `${year}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}T`;
}

/**
 * `YYYY-MM-DDTHH:MM:SS` of a Unix second, as Date's toISOString gives it. The date part is made
 * by Date once per day, not per timestamp (two per reported flow; cost in bench/README.md).
 */
function isoSecond(sec: number): string {
  const day = Math.floor(sec / SEC_PER_DAY);
  const dayText = isoDay(day);
  // Years outside 0000–9999 have a longer date part (+010000-01-01T…): leave them to Date.
  const s = sec - day * SEC_PER_DAY;
  // Seconds past 2^53 are not all doubles: the time of day is then whatever can be told.
  if (dayText[10] !== 'T') return `${farDay(day)}${clock(s >= 0 && s < SEC_PER_DAY ? s : 0)}`;
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
  return `${dayText}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${x < 10 ? '0' : ''}${x}`;
}

/** `HH:MM:SS` of a second of the day. */
function clock(s: number): string {
  const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = Math.floor(s % 60);
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${x < 10 ? '0' : ''}${x}`;
}
