// Standard output and error for the commands. A reader that goes away (`… | head`) ends the run
// quietly: EPIPE is the normal end of a pipeline, not an error worth a message.
import * as fs from 'node:fs';
export interface Output {
  out(s: string): void;
  /**
   * Bytes already encoded as UTF-8. Returns true when they are written and the caller may reuse
   * the buffer; otherwise the caller leaves them untouched (a write may still be queued).
   */
  outBytes(b: Buffer): boolean;
  err(s: string): void;
  /** Null when output may go on at once; else settles when what is queued for stdout has gone out. */
  room?(): Promise<void> | null;
}

let installed = false;
let pipe: PipeWriter | null | undefined;

export function stdio(): Output {
  if (!installed) {
    installed = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      process.stderr.write(`keepalive: cannot write output: ${e.message}\n`);
      process.exit(2);
    });
    pipe = PipeWriter.forStdout();
  }
  const p = pipe ?? null;
  if (p !== null) {
    return {
      out: (s) => { if (s.length > 0) p.write(Buffer.from(s), false); },
      outBytes: (b) => p.write(b, true),
      err: (s) => { process.stderr.write(s); },
      room: () => p.room(),
    };
  }
  return {
    out: (s) => { if (s.length > 0) process.stdout.write(s); },
    // Writes to files are synchronous and leave nothing queued. Writes to a pipe are too on Linux,
    // but the stream still counts them as pending until its next tick: such a buffer is not reused.
    outBytes: (b) => { if (b.length > 0) process.stdout.write(b); return process.stdout.writableLength === 0; },
    err: (s) => { process.stderr.write(s); },
  };
}

/** Bytes PipeWriter queues while the pipe is full before a write waits for the reader. */
const PIPE_QUEUE_BYTES = 8 << 20;

/**
 * Standard output when it is a pipe or socket. node's stream writes a pipe as far as it has room
 * and queues the rest without limit: piped to `wc -l`, 386,000 event lines took 430 MB, and after
 * `head -1` left, the analysis ran on to the end. Here at most PIPE_QUEUE_BYTES wait in memory;
 * past that a write waits for the reader, and the analysis with it. The reader drains the queue
 * at room(), which the analysis awaits every 100 ms, so a Ctrl-C handler can run meanwhile. The
 * reader's leaving (EPIPE) is seen at the write that hits it, and ends the process at once and
 * quietly, as the end of a pipeline.
 */
class PipeWriter {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private readonly nap = new Int32Array(new SharedArrayBuffer(4));

  static forStdout(): PipeWriter | null {
    let st: fs.Stats;
    try { st = fs.fstatSync(1); } catch { return null; }
    return st.isFIFO() || st.isSocket() ? new PipeWriter() : null;
  }

  /** Writes or queues `b`; true when `b` may be reused at once (`copy`: queue a copy of it, not `b`). */
  write(b: Buffer, copy: boolean): boolean {
    if (this.queue.length === 0) {
      const n = this.tryWrite(b, 0);
      if (n === b.length) return true;
      b = b.subarray(n);
    }
    this.queue.push(copy ? Buffer.from(b) : b);
    this.queued += b.length;
    if (this.queued > PIPE_QUEUE_BYTES) this.flushWaiting();
    return true;
  }

  room(): Promise<void> | null {
    if (this.queue.length === 0) return null;
    return (async (): Promise<void> => {
      let wait = 1;
      while (this.flushSome() > 0) {
        await new Promise<void>((r) => setTimeout(r, wait));
        wait = Math.min(2 * wait, 50);
      }
    })();
  }

  /** Writes what it can of the queue; returns the bytes still queued. */
  private flushSome(): number {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const n = this.tryWrite(head, 0);
      this.queued -= n;
      if (n < head.length) { this.queue[0] = head.subarray(n); return this.queued; }
      this.queue.shift();
    }
    return 0;
  }

  /** Waits, blocking, until the queue is out. */
  private flushWaiting(): void {
    let wait = 1;
    while (this.flushSome() > 0) {
      Atomics.wait(this.nap, 0, 0, wait);
      wait = Math.min(2 * wait, 16);
    }
  }

  /** Bytes of b from `off` that the pipe took now (0 when it is full). */
  private tryWrite(b: Buffer, off: number): number {
    let done = off;
    while (done < b.length) {
      try {
        done += fs.writeSync(1, b, done, b.length - done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
        if (code === 'EAGAIN') break;
        throw e;
      }
    }
    return done - off;
  }

  /** Blocks until everything queued is written (the end of the run). */
  finish(): void { this.flushWaiting(); }
}

/** Writes out what stdout still has queued, waiting for the reader; before the process ends. */
export function finishOutput(): void { pipe?.finish(); }

/** Output gathered into one write per this many bytes. */
const BATCH_BYTES = 64 * 1024;
/** Most UTF-8 bytes one UTF-16 code unit of a string takes. */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Gathers many small pieces (one per flow) into writes of about 64 KiB. stdout writes to a pipe are
 * synchronous on Linux, so each one waits for the reader: one write per flow is much slower
 * (bench/README.md). The pieces are encoded straight into a buffer: joining them into one string
 * first, which stdout then encodes, would allocate the whole report's text twice more.
 */
export class OutputBatch {
  private buf = Buffer.allocUnsafe(2 * BATCH_BYTES);
  private used = 0;

  constructor(private readonly io: Output) {}

  add(s: string): void {
    if (this.used + s.length * MAX_UTF8_PER_UNIT > this.buf.length) {
      this.flush();
      if (s.length * MAX_UTF8_PER_UNIT > this.buf.length) { this.io.out(s); return; }
    }
    this.used += this.buf.write(s, this.used);
    if (this.used >= BATCH_BYTES) this.flush();
  }

  /** The buffer, with at least `maxBytes` free from `position`, for bytes written there directly; then advance(). */
  room(maxBytes: number): Buffer {
    if (this.used + maxBytes > this.buf.length) {
      this.flush();
      if (maxBytes > this.buf.length) this.buf = Buffer.allocUnsafe(maxBytes);
    }
    return this.buf;
  }

  get position(): number { return this.used; }

  /** The bytes written after room() end at `to`. */
  advance(to: number): void {
    this.used = to;
    if (this.used >= BATCH_BYTES) this.flush();
  }

  flush(): void {
    if (this.used === 0) return;
    // The same buffer again only when the write is done with it: a write to a pipe may still be queued.
    // (A new buffer per flush is external memory that brings on collections; bench/README.md.)
    if (!this.io.outBytes(this.buf.subarray(0, this.used))) this.buf = Buffer.allocUnsafe(2 * BATCH_BYTES);
    this.used = 0;
  }
}
