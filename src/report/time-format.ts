// Event times as `-t` asks, in tshark's forms (tshark(1) `-t`) and our long names. The digits a
// capture resolves are kept; local-time forms follow the TZ of the process, as tshark's do.
import { formatEpoch, formatRelative } from './format';

/** Our long names first (absolute = ISO 8601 UTC), then tshark's. */
export const TIME_MODES = ['absolute', 'relative', 'epoch', 'a', 'ad', 'adoy', 'd', 'dd', 'e', 'r', 'u', 'ud', 'udoy'] as const;
export type TimeMode = (typeof TIME_MODES)[number];

const assertNever = (x: never): never => { throw new Error(`unexpected ${String(x)}`); };

/** What an event time is read from: ISO UTC text (digits as resolved), seconds since the first packet, its flow. */
export interface TimedEvent { readonly time: string; readonly relTime: number; readonly flow: number }

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `HH:MM:SS.frac`, `YYYY-MM-DD HH:MM:SS.frac` or `YYYY/DOY HH:MM:SS.frac`, in UTC or local time. */
export function formatClock(iso: string, utc: boolean, date: 'none' | 'ymd' | 'doy'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms);
  // Time zones are whole minutes away from UTC, so the fraction carries over from the text unchanged.
  const dot = iso.indexOf('.');
  const frac = dot < 0 ? '' : iso.slice(dot, iso.length - 1);
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = utc ? d.getUTCMonth() : d.getMonth();
  const day = utc ? d.getUTCDate() : d.getDate();
  const clock = `${pad(utc ? d.getUTCHours() : d.getHours(), 2)}:${pad(utc ? d.getUTCMinutes() : d.getMinutes(), 2)}:` +
    `${pad(utc ? d.getUTCSeconds() : d.getSeconds(), 2)}${frac}`;
  if (date === 'none') return clock;
  if (date === 'ymd') return `${pad(y, 4)}-${pad(mo + 1, 2)}-${pad(day, 2)} ${clock}`;
  const doy = Math.round((Date.UTC(y, mo, day) - Date.UTC(y, 0, 1)) / 86_400_000) + 1;
  return `${pad(y, 4)}/${pad(doy, 3)} ${clock}`;
}

/** Whether the mode prints a delta (d: from the previous event shown; dd: from the previous event of the same flow). */
export const isDeltaMode = (mode: TimeMode): boolean => mode === 'd' || mode === 'dd';
/** Whether the mode prints seconds since the first packet, which the timeline shows anyway. */
export const isRelativeMode = (mode: TimeMode): boolean => mode === 'relative' || mode === 'r';

/**
 * Formats the times of events in the order they are shown. Stateful for the delta modes: `d`
 * counts from the previous event given, `dd` from the previous event of the same flow (0 for a
 * flow's first).
 */
export class EventClock {
  private prev: number | null = null;
  private readonly prevOfFlow = new Map<number, number>();

  constructor(private readonly mode: TimeMode, private readonly digits: number) {}

  format(e: TimedEvent): string {
    const m = this.mode;
    switch (m) {
      case 'absolute': return e.time;
      case 'relative': case 'r': return formatRelative(e.relTime, this.digits);
      case 'epoch': case 'e': return formatEpoch(e.time);
      case 'a': return formatClock(e.time, false, 'none');
      case 'ad': return formatClock(e.time, false, 'ymd');
      case 'adoy': return formatClock(e.time, false, 'doy');
      case 'u': return formatClock(e.time, true, 'none');
      case 'ud': return formatClock(e.time, true, 'ymd');
      case 'udoy': return formatClock(e.time, true, 'doy');
      case 'd': {
        const from = this.prev ?? e.relTime;
        this.prev = e.relTime;
        return formatRelative(e.relTime - from, this.digits);
      }
      case 'dd': {
        const from = this.prevOfFlow.get(e.flow) ?? e.relTime;
        this.prevOfFlow.set(e.flow, e.relTime);
        return formatRelative(e.relTime - from, this.digits);
      }
      default: return assertNever(m);
    }
  }
}
