// The only place where report values (seconds, milliseconds, LINKTYPE numbers, ISO times) become
// text for people. JSON/NDJSON/CSV carry the exact numbers; these strings are for the table.
import type { Spread } from '../keepalive/model';

const assertNever = (x: never): never => { throw new Error(`unexpected ${String(x)}`); };

/**
 * A duration in seconds for humans: `2h 0m 3s` from an hour up, `15m 0s` from ten minutes up,
 * `75.0 s` from a second up, `0.21 ms` / `45.3 ms` / `210 ms` below. null → `-`.
 */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds === 0) return '0 s';
  if (seconds >= 600) {
    const whole = Math.round(seconds);
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = whole % 60;
    return h > 0 ? `${h}h ${m}m ${s}s` : `${m}m ${s}s`;
  }
  if (seconds >= 1) return `${seconds.toFixed(1)} s`;
  return formatMillis(seconds * 1000);
}

/** Milliseconds with about three significant digits: `0.21 ms`, `45.3 ms`, `210 ms`. */
export function formatMillis(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  if (ms < 0) return `-${formatMillis(-ms)}`;
  // 999.6 ms would round to `1000 ms`: say `1.0 s` instead.
  if (ms >= 999.5) return ms >= 1000 ? formatDuration(ms / 1000) : '1.0 s';
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/**
 * How every value of a spread prints, chosen by its largest so that one cell never mixes units:
 * `2h 0m 0s`-style (and `59s`) from ten minutes up, seconds with one decimal from a second up,
 * milliseconds below (about three significant digits). `unit` is what follows the numbers, empty
 * for the h/m/s style, which carries its units in the numbers.
 */
export function spreadFormatter(maxSeconds: number): { readonly number: (seconds: number) => string; readonly unit: string } {
  if (maxSeconds >= 600) {
    return {
      unit: '',
      number: (v) => {
        const whole = Math.round(v);
        const h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), sec = whole % 60;
        if (h > 0) return `${h}h ${m}m ${sec}s`;
        return m > 0 ? `${m}m ${sec}s` : `${sec}s`;
      },
    };
  }
  // 0.9995 s and up rounds to 1.0 s: seconds for all, not `998 ms–1.2 s`.
  if (maxSeconds >= 0.9995) return { unit: ' s', number: (v) => v.toFixed(1) };
  return { unit: ' ms', number: (v) => formatMillis(v * 1000).replace(/ ms$/, '') };
}

/**
 * `median (min–max)` in one unit, written once (`2.1 s (2.0–2.1 s)`, `3.99 ms (2.26–17.6 ms)`),
 * or one value when the three print the same; for seconds or ms spreads.
 */
export function formatSpread(s: Spread | null, unit: 's' | 'ms'): string {
  if (s === null) return '-';
  const k = unit === 's' ? 1 : 1e-3;
  const f = spreadFormatter(Math.max(Math.abs(s.min), Math.abs(s.max)) * k);
  const median = f.number(s.median * k), min = f.number(s.min * k), max = f.number(s.max * k);
  if (min === max) return `${median}${f.unit}`;
  return f.unit === '' ? `${median} (${min}–${max})` : `${median}${f.unit} (${min}–${max}${f.unit})`;
}

/**
 * LINKTYPE_* numbers (tcpdump.org link-layer header types) to the names reports use. Unknown
 * numbers stay identifiable as `linktype-N`.
 */
export function linkTypeName(linkType: number): string {
  switch (linkType) {
    case 0: return 'null';
    case 1: return 'ethernet';
    case 101: return 'raw';
    case 108: return 'loop';
    case 113: return 'linux-sll';
    case 228: return 'ipv4';
    case 229: return 'ipv6';
    case 274: return 'ethernet-mpacket';
    case 276: return 'linux-sll2';
    default: return `linktype-${linkType}`;
  }
}

/** `µs`, `ns`, or `10^-N s` for the fractional digits a capture resolves. */
export function resolutionName(tsDigits: number): string {
  if (tsDigits === 6) return 'µs';
  if (tsDigits === 9) return 'ns';
  if (tsDigits === 3) return 'ms';
  if (tsDigits === 0) return 's';
  return `10^-${tsDigits} s`;
}

export interface EpochTime { readonly sec: number; readonly nsec: number; readonly digits: number }

/**
 * Splits an ISO 8601 UTC time (`2023-11-14T22:13:21.123456789Z`) into whole seconds since 1970 and
 * nanoseconds, from the text so nanoseconds survive (a double of epoch seconds keeps only ~µs).
 */
export function parseIsoTime(iso: string): EpochTime | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (m === null) return null;
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) return null;
  const frac = m[2] ?? '';
  return { sec: ms / 1000, nsec: Number(frac.padEnd(9, '0')), digits: frac.length };
}

/** Seconds since 1970 as text with the capture's digits, like `tshark -t e`. */
export function formatEpoch(iso: string): string {
  const t = parseIsoTime(iso);
  if (t === null) return iso;
  if (t.digits === 0) return String(t.sec);
  if (t.sec < 0 && t.nsec > 0) {
    // -1.25 s is sec −2 plus 0.75 s: print the sign once, then the magnitude.
    const nsTotal = -t.sec * 1e9 - t.nsec;
    const whole = Math.floor(nsTotal / 1e9);
    const frac = String(nsTotal - whole * 1e9).padStart(9, '0').slice(0, t.digits);
    return `-${whole}.${frac}`;
  }
  return `${t.sec}.${String(t.nsec).padStart(9, '0').slice(0, t.digits)}`;
}

/** b − a in seconds for two ISO times (null if either is unreadable). */
export function isoDiffSeconds(a: string, b: string): number | null {
  const ta = parseIsoTime(a), tb = parseIsoTime(b);
  if (ta === null || tb === null) return null;
  return (tb.sec - ta.sec) + (tb.nsec - ta.nsec) / 1e9;
}

export type TimeMode = 'absolute' | 'relative' | 'epoch';

/** An event's time as `--time` asks: ISO UTC, seconds since the first packet, or epoch seconds. */
export function formatEventTime(mode: TimeMode, iso: string, relSeconds: number, digits: number): string {
  switch (mode) {
    case 'absolute': return iso;
    case 'relative': return formatRelative(relSeconds, digits);
    case 'epoch': return formatEpoch(iso);
    default: return assertNever(mode);
  }
}

/** Seconds since the capture's first packet with the capture's digits (`tshark -t r`). */
export function formatRelative(relSeconds: number, digits: number): string {
  return relSeconds.toFixed(Math.max(0, Math.min(9, digits)));
}

/** `12.3 MB` style byte counts (powers of 1000, as `ls --si`). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** `1234567` → `1.2M`-style rates for the progress line. */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}
