// `--events` in the table: per flow, a strip of its life (life-strip.ts) and a timeline of its
// probes and answers, one line per event, fitted to the width.
import type { FlowReport, KeepaliveEvent } from '../keepalive/model';
import { fitLines, shrinkWidths, wrapRow } from './fit';
import { formatDuration, formatMillis, formatRelative } from './format';
import { fitWidths, textWidth } from './grid';
import type { AnalyzedInput } from './inputs';
import { lifeStrip, STRIP_LEGEND } from './life-strip';
import { EventClock, isDeltaMode, isRelativeMode, type TimeMode } from './time-format';

const assertNever = (x: never): never => { throw new Error(`unexpected ${String(x)}`); };

/** What an event says, from the point of view of the flow (`client → server probe …`). */
export function describeEvent(e: KeepaliveEvent): string {
  switch (e.type) {
    case 'probe': {
      const idle = e.idleSeconds === null ? '' : ` after ${formatDuration(e.idleSeconds)} idle`;
      return `probe ${e.payloadBytes} B${idle}${e.series > 1 ? `, #${e.series} in series` : ''}${e.late ? ', late' : ''}`;
    }
    case 'probe-ack': return `ack of probe ${e.probeFrame}, RTT ${formatMillis(e.rttMs)}`;
    case 'probe-reset': return `reset answering probe ${e.probeFrame} after ${formatMillis(e.rttMs)}`;
    case 'probe-icmp': return `ICMP type ${e.icmpType} code ${e.icmpCode} answering probe ${e.probeFrame} after ${formatMillis(e.rttMs)}`;
    case 'zero-window-probe': return `zero-window probe ${e.payloadBytes} B`;
    case 'keepalive-timeout': return `keepalive gave up after ${e.probes} probe${e.probes === 1 ? '' : 's'} (${e.via})` +
      (e.answersLost ? `, ${e.answersLost} answer${e.answersLost === 1 ? '' : 's'} lost on the way to it` : '');
    default: return assertNever(e);
  }
}

function direction(f: FlowReport | undefined, e: KeepaliveEvent, short: boolean): string {
  if (f === undefined) return `${e.from} → ${e.to}`;
  const fromClient = e.from === f.client;
  if (short) return fromClient ? 'c → s' : 's → c';
  return fromClient ? 'client → server' : 'server → client';
}

/** Strip cells when the output has no width (piped to a file). */
const STRIP_CELLS_UNLIMITED = 72;
const INDENT = '  ';
const GAP = '  ';

/** Rows of plain columns (two spaces apart, first two right-aligned), wrapped to `width`. */
function plainRows(rows: readonly string[][], width: number | null): string {
  let widths: number[] = [];
  for (const r of rows) fitWidths(widths, r);
  const overhead = INDENT.length + GAP.length * (widths.length - 1);
  const fit = width !== null && widths.reduce((a, b) => a + b, 0) + overhead > width;
  if (fit) {
    // The event's words wrap first; times and frame numbers keep their width while they can.
    const min = widths.map((w, i) => (i === widths.length - 1 ? 12 : w));
    widths = shrinkWidths(widths, min, (width ?? 0) - overhead);
  }
  let out = '';
  for (const r of rows) {
    const cells = (fit ? wrapRow(r, widths) : r).map((c) => c.split('\n'));
    const height = Math.max(...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      const parts = widths.map((w, i) => {
        const text = cells[i]?.[l] ?? '';
        const pad = ' '.repeat(Math.max(0, w - textWidth(text)));
        return i < 2 ? `${pad}${text}` : `${text}${pad}`;
      });
      out += `${INDENT}${parts.join(GAP)}`.replace(/ +$/, '') + '\n';
    }
  }
  return out;
}

export interface TimelineOptions { readonly timeMode: TimeMode; readonly width?: number | null }

export function eventsTimeline(input: AnalyzedInput, opts: TimelineOptions): string {
  const width = opts.width ?? null;
  const byFlow = new Map<number, KeepaliveEvent[]>();
  for (const e of input.events) {
    let list = byFlow.get(e.flow);
    if (list === undefined) { list = []; byFlow.set(e.flow, list); }
    list.push(e);
  }
  const flows = new Map<number, FlowReport>();
  for (const f of input.flows) if (byFlow.has(f.id)) flows.set(f.id, f);
  const digits = input.capture.tsDigits;
  // Times in the order events happened, whatever the grouping: -t d counts from the previous event shown.
  const clock = new EventClock(opts.timeMode, digits);
  const times = new Map(input.events.map((e) => [e, clock.format(e)] as const));
  const timeHead = isDeltaMode(opts.timeMode) ? 'delta (s)' : 'time';
  const short = width !== null && width < 100;
  let out = `\n${fitLines(`life: ${STRIP_LEGEND}`, width, '      ')}\n`;
  for (const [id, events] of byFlow) {
    const f = flows.get(id);
    out += `\n${fitLines(`events of flow #${id}${f === undefined ? '' : ` ${f.client} → ${f.server}`}`, width)}\n`;
    const label = `${INDENT}life `;
    // `|…| 12.3 s`: the bars and a duration of up to 11 columns.
    const cells = width === null ? STRIP_CELLS_UNLIMITED : width - label.length - 2 - 12;
    out += `${fitLines(`${label}${lifeStrip(f, events, cells)}`, width)}\n`;
    const head = isRelativeMode(opts.timeMode) ? ['frame', 'rel (s)', 'dir', 'event'] : ['frame', 'rel (s)', timeHead, 'dir', 'event'];
    const rows: string[][] = [head];
    for (const e of events) {
      const row = [String(e.frame), formatRelative(e.relTime, digits)];
      if (!isRelativeMode(opts.timeMode)) row.push(times.get(e) ?? '');
      row.push(direction(f, e, short), describeEvent(e));
      rows.push(row);
    }
    out += plainRows(rows, width);
  }
  return out;
}
