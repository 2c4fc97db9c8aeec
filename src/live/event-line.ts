// How one engine event reads on a terminal (table format), in the words of the analyze timeline.
import type { KeepaliveEvent } from '../keepalive/model';
import { describeEvent } from '../report/table';

/** `HH:MM:SS.ffffff` in local time, like tcpdump, from the event's ISO UTC time. */
export function localClock(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms);
  const dot = iso.indexOf('.');
  // Time zones are whole minutes away from UTC, so the fraction carries over unchanged.
  const frac = dot < 0 ? '' : iso.slice(dot, iso.length - 1);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}${frac}`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `12:00:01.123456  10.0.0.1:40000 → 10.0.0.2:80  probe 0 B after 2 s idle, #3 in series  (flow #1)` */
export function eventLine(e: KeepaliveEvent): string {
  return `${localClock(e.time)}  ${e.from} → ${e.to}  ${describeEvent(e)}  (flow #${e.flow})`;
}
