// One capture read a slice of records at a time, for a merge that takes records from several
// files in timestamp order. It parses like readCapture (same parsers, same messages), but keeps
// the parsed records of one slice in place in its buffer until the merge has taken them all.
import { ReadContext, type RecordParser } from './context';
import { openInput } from './input';
import { READ_BUFFER_SIZE, RECORDS_PER_SLICE } from './limits';
import { newCaptureInfo } from './open';
import { PcapParser } from './pcap';
import { PcapngParser } from './pcapng';
import { sniffFormat } from './sniff';
import { describeIoError, type ByteSource } from './source';
import type { CaptureInfo, PacketSink } from './types';

/** One slice of parsed records (the parser pauses after RECORDS_PER_SLICE). */
class Slice {
  readonly sec = new Float64Array(RECORDS_PER_SLICE);
  readonly nsec = new Float64Array(RECORDS_PER_SLICE);
  readonly frame = new Float64Array(RECORDS_PER_SLICE);
  readonly off = new Int32Array(RECORDS_PER_SLICE);
  readonly caplen = new Int32Array(RECORDS_PER_SLICE);
  readonly origLen = new Float64Array(RECORDS_PER_SLICE);
  readonly linkType = new Int32Array(RECORDS_PER_SLICE);
  readonly digits = new Int8Array(RECORDS_PER_SLICE);
}

const freeSlices: Slice[] = [];
const takeSlice = (): Slice => freeSlices.pop() ?? new Slice();

/** A merge taking records straight from the parser while they belong to its current run. */
export interface DirectSink {
  /** Delivers the record and returns true, or returns false and the cursor stores it and all after it. */
  take(linkType: number, sec: number, nsec: number, tsDigits: number, buf: Buffer, off: number, caplen: number, origLen: number): boolean;
}

export class CaptureCursor implements PacketSink {
  /** Set by the merge while it waits for next(): records it takes are not stored in the slice. */
  direct: DirectSink | null = null;
  /** Called before the buffer is read over (records handed on from it become invalid). */
  onRefill: (() => void) | null = null;
  readonly info: CaptureInfo;
  private readonly ctx: ReadContext;
  private parser: RecordParser | null = null;
  private source: ByteSource | null = null;
  buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private eof = true;
  private closed = false;
  // The parsed slice: record i lies at buf[off[i], off[i] + caplen[i]). The arrays come from a
  // pool: a ring of a thousand files would otherwise allocate (and zero) 400 KB per file, twice.
  private readonly slice = takeSlice();
  readonly sec = this.slice.sec;
  readonly nsec = this.slice.nsec;
  readonly frame = this.slice.frame;
  readonly off = this.slice.off;
  readonly caplen = this.slice.caplen;
  readonly origLen = this.slice.origLen;
  readonly linkType = this.slice.linkType;
  readonly digits = this.slice.digits;
  /** Records in the slice, and the next one to take. */
  n = 0;
  i = 0;

  constructor(readonly file: string, private readonly bufferSize = READ_BUFFER_SIZE) {
    this.info = newCaptureInfo(file);
    this.ctx = new ReadContext(this.info, this);
  }

  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number, origLen: number): void {
    if (this.n === 0 && this.direct !== null && this.direct.take(linkType, sec, nsec, tsDigits, buf, off, caplen, origLen)) return;
    const n = this.n++;
    this.frame[n] = frame; this.linkType[n] = linkType; this.sec[n] = sec; this.nsec[n] = nsec;
    this.digits[n] = tsDigits; this.off[n] = off; this.caplen[n] = caplen; this.origLen[n] = origLen;
  }

  /** Opens the file and parses its first slice; false when it has no record (or could not be read). */
  async open(): Promise<boolean> {
    const input = await openInput(this.file, this.ctx, this.bufferSize);
    if (input === null) { this.close(); return false; }
    this.source = input.source;
    this.buf = input.buf; this.end = input.end; this.eof = input.eof;
    const format = sniffFormat(this.buf, this.end);
    if (format !== 'pcap' && format !== 'pcapng') {
      this.ctx.fail(this.info.gzip ? `${format} (after gunzip)` : format);
      this.close();
      return false;
    }
    this.parser = format === 'pcap' ? new PcapParser(this.ctx) : new PcapngParser(this.ctx);
    return this.next();
  }

  /**
   * Parses the next slice of records (the previous slice's bytes may be overwritten, so the merge
   * flushes its sink first); false at the end of the file or at damage, when the file is closed.
   */
  async next(): Promise<boolean> {
    this.n = 0; this.i = 0;
    let parser = this.parser;
    const ctx = this.ctx;
    if (parser === null || this.closed) return false;
    for (;;) {
      if (ctx.failed) { this.close(); return false; }
      this.start = parser.parse(this.buf, this.start, this.end);
      const follows: 'pcap' | 'pcapng' | null | undefined = parser.follows;
      if (follows) this.parser = parser = follows === 'pcap' ? new PcapParser(ctx) : new PcapngParser(ctx);
      if (this.n > 0) return true;
      if (ctx.failed) { this.close(); return false; }
      if (follows || parser.need === 0) continue;
      if (this.eof) { parser.finish(this.buf, this.start, this.end); this.close(); return false; }
      this.onRefill?.();
      const have = this.end - this.start;
      const need = parser.need;
      if (need > this.buf.length) {
        const bigger = Buffer.allocUnsafe(need);
        this.buf.copy(bigger, 0, this.start, this.end);
        this.buf = bigger;
      } else if (this.start > 0 && have > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      }
      ctx.base += this.start;
      this.start = 0;
      this.end = have;
      try {
        const src = this.source as ByteSource;
        const r = src.read(this.buf, this.end, this.buf.length - this.end);
        const got = typeof r === 'number' ? r : await r;
        if (got === 0) this.eof = true; else this.end += got;
      } catch (e) {
        ctx.fail(`${this.info.gzip ? '' : 'read error: '}${describeIoError(e)} at byte ${ctx.base + this.end}`);
      }
    }
  }

  /** Bytes of the (decompressed) input consumed so far. */
  get bytesRead(): number { return this.ctx.base + this.end; }

  /** Ends reading (also early): the descriptor is released and the counts and warnings are final. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.info.bytesRead = this.ctx.base + this.end;
    this.info.packets = this.ctx.frames;
    this.ctx.flushWarnings();
    try { this.source?.close(); } catch { /* closing a finished input cannot lose data */ }
    this.source = null;
    this.n = 0;
    freeSlices.push(this.slice);
  }
}
