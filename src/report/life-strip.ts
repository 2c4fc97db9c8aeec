// One line per flow for `--events` in the table: the flow's life from its first to its last
// segment, scaled to the width, drawn from what the engine reports (its events and the flow's
// times). Silences are known from each probe's idle (the last segment before it) and the gaps
// between probes of a series; the rest of the flow's time carried traffic, or no probe looked.
import type { FlowReport, KeepaliveEvent } from '../keepalive/model';
import { formatDuration, isoDiffSeconds } from './format';

export const STRIP_LEGEND = '= traffic  . silence  p probe (answered)  P probe (unanswered)  a answer  R reset  ! ICMP error  z zero-window probe  X gave up';

// Where several things fall in one cell, the strongest wins.
const STRENGTH = ['=', '.', 'a', 'z', 'p', 'P', '!', 'R', 'X'];

/** `|==.....p.....p.....PPX|` in `cells` columns (at least 10) for the events of one flow. */
export function lifeStrip(f: FlowReport | undefined, events: readonly KeepaliveEvent[], cells: number): string {
  const n = Math.max(10, cells);
  if (events.length === 0) return `|${'='.repeat(n)}|`;
  // Seconds from the flow's first segment (or its first event, without the flow's report).
  const start = f === undefined ? events[0].relTime : events[0].relTime - (isoDiffSeconds(f.firstTime, events[0].time) ?? 0);
  const end = f === undefined ? events[events.length - 1].relTime : start + Math.max(0, isoDiffSeconds(f.firstTime, f.lastTime) ?? 0);
  const span = Math.max(end - start, 1e-9);
  const cell = (t: number): number => Math.min(n - 1, Math.max(0, Math.floor(((t - start) / span) * n)));
  const row = new Array<string>(n).fill('=');
  const put = (i: number, c: string): void => { if (STRENGTH.indexOf(c) > STRENGTH.indexOf(row[i])) row[i] = c; };
  const silence = (from: number, to: number): void => { for (let i = cell(from); i <= cell(to); i++) put(i, '.'); };
  const answered = new Set<number>();
  for (const e of events) if (e.type === 'probe-ack') answered.add(e.probeFrame);
  const lastProbe = new Map<string, number>();
  for (const e of events) {
    const i = cell(e.relTime);
    switch (e.type) {
      case 'probe':
        if (e.idleSeconds !== null) silence(e.relTime - e.idleSeconds, e.relTime);
        else if (e.series > 1 && lastProbe.has(e.from)) silence(lastProbe.get(e.from) ?? e.relTime, e.relTime);
        lastProbe.set(e.from, e.relTime);
        put(i, answered.has(e.frame) ? 'p' : 'P');
        break;
      case 'probe-ack': put(i, 'a'); break;
      case 'probe-reset': put(i, 'R'); break;
      case 'probe-icmp': put(i, '!'); break;
      case 'zero-window-probe': put(i, 'z'); break;
      case 'keepalive-timeout':
        // Nothing came back between the prober's last probe and its giving up.
        silence(lastProbe.get(e.from) ?? e.relTime, e.relTime);
        put(i, 'X');
        break;
    }
  }
  return `|${row.join('')}| ${formatDuration(span)}`;
}
