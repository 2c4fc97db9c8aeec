// On a terminal, a few lines under the scrolling events show which flows are probing right now.
// Kept as a footer that is erased and redrawn around every event line; only events feed it, so
// it costs nothing per packet.
import type { EventType, KeepaliveEvent } from '../keepalive/model';
import { utcClock } from './event-line';

interface FlowRow {
  readonly flow: number;
  readonly from: string;
  readonly to: string;
  probes: number;
  last: EventType;
  lastTime: string;
}

export interface TtyOut {
  write(s: string): boolean;
  readonly columns?: number;
}

/** Rows remembered; beyond this the least recently active flow is forgotten. */
const MAX_ROWS = 1000;

export class FlowView {
  private readonly rows = new Map<number, FlowRow>();
  private drawn = 0;

  constructor(private readonly out: TtyOut, private readonly iface: string, private readonly shown = 5) {}

  note(e: KeepaliveEvent): void {
    let row = this.rows.get(e.flow);
    if (row) {
      this.rows.delete(e.flow);
    } else {
      const prober = e.type === 'probe' || e.type === 'zero-window-probe' || e.type === 'keepalive-timeout';
      row = { flow: e.flow, from: prober ? e.from : e.to, to: prober ? e.to : e.from, probes: 0, last: e.type, lastTime: '' };
    }
    if (e.type === 'probe') row.probes++;
    row.last = e.type;
    row.lastTime = utcClock(e.time);
    this.rows.set(e.flow, row);
    if (this.rows.size > MAX_ROWS) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
    }
  }

  /** Writes `line` (with its newline) above the footer and redraws the footer. */
  printAbove(line: string, packets: number): void {
    this.out.write(this.erase() + line + this.render(packets));
  }

  refresh(packets: number): void {
    this.out.write(this.erase() + this.render(packets));
  }

  /** Removes the footer for good (before the final summary). */
  clear(): void {
    this.out.write(this.erase());
  }

  private erase(): string {
    if (this.drawn === 0) return '';
    const s = `\x1b[${this.drawn}F\x1b[J`;
    this.drawn = 0;
    return s;
  }

  private render(packets: number): string {
    const cols = this.out.columns;
    const width = cols !== undefined && cols >= 40 ? cols - 1 : 100;
    const recent = [...this.rows.values()].slice(-this.shown).reverse();
    const lines = [`-- live on ${this.iface}: ${packets} packets, ${this.rows.size} flows with keepalive activity --`];
    for (const r of recent) {
      lines.push(`   flow ${r.flow}  ${r.from} → ${r.to}  probes ${r.probes}  last ${r.last} ${r.lastTime}`);
    }
    this.drawn = lines.length;
    return lines.map((l) => (l.length > width ? l.slice(0, width) : l)).join('\n') + '\n';
  }
}
