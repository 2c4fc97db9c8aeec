// Bench rows, target checks and the plain-text table printed at the end (meant for the README).

export type PhaseId = 'tcpdump' | 'read' | 'read-pcap-parser' | 'decode' | 'analyze' | 'html' | 'merge' | 'tshark';

export interface Row {
  readonly sizeGiB: number;
  readonly phase: PhaseId;
  readonly label: string;
  /** Seconds for the whole capture (for tshark: projected from the prefix). */
  readonly elapsedS: number | null;
  readonly packets: number | null;
  readonly packetsPerS: number | null;
  readonly mbPerS: number | null;
  readonly peakRssMB: number | null;
  /** elapsed / tcpdump's best elapsed on the same capture; lower is faster. */
  readonly vsTcpdump: number | null;
  readonly target: string | null;
  /** null: no target, or nothing measured. */
  readonly pass: boolean | null;
  /** Error, skip reason or how the number was obtained; one line. */
  readonly note: string | null;
}

export interface Verdict {
  readonly name: string;
  readonly pass: boolean | null;
  readonly detail: string;
}

export const TARGETS = {
  decodeVsTcpdump: 1.0,
  decodeRssMB: 100,
  analyzeVsTcpdump: 1.5,
  analyzeRssMB: 150,
  /** `--format html` (events collected, page inlined) against `--format json` on the same capture. */
  htmlVsJson: 2.0,
  /** "Not growing with file size": the largest capture may use this much more than the smallest. */
  rssGrowthMB: 10,
  /** `analyze --merge` of the capture cut into MERGE_PIECES files, against the single file's analysis. */
  mergeVsSingle: 1.2,
} as const;

const num = (v: number | null, digits: number): string => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const kpps = (v: number | null): string =>
  (v === null || !Number.isFinite(v) ? '—' : Math.round(v / 1000).toLocaleString('en-US'));

function pad(cells: readonly string[], widths: readonly number[], right: ReadonlySet<number>): string {
  return cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
}

export function table(header: readonly string[], body: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const lines = [pad(header, widths, right), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of body) lines.push(pad(r, widths, right));
  return lines.join('\n');
}

export function rowsTable(rows: readonly Row[]): string {
  const notes: string[] = [];
  const body = rows.map((r) => {
    let mark = '';
    if (r.note !== null) {
      let i = notes.indexOf(r.note);
      if (i === -1) i = notes.push(r.note) - 1;
      mark = ` [${i + 1}]`;
    }
    const result = r.pass === null ? (r.target === null ? '' : '—') : r.pass ? 'PASS' : 'FAIL';
    return [
      String(r.sizeGiB), `${r.label}${mark}`, num(r.elapsedS, 2), kpps(r.packetsPerS), num(r.mbPerS, 0),
      num(r.peakRssMB, 0), r.vsTcpdump === null ? '—' : `${r.vsTcpdump.toFixed(2)}×`, r.target ?? '', result,
    ];
  });
  const t = table(['GiB', 'phase', 'time s', 'kpkt/s', 'MB/s', 'RSS MB', 'vs tcpdump', 'target', 'result'], body,
    new Set([2, 3, 4, 5, 6]));
  return notes.length === 0 ? t : `${t}\n${notes.map((n, i) => `[${i + 1}] ${n}`).join('\n')}`;
}
