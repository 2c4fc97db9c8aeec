// `-w FILE`: the packets as a classic pcap (ns magic for kernel ns stamps, else µs) that Wireshark and
// `keepalive analyze` read. Records are copied into one chunk and written when it fills, on
// flush() (about once a second) and on close(): no syscall per packet.
import * as fs from 'node:fs';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapWriter {
  private readonly chunk: Buffer;
  private used = 0;
  private fd: number | null;
  /** First write error, as one line; the writer stops writing after it. */
  error: string | null = null;
  bytesWritten = 0;

  private constructor(readonly path: string, fd: number, linkType: number, readonly snaplen: number, chunkBytes: number,
    readonly tsDigits: 6 | 9) {
    this.fd = fd;
    this.chunk = Buffer.allocUnsafe(Math.max(chunkBytes, FILE_HEADER + RECORD_HEADER + snaplen));
    const h = this.chunk;
    // Native byte order, as libpcap writes; readers detect it from the magic.
    h.writeUInt32LE(tsDigits === 9 ? PCAP_MAGIC_NS : PCAP_MAGIC_US, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);
    h.writeUInt32LE(0, 12);
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linkType, 20);
    this.used = FILE_HEADER;
  }

  /** Creates (truncates) `path`; an error is one line of text. tsDigits 9: record() takes ns, else µs. */
  static open(path: string, linkType: number, snaplen: number, chunkBytes = 256 * 1024, tsDigits: 6 | 9 = 6): PcapWriter | string {
    try {
      const fd = fs.openSync(path, 'w');
      return new PcapWriter(path, fd, linkType, snaplen, chunkBytes, tsDigits);
    } catch (e) {
      return `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }

  /** Appends one record; `frac` is µs or ns as opened; `caplen` is already clamped to the snap length. */
  record(sec: number, frac: number, buf: Buffer, off: number, caplen: number, origLen: number): void {
    if (this.fd === null) return;
    if (this.used + RECORD_HEADER + caplen > this.chunk.length) this.flush();
    const c = this.chunk;
    let p = this.used;
    c.writeUInt32LE(sec >>> 0, p);
    c.writeUInt32LE(frac, p + 4);
    c.writeUInt32LE(caplen, p + 8);
    c.writeUInt32LE(origLen, p + 12);
    p += RECORD_HEADER;
    buf.copy(c, p, off, off + caplen);
    this.used = p + caplen;
  }

  flush(): void {
    if (this.fd === null || this.used === 0) return;
    try {
      let done = 0;
      while (done < this.used) done += fs.writeSync(this.fd, this.chunk, done, this.used - done);
      this.bytesWritten += this.used;
    } catch (e) {
      this.error = `cannot write ${this.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      this.closeFd();
    }
    this.used = 0;
  }

  close(): void {
    this.flush();
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try { fs.closeSync(this.fd); } catch { /* already reported or nothing left to lose */ }
    this.fd = null;
  }
}
