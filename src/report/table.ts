// `--format table` (default): per input a header, the flows (one row per probing endpoint, fitted
// to the terminal's width), optional per-flow strips and event timelines (--events), and a summary.
import type { FlowReport, KeepaliveReport } from '../keepalive/model';
import type { AnalyzedInput } from './inputs';
import { bottomRule, fitWidths, gridRow, headerRule, textWidth, topRule, type Alignment } from './grid';
import type { PathReport } from '../path/paths';
import {
  formatDuration, formatSpread, isoDiffSeconds, linkTypeName, resolutionName,
} from './format';
import type { TimeMode } from './time-format';
import { fitLines, shrinkWidths, wrapRow } from './fit';
import { orderFlows, type SortKey } from './flow-order';
import { flowNotes, middleboxHint, outcomeText, settingsText } from './flow-words';
import { writeCompactTable } from './table-compact';
import { eventsTimeline } from './timeline';

export interface TableOptions {
  readonly timeMode: TimeMode;
  readonly events: boolean;
  /** Columns every line must fit in; null or absent: no limit (piped to a file). */
  readonly width?: number | null;
  /** Order of the flows; `interest` when absent. */
  readonly sort?: SortKey;
  /** The filters narrowing the report, as the summary names them (`host 10.77.0.9`); absent when none. */
  readonly filters?: string;
}

/** From this width on, the table has a column for every figure; below it, the compact layout. */
export const WIDE_MIN_COLUMNS = 120;

export function captureHeader(input: AnalyzedInput): string {
  const { capture: c, result: r } = input;
  const parts: string[] = [];
  parts.push(c.format === null ? 'unrecognised format' : `${c.format}${c.gzip ? '.gz' : ''} (${resolutionName(c.tsDigits)})`);
  parts.push(c.linkTypes.length === 0 ? 'no link type' : c.linkTypes.map(linkTypeName).join(', '));
  parts.push(`${c.packets} packet${c.packets === 1 ? '' : 's'}`);
  let out = `${c.file}: ${parts.join(', ')}\n`;
  if (r.firstTime !== null && r.lastTime !== null) {
    const span = isoDiffSeconds(r.firstTime, r.lastTime);
    // The last packet can be stamped before the first (a clock stepped back): no negative span.
    out += `  span: ${r.firstTime} → ${r.lastTime} (${span !== null && span < 0 ? 'last packet stamped before the first' : formatDuration(span)})\n`;
  }
  for (const w of [...c.warnings, ...r.warnings]) out += `  warning: ${w}\n`;
  if (c.error !== null) out += `  stopped early: ${c.error.startsWith(`${c.file}: `) ? c.error.slice(c.file.length + 2) : c.error}\n`;
  return out;
}

function flowCell(f: FlowReport): string {
  return `#${f.id} ${f.client} → ${f.server}\n   ${flowNotes(f).join(', ')}`;
}

function answersCell(k: KeepaliveReport): string {
  const s = `${k.acked}/${k.unanswered}/${k.resets}`;
  return k.icmp > 0 ? `${s} +${k.icmp} icmp` : s;
}

export const HEADER = ['flow (client → server)', 'prober', 'probes', 'ack/unans/rst', 'idle before probing', 'interval', 'RTT', 'outcome', 'settings match', 'longest silence'];
/** HEADER where a width makes cells wrap: `ack/unans/rst` may break after its slashes. */
const FITTED_HEADER = HEADER.map((h) => (h === 'ack/unans/rst' ? 'ack/ unans/ rst' : h));
/** The narrowest a wrapped column is made before words are cut (an IPv6 endpoint, TCP_USER_TIMEOUT). */
const WIDE_MIN = [15, 6, 6, 6, 8, 8, 10, 10, 12, 7];

export function flowRows(f: FlowReport): string[][] {
  const silence = formatDuration(f.maxIdleSeconds);
  const hint = middleboxHint(f.maxIdleSeconds);
  if (f.keepalive.length === 0) return [[flowCell(f), '-', '0', '-', '-', '-', '-', '-', hint ?? '-', silence]];
  // The flow, its longest silence and the middlebox hint it earns are printed once, on its first endpoint's row.
  return f.keepalive.map((k, i) => [
    i === 0 ? flowCell(f) : '', `${k.prober}${k.probeBytes > 0 ? ` (${k.probeBytes} B)` : ''}`, String(k.probes), answersCell(k),
    formatSpread(k.idleSeconds, 's'), formatSpread(k.intervalSeconds, 's'), formatSpread(k.rttMs, 'ms'),
    outcomeText(k, '\n'), [...settingsText(k, true), ...(i === 0 && hint !== null ? [hint] : [])].join('\n'), i === 0 ? silence : '',
  ]);
}

/** flowRows(f) laid out for a narrow column: client and server on lines of their own, spreads under their medians. */
function fittedRows(f: FlowReport): string[][] {
  return flowRows(f).map((row, r) => row.map((cell, c) => {
    if (c === 0 && r === 0) return cell.replace(' → ', '\n→ ');
    if (c >= 4 && c <= 6) return cell.replace(' (', '\n(');
    return cell;
  }));
}

/** Longest word of each column: a column narrower than its longest word cuts it. */
function fitWordWidths(widths: number[], row: readonly string[]): void {
  for (let c = 0; c < row.length; c++) {
    for (const word of row[c].split(/[\n ]/)) {
      const w = textWidth(word);
      if (w > (widths[c] ?? 0)) widths[c] = w;
    }
  }
}

/** One line per path: its idle-timeout bracket and what keepalive would hold it. */
export function pathsSection(paths: readonly PathReport[]): string {
  if (paths.length === 0) return '';
  return `paths:\n${paths.map((p) => `  ${p.summary}\n`).join('')}`;
}

const ALIGN: Alignment[] = HEADER.map((_, i) => (i === 2 ? 'right' : 'left'));

/**
 * The flows table, written piece by piece: a first pass over the flows sizes the columns, the
 * second draws the rows (a FlowList can be walked twice; it streams from the report store). With
 * a width, columns too wide for it are narrowed and their cells wrapped; below WIDE_MIN_COLUMNS
 * the compact layout (table-compact.ts) is drawn instead.
 */
export function writeFlowsTable(flows: Iterable<FlowReport>, out: (s: string) => void, width: number | null = null): void {
  if (width !== null && width < WIDE_MIN_COLUMNS) { writeCompactTable(flows, out, width); return; }
  let widths: number[] = [];
  fitWidths(widths, HEADER);
  for (const f of flows) for (const row of flowRows(f)) fitWidths(widths, row);
  const overhead = 3 * widths.length + 1;
  if (width === null || widths.reduce((a, b) => a + b, 0) + overhead <= width) {
    out(topRule(widths));
    out(gridRow(widths, HEADER, ALIGN));
    out(headerRule(widths));
    for (const f of flows) for (const row of flowRows(f)) out(gridRow(widths, row, ALIGN));
    out(bottomRule(widths));
    return;
  }
  widths = [];
  const words: number[] = [];
  fitWidths(widths, FITTED_HEADER.map((h) => h.replace(/ /g, '\n')));
  for (const f of flows) for (const row of fittedRows(f)) { fitWidths(widths, row); fitWordWidths(words, row); }
  widths = shrinkWidths(widths, WIDE_MIN.map((m, i) => Math.min(m, Math.max(words[i] ?? 0, 1))), width - overhead);
  out(topRule(widths));
  out(gridRow(widths, wrapRow(FITTED_HEADER, widths), ALIGN));
  out(headerRule(widths));
  for (const f of flows) for (const row of fittedRows(f)) out(gridRow(widths, wrapRow(row, widths), ALIGN));
  out(bottomRule(widths));
}

export function flowsTable(flows: Iterable<FlowReport>): string {
  let text = '';
  writeFlowsTable(flows, (s) => { text += s; });
  return text;
}

export { describeEvent } from './timeline';

export function summaryText(input: AnalyzedInput, filters?: string): string {
  const s = input.result.summary;
  const outcomes = Object.entries(s.outcomes).filter(([, n]) => n > 0).map(([o, n]) => `${o} ${n}`);
  const flowsWord = `flow${s.flows === 1 ? '' : 's'}`;
  // With filters, say what is shown first, then what the whole capture holds: "0 of 6" must not
  // read as if the capture had no keepalive.
  let out = filters === undefined
    ? `${s.flowsWithKeepalive} of ${s.flows} ${flowsWord} with keepalive, ${s.probes} probe${s.probes === 1 ? '' : 's'}`
    : `${input.flows.length} of ${s.flows} ${flowsWord} shown (filters: ${filters}); in the capture ${s.flowsWithKeepalive} with keepalive, ${s.probes} probe${s.probes === 1 ? '' : 's'}`;
  if (outcomes.length > 0) out += ` (outcomes: ${outcomes.join(', ')})`;
  if (s.zeroWindowProbes > 0) out += `, ${s.zeroWindowProbes} zero-window probes`;
  if (s.evictedFlows > 0) out += `, ${s.evictedFlows} flows evicted`;
  out += `, ${s.nonTcpFrames} non-TCP frame${s.nonTcpFrames === 1 ? '' : 's'}`;
  if (s.duplicateFrames > 0) out += `, ${s.duplicateFrames} duplicate frame${s.duplicateFrames === 1 ? '' : 's'} folded`;
  const weird = Object.entries(s.weird).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  if (weird.length > 0) out += `\ndecoder anomalies: ${weird.join(', ')}`;
  return `${out}\n`;
}

/** The whole table report of one input, handed to `out` in pieces. */
export function writeInputTable(input: AnalyzedInput, opts: TableOptions, allFlows: boolean, out: (s: string) => void): void {
  const width = opts.width ?? null;
  out(fitLines(captureHeader(input), width));
  if (input.flows.length === 0) {
    const why = opts.filters !== undefined ? `  no flow matches the filters (${opts.filters})\n`
      : allFlows ? '  no TCP flows to report\n' : '  no keepalive activity to report (--all-flows lists every TCP flow)\n';
    out(fitLines(why, width));
  } else {
    writeFlowsTable(orderFlows(input.flows, opts.sort ?? 'interest'), out, width);
  }
  out(fitLines(pathsSection(input.result.paths), width));
  if (opts.events && input.events.length > 0) out(`${eventsTimeline(input, opts)}\n`);
  out(fitLines(summaryText(input, opts.filters), width));
}

/** The whole table report of one input as one string. */
export function renderInputTable(input: AnalyzedInput, opts: TableOptions, allFlows: boolean): string {
  let text = '';
  writeInputTable(input, opts, allFlows, (s) => { text += s; });
  return text;
}
