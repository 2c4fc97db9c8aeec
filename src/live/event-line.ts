// How one engine event reads on a terminal (table format), in the words of the analyze timeline.
import type { KeepaliveEvent } from '../keepalive/model';
import { describeEvent } from '../report/table';
import { formatClock, type EventClock } from '../report/time-format';

/** `HH:MM:SS.ffffff` in UTC, from the event's ISO time (the live footer's short clock). */
export function utcClock(iso: string): string {
  return formatClock(iso, true, 'none');
}

/** `2026-11-25T07:33:47.963216Z  10.0.0.1:40000 → 10.0.0.2:80  probe 0 B after 2.0 s idle, #3 in series  (flow #1)`, time as -t asks. */
export function eventLine(e: KeepaliveEvent, clock: EventClock): string {
  return `${clock.format(e)}  ${e.from} → ${e.to}  ${describeEvent(e)}  (flow #${e.flow})`;
}
