// Byte sources: a plain file read synchronously into the caller's buffer, or a stream (standard
// input, gunzip output) whose chunks are copied into it. Either way the parser sees one reused buffer.
import * as fs from 'node:fs';
import * as net from 'node:net';

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
  /** Reads again from `position` (gzip recovery, capture/gzip.ts); only a file opened as seekable can. */
  get seekable(): boolean { return this.position !== null; }
  readAt(buf: Buffer, off: number, len: number, position: number): number { return fs.readSync(this.fd, buf, off, len, position); }
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

/** A FIFO or socket descriptor as a stream source (libuv polls it; no thread waits in read()). */
export function fdStreamSource(fd: number): StreamSource {
  const socket = new net.Socket({ fd, readable: true, writable: false });
  return new StreamSource(socket[Symbol.asyncIterator]() as AsyncIterator<Buffer>, () => { socket.destroy(); });
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
