// `--format csv`: RFC 4180 (CRLF line ends, fields with `,` `"` CR or LF quoted, quotes doubled).
// One row per probing endpoint of a flow; a flow without keepalive probes (only with --all-flows
// or zero-window activity) gets one row with the endpoint columns empty. Nested fields are
// flattened: idleSeconds.min → idle_min_s, rttMs.median → rtt_median_ms, settings.count →
// settings_count, fate.afterIdleSeconds → fate_after_idle_s; vlan IDs are joined with `.` (outer.inner),
// middleboxes and fate evidence with `; `. Paths are not in the CSV (one table per file).
import type { FlowReport, KeepaliveReport, Spread } from '../keepalive/model';
import type { AnalyzedInput } from './inputs';

type Cell = string | number | boolean | null;

export const CSV_COLUMNS = [
  'capture', 'file', 'flow', 'client', 'server', 'vlan', 'midstream',
  'first_frame', 'last_frame', 'first_time', 'last_time', 'packets', 'max_idle_s', 'zero_window_probes', 'end',
  'fate', 'fate_by', 'fate_after_idle_s', 'fate_retransmissions', 'fate_gave_up_after_s', 'fate_silent_at_end_s', 'fate_clue', 'fate_evidence',
  'prober', 'probes', 'acked', 'unanswered', 'resets', 'icmp', 'probe_bytes',
  'idle_min_s', 'idle_median_s', 'idle_max_s',
  'interval_min_s', 'interval_median_s', 'interval_max_s',
  'rtt_min_ms', 'rtt_median_ms', 'rtt_max_ms',
  'max_unanswered', 'outcome',
  'settings_idle_s', 'settings_interval_s', 'settings_count', 'settings_match', 'middleboxes', 'settings_dead_peer_after_s',
  'answers_lost',
] as const;

/** Columns before the prober's. */
const FLOW_COLUMNS = CSV_COLUMNS.indexOf('prober');

/** One field as RFC 4180 wants it; null is the empty field, numbers are JavaScript's shortest exact text. */
export function csvField(v: Cell): string {
  if (v === null) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRecord(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

const spread = (s: Spread | null): Cell[] => s === null ? [null, null, null] : [s.min, s.median, s.max];

function endpointCells(k: KeepaliveReport | null): Cell[] {
  if (k === null) return new Array<Cell>(CSV_COLUMNS.length - FLOW_COLUMNS).fill(null);
  return [
    k.prober, k.probes, k.acked, k.unanswered, k.resets, k.icmp, k.probeBytes,
    ...spread(k.idleSeconds), ...spread(k.intervalSeconds), ...spread(k.rttMs),
    k.maxUnanswered, k.outcome,
    k.settings.idleSeconds, k.settings.intervalSeconds, k.settings.count, k.settings.matches,
    k.settings.middleboxes.join('; '), k.settings.deadPeerDetectedAfterSeconds,
    k.answersLost ?? 0,
  ];
}

/** `extra`: cells after the standard columns (--merge adds its own). */
export function flowRows(captureIndex: number, file: string, f: FlowReport, extra: readonly Cell[] = []): string {
  const head: Cell[] = [
    captureIndex, file, f.id, f.client, f.server, f.vlan.join('.'), f.midstream,
    f.firstFrame, f.lastFrame, f.firstTime, f.lastTime, f.packets, f.maxIdleSeconds, f.zeroWindowProbes, f.end,
    f.fate.how, f.fate.by, f.fate.afterIdleSeconds, f.fate.retransmissions, f.fate.gaveUpAfterSeconds, f.fate.silentAtEndSeconds, f.fate.clue, f.fate.evidence.join('; '),
  ];
  if (f.keepalive.length === 0) return csvRecord([...head, ...endpointCells(null), ...extra]);
  let out = '';
  for (const k of f.keepalive) out += csvRecord([...head, ...endpointCells(k), ...extra]);
  return out;
}

export function csvHeader(): string {
  return csvRecord(CSV_COLUMNS);
}

export function renderCsv(inputs: readonly AnalyzedInput[]): string {
  let out = csvHeader();
  for (const input of inputs) for (const f of input.flows) out += flowRows(input.index, input.capture.file, f);
  return out;
}
