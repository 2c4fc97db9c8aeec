// The flows table below 120 columns: each flow's endpoints and notes on a line of their own, then
// one line per prober with short columns (medians only; the spreads are in the wide table and the
// JSON), and under it the inferred count when there is one. Columns are separated by two spaces,
// without borders, and every line fits the width.
import type { FlowReport, KeepaliveReport } from '../keepalive/model';
import { fitLines, shrinkWidths, wrapRow } from './fit';
import { formatDuration, formatSpread } from './format';
import { flowNotes, middleboxHint, outcomeText, settingsText } from './flow-words';
import { fitWidths, textWidth } from './grid';

export const COMPACT_HEADER = ['prober', 'probes', 'ack/un/rst', 'idle before probing', 'interval', 'RTT', 'outcome', 'settings match'];
/** Narrowest widths: at 80 columns they fill the line exactly (8 columns, 2 of indent, 7 gaps of 2). */
const MIN = [6, 6, 10, 7, 8, 7, 10, 10];
const RIGHT = new Set([1]);
const INDENT = '  ';
const GAP = '  ';
const NOTE_INDENT = '    ';

const median = (s: { readonly median: number } | null, unit: 's' | 'ms'): string =>
  formatSpread(s === null ? null : { min: s.median, median: s.median, max: s.median }, unit);

function proberRow(k: KeepaliveReport): string[] {
  const answers = `${k.acked}/${k.unanswered}/${k.resets}${k.icmp > 0 ? ` +${k.icmp} icmp` : ''}`;
  return [`${k.prober}${k.probeBytes > 0 ? ` ${k.probeBytes} B` : ''}`, String(k.probes), answers,
    median(k.idleSeconds, 's'), median(k.intervalSeconds, 's'), median(k.rttMs, 'ms'), outcomeText(k, ', '), k.settings.matches ?? 'no match'];
}

/** What the settings column has no room for (the count, or why it is only a lower bound), on a line below the prober's. */
function proberNote(k: KeepaliveReport): string | null {
  const rest = settingsText(k, false).slice(1);
  return rest.length === 0 ? null : `${NOTE_INDENT}${rest.join(', ')}`;
}

/** `#0 10.77.0.1:60824 → 10.77.0.2:5001  end rst from server, longest silence 2.0 s, idle reached …` */
export function flowLine(f: FlowReport): string {
  const notes = [...flowNotes(f), `longest silence ${formatDuration(f.maxIdleSeconds)}`];
  const hint = middleboxHint(f.maxIdleSeconds);
  if (hint !== null) notes.push(hint);
  if (f.keepalive.length === 0) notes.push('no keepalive probes');
  return `#${f.id} ${f.client} → ${f.server}  ${notes.join(', ')}`;
}

function line(cells: readonly string[], widths: readonly number[]): string {
  const height = Math.max(...cells.map((c) => c.split('\n').length));
  const split = cells.map((c) => c.split('\n'));
  let out = '';
  for (let l = 0; l < height; l++) {
    const parts = widths.map((w, i) => {
      const text = split[i]?.[l] ?? '';
      const pad = ' '.repeat(Math.max(0, w - textWidth(text)));
      return RIGHT.has(i) ? `${pad}${text}` : `${text}${pad}`;
    });
    out += `${INDENT}${parts.join(GAP)}`.replace(/ +$/, '') + '\n';
  }
  return out;
}

export function writeCompactTable(flows: Iterable<FlowReport>, out: (s: string) => void, width: number): void {
  let widths: number[] = [];
  for (const f of flows) for (const k of f.keepalive) fitWidths(widths, proberRow(k));
  // Headers wrap onto more lines rather than widen a column of short values.
  // A header wraps at its spaces rather than widen a column of short values.
  widths = COMPACT_HEADER.map((h, i) => Math.max(widths[i] ?? 0, ...h.split(' ').map(textWidth)));
  const overhead = INDENT.length + GAP.length * (widths.length - 1);
  widths = shrinkWidths(widths, MIN, width - overhead);
  out(line(wrapRow(COMPACT_HEADER, widths), widths));
  for (const f of flows) {
    out(`${fitLines(flowLine(f), width)}\n`);
    for (const k of f.keepalive) {
      out(line(wrapRow(proberRow(k), widths), widths));
      const note = proberNote(k);
      if (note !== null) out(`${fitLines(note, width, NOTE_INDENT)}\n`);
    }
  }
}
