// Where retired flows' reports wait for the end of the analysis. A report object costs about
// 1.7 KB of heap (measured: 34.5k reports of the 4 GiB bench capture held 60 MB), so past a few
// thousand they move to an unlinked temporary file as JSON text, with only a 16-byte index entry
// per report left in memory. Reading back yields them in flow-id order, one at a time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FlowReport } from './model';

/** Reports kept as objects before the store starts spilling to disk. */
export const DEFAULT_REPORTS_IN_MEMORY = 2048;

const WRITE_CHUNK_BYTES = 1 << 20;

export class ReportStore implements Iterable<FlowReport> {
  private mem: FlowReport[] = [];
  private spill: SpillFile | null = null;
  private spillFailed = false;

  /** `inMemory`: how many reports stay objects before the rest go to a temporary file. */
  constructor(private readonly inMemory = DEFAULT_REPORTS_IN_MEMORY) {}

  get length(): number { return this.spill === null ? this.mem.length : this.spill.count; }

  /** Whether reports went to a temporary file. */
  get spilled(): boolean { return this.spill !== null; }

  add(r: FlowReport): void {
    if (this.spill !== null) { this.spill.append(r); return; }
    this.mem.push(r);
    if (this.mem.length > this.inMemory && !this.spillFailed) {
      // No writable temporary directory: the reports stay in memory, as before spilling existed.
      const spill = SpillFile.create();
      if (spill === null) { this.spillFailed = true; return; }
      for (const m of this.mem) spill.append(m);
      this.mem = [];
      this.spill = spill;
    }
  }

  /** The reports in flow-id order; each pass reads them again. */
  *[Symbol.iterator](): Iterator<FlowReport> {
    if (this.spill === null) {
      yield* this.mem.slice().sort((x, y) => x.id - y.id);
      return;
    }
    yield* this.spill.readSorted();
  }

  toArray(): FlowReport[] { return [...this]; }

  /** Closes the temporary file; the store is empty afterwards. */
  dispose(): void {
    this.spill?.close();
    this.spill = null;
    this.mem = [];
  }
}

/** An append-only file of JSON reports, already unlinked: the kernel frees it when it is closed. */
class SpillFile {
  private ids = new Float64Array(1024);
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  count = 0;
  private fileBytes = 0;
  /** Texts not yet written, records firstPending… (all later ones once a write failed). */
  private pending: string[] = [];
  private firstPending = 0;
  private pendingBytes = 0;
  /** A write failed (disk full …): from then on the texts stay in memory, nothing is lost. */
  private writeFailed = false;
  private scratch = Buffer.alloc(64 * 1024);

  private constructor(private fd: number) {}

  static create(): SpillFile | null {
    let dir: string | null = null;
    try {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keepalive-'));
      const file = path.join(dir, 'reports.jsonl');
      const fd = fs.openSync(file, 'w+', 0o600);
      fs.unlinkSync(file);
      fs.rmdirSync(dir);
      return new SpillFile(fd);
    } catch {
      if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
      return null;
    }
  }

  append(r: FlowReport): void {
    const text = JSON.stringify(r);
    const bytes = Buffer.byteLength(text);
    if (this.count === this.ids.length) this.grow();
    this.ids[this.count] = r.id;
    this.offsets[this.count] = this.fileBytes + this.pendingBytes;
    this.lengths[this.count] = bytes;
    this.count++;
    this.pending.push(text);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= WRITE_CHUNK_BYTES) this.flush();
  }

  *readSorted(): Generator<FlowReport> {
    this.flush();
    const order = new Uint32Array(this.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const ids = this.ids;
    order.sort((x, y) => ids[x] - ids[y]);
    for (const i of order) {
      if (i >= this.firstPending) { yield JSON.parse(this.pending[i - this.firstPending]) as FlowReport; continue; }
      const len = this.lengths[i];
      if (len > this.scratch.length) this.scratch = Buffer.alloc(len);
      const got = fs.readSync(this.fd, this.scratch, 0, len, this.offsets[i]);
      if (got !== len) throw new Error(`report spill file: short read (${got} of ${len} bytes)`);
      yield JSON.parse(this.scratch.toString('utf8', 0, len)) as FlowReport;
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  private flush(): void {
    if (this.pendingBytes === 0 || this.writeFailed) return;
    const chunk = Buffer.from(this.pending.join(''));
    try {
      let done = 0;
      while (done < chunk.length) done += fs.writeSync(this.fd, chunk, done, chunk.length - done, this.fileBytes + done);
    } catch {
      this.writeFailed = true;
      return;
    }
    this.fileBytes += chunk.length;
    this.firstPending = this.count;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private grow(): void {
    const n = this.ids.length * 2;
    const ids = new Float64Array(n); ids.set(this.ids); this.ids = ids;
    const offsets = new Float64Array(n); offsets.set(this.offsets); this.offsets = offsets;
    const lengths = new Uint32Array(n); lengths.set(this.lengths); this.lengths = lengths;
  }
}
