// Byte sources: a plain file read synchronously into the caller's buffer, or a stream (standard
// input, gunzip output) whose chunks are copied into it. Either way the parser sees one reused buffer.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface ByteSource {
  /** Reads up to `len` bytes into `buf` at `off`; 0 means end of input. Rejects/throws on I/O errors. */
  read(buf: Buffer, off: number, len: number): number | Promise<number>;
  close(): void;
}

/** A regular file (or anything with a readable descriptor) read with readSync: no promise per read. */
export class FileSource implements ByteSource {
  /** `position` null reads from the descriptor's own offset: pipes and FIFOs (`<(tcpdump …)`) cannot seek. */
  constructor(private readonly fd: number, private position: number | null = 0) {}
  read(buf: Buffer, off: number, len: number): number {
    const n = fs.readSync(this.fd, buf, off, len, this.position);
    if (this.position !== null) this.position += n;
    return n;
  }
  close(): void { fs.closeSync(this.fd); }
}

/** Chunks from an async iterator, copied into the caller's buffer; a chunk may span several reads. */
export class StreamSource implements ByteSource {
  private chunk: Buffer | null = null;
  private chunkOff = 0;
  constructor(private readonly it: AsyncIterator<Buffer>, private readonly onClose: () => void = () => {}) {}

  read(buf: Buffer, off: number, len: number): number | Promise<number> {
    if (this.chunk !== null) return this.copy(buf, off, len);
    return this.next().then((ok) => (ok ? this.copy(buf, off, len) : 0));
  }

  private async next(): Promise<boolean> {
    for (;;) {
      const r = await this.it.next();
      if (r.done === true) return false;
      if (r.value.length > 0) { this.chunk = r.value; this.chunkOff = 0; return true; }
    }
  }

  private copy(buf: Buffer, off: number, len: number): number {
    const c = this.chunk as Buffer;
    const n = c.copy(buf, off, this.chunkOff, Math.min(c.length, this.chunkOff + len));
    this.chunkOff += n;
    if (this.chunkOff >= c.length) this.chunk = null;
    return n;
  }

  close(): void { this.onClose(); }
}

/** Compressed bytes fed to zlib per write: bounds what one write can expand to (~1000:1 at most). */
const GZIP_FEED = 16 * 1024;

/**
 * gzip decompression driven by the reader: compressed input is written only when the decompressed
 * queue is empty, so a highly compressible input cannot flood memory. Output is collected from
 * 'data' events because a stream that fails (bad CRC, truncation) discards what it still buffers:
 * everything decompressed before the failure is delivered, then the error.
 */
export class GunzipSource implements ByteSource {
  private readonly gz = zlib.createGunzip({ chunkSize: 64 * 1024 });
  private readonly queue: Buffer[] = [];
  private chunk: Buffer | null = null;
  private chunkOff = 0;
  private error: Error | null = null;
  private ended = false;
  private inputDone = false;
  private wake: (() => void) | null = null;
  private firstOff = 0;

  constructor(private readonly first: Buffer, private readonly raw: ByteSource) {
    const wake = (): void => { const w = this.wake; this.wake = null; if (w !== null) w(); };
    this.gz.on('data', (c: Buffer) => { this.queue.push(c); if (this.inputDone) wake(); });
    this.gz.on('end', () => { this.ended = true; wake(); });
    this.gz.on('error', (e: Error) => { this.error = e; wake(); });
  }

  async read(buf: Buffer, off: number, len: number): Promise<number> {
    for (;;) {
      if (this.chunk !== null) {
        const c = this.chunk;
        const n = c.copy(buf, off, this.chunkOff, Math.min(c.length, this.chunkOff + len));
        this.chunkOff += n;
        if (this.chunkOff >= c.length) this.chunk = null;
        return n;
      }
      const next = this.queue.shift();
      if (next !== undefined) { this.chunk = next; this.chunkOff = 0; continue; }
      if (this.error !== null) throw this.error;
      if (this.ended) return 0;
      if (this.inputDone) { await new Promise<void>((r) => { this.wake = r; }); continue; }
      const input = await this.nextInput();
      if (input === null) {
        // Z_FINISH on a truncated stream fails and drops that call's output: flush it out first.
        await new Promise<void>((r) => { this.wake = r; this.gz.flush(zlib.constants.Z_SYNC_FLUSH, () => r()); });
        // Let output still buffered inside the stream flow out as 'data' before a failure destroys it.
        await new Promise<void>((r) => setImmediate(r));
        this.inputDone = true;
        this.gz.end();
        continue;
      }
      // The write callback runs once zlib has pushed all output of this input.
      await new Promise<void>((r) => { this.wake = r; this.gz.write(input, () => r()); });
    }
  }

  private async nextInput(): Promise<Buffer | null> {
    if (this.firstOff < this.first.length) {
      const piece = this.first.subarray(this.firstOff, this.firstOff + GZIP_FEED);
      this.firstOff += piece.length;
      return piece;
    }
    // A fresh buffer per write: zlib may hold on to its input until it has consumed it.
    const b = Buffer.allocUnsafe(GZIP_FEED);
    const r = this.raw.read(b, 0, b.length);
    const n = typeof r === 'number' ? r : await r;
    return n === 0 ? null : b.subarray(0, n);
  }

  close(): void { this.gz.destroy(); this.raw.close(); }
}

/** Decompresses gzip from `first` followed by the rest of `raw`; errors surface from read(). */
export function gunzipSource(first: Buffer, raw: ByteSource): ByteSource {
  return new GunzipSource(first, raw);
}

/** Standard input as a stream source. */
export function stdinSource(): StreamSource {
  const stdin = process.stdin;
  return new StreamSource(stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>, () => { stdin.pause(); });
}

/** One line for an I/O error, e.g. "no such file" instead of a stack trace. */
export function describeIoError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory, not a capture file';
    case 'Z_BUF_ERROR': return 'truncated gzip data (unexpected end of compressed stream)';
    case 'Z_DATA_ERROR': return `corrupt gzip data (${err.message})`;
    default: {
      const msg = err instanceof Error ? err.message : String(e);
      return err?.code !== undefined ? `${msg} (${err.code})` : msg;
    }
  }
}
