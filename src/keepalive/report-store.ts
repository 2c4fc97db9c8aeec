// Where retired flows wait for the end of the analysis: as fixed-size rows of numbers (report.ts's
// snapshots), turned into report objects only as they are read. Rows gather in memory; every
// DEFAULT_RUN_ROWS of them are sorted by flow id and written to an unlinked temporary file as a run.
// Reading merges the runs by id, each through a small buffer, so memory holds one run being
// gathered plus RUN_BUFFER_ROWS rows per run whatever the number of flows: 16 bytes per spilled
// report, as the JSON-text store before it, without its stringify and parse per report.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FlowReport } from './model';

/** Rows gathered before they are sorted and written as one run (the default: 1 MiB of rows). */
export const DEFAULT_RUN_ROWS = 2048;
/** Rows read from a run at a time while merging. */
const RUN_BUFFER_ROWS = 64;

/** Turns the row at `off` of `rows` into its report. */
export type RowReader = (rows: Float64Array, off: number) => FlowReport;

/** Reports as read back: every pass yields them in flow-id order. */
export interface FlowReports extends Iterable<FlowReport> {
  readonly length: number;
  /** Whether they went through a temporary file. */
  readonly spilled: boolean;
  toArray(): FlowReport[];
  /**
   * The same flows, in the same order, as the snapshot rows their reports are built from
   * (report.ts): for writers that format a row straight to text, without the report object.
   */
  eachRow(visit: RowVisitor): void;
  dispose(): void;
}

/** Called with each row in turn; the row is valid only during the call. */
export type RowVisitor = (rows: Float64Array, off: number) => void;

/** A sorted run: in the temporary file from `offset`, or kept in memory when it could not be written. */
interface Run { readonly count: number; readonly offset: number; readonly rows: Float64Array | null }

export class ReportStore implements FlowReports {
  private gathering: Float64Array;
  private gathered = 0;
  private readonly runs: Run[] = [];
  private fd = -1;
  private fileBytes = 0;
  /** No temporary file could be made, or a write failed: further runs stay in memory. */
  private fileFailed = false;
  private total = 0;

  /**
   * `width`: doubles per row, the row's field 0 is its flow id. `runRows`: rows gathered before a
   * run is written (tests make it small).
   */
  constructor(readonly width: number, private readonly read: RowReader, private readonly runRows = DEFAULT_RUN_ROWS) {
    this.gathering = new Float64Array(Math.min(runRows, 64) * width);
  }

  get length(): number { return this.total; }

  /** Whether rows went to a temporary file. */
  get spilled(): boolean { return this.fd >= 0; }

  /** The place of a new row: fill `width` doubles of the returned array from the returned offset's index. */
  append(): number {
    if (this.gathered === this.runRows) this.endRun();
    if ((this.gathered + 1) * this.width > this.gathering.length) {
      const grown = new Float64Array(Math.min(this.runRows, this.gathered * 2) * this.width);
      grown.set(this.gathering);
      this.gathering = grown;
    }
    this.total++;
    return this.gathered++ * this.width;
  }

  /** The array append()'s offsets point into (it is replaced when it grows: read it after append()). */
  get rows(): Float64Array { return this.gathering; }

  /** The reports in flow-id order; each pass reads them again. */
  *[Symbol.iterator](): Iterator<FlowReport> {
    const m = this.merger();
    while (m.next()) yield this.read(m.rows, m.off);
  }

  toArray(): FlowReport[] { return [...this]; }

  eachRow(visit: RowVisitor): void {
    const m = this.merger();
    while (m.next()) visit(m.rows, m.off);
  }

  /** A pass over every row (the runs and the rows still gathering) in id order. */
  private merger(): RowMerger {
    const last = this.sortedGathering();
    const sources: RunReader[] = this.runs.map((r) => new RunReader(r, this.width, this.fd));
    if (last.count > 0) sources.push(new RunReader(last, this.width, -1));
    return new RowMerger(sources);
  }

  /** Closes the temporary file; the store is empty afterwards. */
  dispose(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.runs.length = 0;
    this.gathered = 0;
    this.total = 0;
  }

  /** The rows gathered so far, sorted by id, as an in-memory run (not removed from the store). */
  private sortedGathering(): Run {
    return { count: this.gathered, offset: 0, rows: sortRows(this.gathering, this.gathered, this.width) };
  }

  private endRun(): void {
    const rows = sortRows(this.gathering, this.gathered, this.width);
    const count = this.gathered;
    this.gathered = 0;
    if (!this.fileFailed && this.fd < 0) {
      this.fd = openSpillFile();
      if (this.fd < 0) this.fileFailed = true;
    }
    if (!this.fileFailed) {
      const bytes = new Uint8Array(rows.buffer, rows.byteOffset, count * this.width * 8);
      try {
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.fileBytes + done);
        this.runs.push({ count, offset: this.fileBytes, rows: null });
        this.fileBytes += bytes.length;
        return;
      } catch {
        this.fileFailed = true; // disk full …: from now on runs stay in memory, nothing is lost
      }
    }
    this.runs.push({ count, offset: 0, rows });
  }
}

/** A copy of the first `n` rows sorted by their id (field 0). */
function sortRows(rows: Float64Array, n: number, width: number): Float64Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((x, y) => rows[x * width] - rows[y * width]);
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; i++) out.set(rows.subarray(order[i] * width, order[i] * width + width), i * width);
  return out;
}

/** An already-unlinked temporary file (the kernel frees it when it is closed), or -1. */
export function openSpillFile(): number {
  let dir: string | null = null;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keepalive-'));
    const file = path.join(dir, 'reports.bin');
    const fd = fs.openSync(file, 'w+', 0o600);
    fs.unlinkSync(file);
    fs.rmdirSync(dir);
    return fd;
  } catch {
    if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
    return -1;
  }
}

/** Reads one run front to back, RUN_BUFFER_ROWS rows at a time. */
class RunReader {
  private buf: Float64Array;
  /** Rows in buf, the next one's index in buf, and the next row's index in the run. */
  private loaded = 0;
  private inBuf = 0;
  private next = 0;
  /** The current row's offset in `rows`. */
  off = 0;

  constructor(private readonly run: Run, private readonly width: number, private readonly fd: number) {
    this.buf = run.rows ?? new Float64Array(RUN_BUFFER_ROWS * width);
  }

  get rows(): Float64Array { return this.buf; }

  /** Moves to the next row; false at the end of the run. */
  advance(): boolean {
    if (this.next === this.run.count) return false;
    if (this.run.rows !== null) {
      this.off = this.next++ * this.width;
      return true;
    }
    if (this.inBuf === this.loaded) this.fill();
    this.off = this.inBuf++ * this.width;
    this.next++;
    return true;
  }

  /** Reads the rows from `next` on into the buffer. */
  private fill(): void {
    const n = Math.min(RUN_BUFFER_ROWS, this.run.count - this.next);
    const bytes = new Uint8Array(this.buf.buffer, 0, n * this.width * 8);
    const at = this.run.offset + this.next * this.width * 8;
    let done = 0;
    while (done < bytes.length) {
      const got = fs.readSync(this.fd, bytes, done, bytes.length - done, at + done);
      if (got === 0) throw new Error(`report spill file: short read (${done} of ${bytes.length} bytes)`);
      done += got;
    }
    this.loaded = n;
    this.inBuf = 0;
  }
}

/** The rows of all runs in id order: a binary heap of the runs by their current row's id. */
class RowMerger {
  private readonly heap: RunReader[];
  private started = false;
  /** The current row: `off` into `rows`, after next() returned true. */
  rows: Float64Array = new Float64Array(0);
  off = 0;

  constructor(sources: RunReader[]) {
    this.heap = sources.filter((s) => s.advance());
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Moves to the next row in id order; false when every run is done. */
  next(): boolean {
    const heap = this.heap;
    if (this.started && heap.length > 0) {
      // The previous row came from the top run: step it on, or drop it when it is done.
      if (!heap[0].advance()) {
        const last = heap.pop() as RunReader;
        if (heap.length > 0) heap[0] = last;
      }
      if (heap.length > 0) this.down(0);
    }
    this.started = true;
    if (heap.length === 0) return false;
    this.rows = heap[0].rows;
    this.off = heap[0].off;
    return true;
  }

  private down(i: number): void {
    const heap = this.heap;
    const id = (s: RunReader): number => s.rows[s.off];
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && id(heap[l]) < id(heap[m])) m = l;
      if (r < heap.length && id(heap[r]) < id(heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
}
