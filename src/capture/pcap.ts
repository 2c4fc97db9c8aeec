// Classic libpcap files: 24-byte file header, then 16-byte record headers each followed by caplen
// bytes. Byte order and time unit come from the magic (a1b2c3d4 µs, a1b23c4d ns).
import type { ReadContext, RecordParser } from './context';
import { MAX_CAPLEN, RECORDS_PER_SLICE } from './limits';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

/** Byte order and resolution of a classic pcap magic, or null when it is not one. */
export function pcapMagic(buf: Buffer, off: number): { le: boolean; ns: boolean } | null {
  const be = buf.readUInt32BE(off);
  const le = buf.readUInt32LE(off);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) return { le: false, ns: be === PCAP_MAGIC_NS };
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return { le: true, ns: le === PCAP_MAGIC_NS };
  return null;
}

// A file header's magic read as a record's seconds, in the current header's byte order or the other.
const SAME_US = PCAP_MAGIC_US, SAME_NS = PCAP_MAGIC_NS;
const SWAPPED_US = 0xd4c3b2a1, SWAPPED_NS = 0x4d3cb2a1;

/** A pcapng section header's type and byte-order magic, as a record's seconds and length would read them. */
const PCAPNG_SHB = 0x0a0d0d0a, PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

export class PcapParser implements RecordParser {
  need = FILE_HEADER;
  follows: 'pcapng' | null = null;
  private headerDone = false;
  private le = true;
  private fracPerSec = 1e6;
  private nsPerFrac = 1000;
  private digits = 6;
  private linkType = 0;
  private snaplen = MAX_CAPLEN;

  constructor(private readonly ctx: ReadContext) {}

  parse(buf: Buffer, start: number, end: number): number {
    let p = start;
    if (!this.headerDone) {
      if (end - p < FILE_HEADER) { this.need = FILE_HEADER; return p; }
      if (!this.fileHeader(buf, p)) return p;
      p += FILE_HEADER;
      this.headerDone = true;
    }
    const ctx = this.ctx;
    const sink = ctx.sink;
    const le = this.le;
    const snaplen = this.snaplen;
    const linkType = this.linkType;
    const digits = this.digits;
    const fracPerSec = this.fracPerSec;
    const nsPerFrac = this.nsPerFrac;
    let frame = ctx.frames;
    const pauseAt = frame + RECORDS_PER_SLICE;
    // Record header fields through a DataView, in either byte order: one bounds check and one load
    // per field, faster than byte by byte (bench/README.md).
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    for (;;) {
      if (end - p < RECORD_HEADER) { this.need = RECORD_HEADER; break; }
      if (frame === pauseAt) { this.need = 0; break; }
      // The 16 header bytes are known to be buffered.
      let sec = view.getUint32(p, le);
      if (sec === SAME_US || sec === SAME_NS || sec === SWAPPED_US || sec === SWAPPED_NS) {
        if (end - p < FILE_HEADER) { this.need = FILE_HEADER; break; }
        if (this.nextFile(buf, p, frame)) { p += FILE_HEADER; this.need = 0; break; }
      } else if (sec === PCAPNG_SHB && (buf.readUInt32LE(p + 8) === PCAPNG_BYTE_ORDER || buf.readUInt32BE(p + 8) === PCAPNG_BYTE_ORDER)) {
        ctx.warn('concatenated', `a pcapng section header block at byte ${ctx.base + p}, after frame ${frame}: files concatenated; read on as one capture, frame numbers continuing`);
        this.follows = 'pcapng';
        this.need = 0;
        break;
      }
      const caplen = view.getUint32(p + 8, le);
      if (caplen > MAX_CAPLEN) {
        ctx.fail(`record header at byte ${ctx.base + p} (frame ${frame + 1}) claims captured length ${caplen}, more than the limit ${MAX_CAPLEN}; the file is damaged`);
        this.need = RECORD_HEADER;
        break;
      }
      if (end - p - RECORD_HEADER < caplen) { this.need = RECORD_HEADER + caplen; break; }
      let frac = view.getUint32(p + 4, le);
      const origLen = view.getUint32(p + 12, le);
      frame++;
      if (frac >= fracPerSec) {
        // Some writers carry whole seconds in the fraction; keep the instant, not the field split.
        ctx.warn('frac', `frame ${frame}: fractional part ${frac} is not below ${fracPerSec}; carried into the seconds`);
        sec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
      }
      let len = caplen;
      if (caplen > snaplen) {
        // libpcap tolerates this (old writers set the snap length wrongly) and truncates to snaplen.
        len = snaplen;
        ctx.warn('snaplen', `frame ${frame}: captured length ${caplen} exceeds the snap length ${snaplen}; clamped to it, as libpcap does`);
      }
      if (caplen > origLen) ctx.warn('origlen', `frame ${frame}: captured length ${caplen} exceeds the original length ${origLen}`);
      ctx.frames = frame;
      sink.packet(frame, linkType, sec, frac * nsPerFrac, digits, buf, p + RECORD_HEADER, len, origLen);
      p += RECORD_HEADER + caplen;
    }
    ctx.frames = frame;
    return p;
  }

  /**
   * A second file header where a record was expected: `cat a.pcap b.pcap` makes such a stream.
   * Read on with the new header's byte order, resolution and link type; frame numbers continue.
   */
  private nextFile(buf: Buffer, p: number, frame: number): boolean {
    const magic = pcapMagic(buf, p);
    const major = magic === null ? 0 : magic.le ? buf.readUInt16LE(p + 4) : buf.readUInt16BE(p + 4);
    if (major !== 2) return false;
    this.ctx.warn('concatenated', `another pcap file header at byte ${this.ctx.base + p}, after frame ${frame}: files concatenated; read on as one capture, frame numbers continuing`);
    this.ctx.frames = frame;
    this.fracPerSec = 1e6; this.nsPerFrac = 1000; this.digits = 6;
    return this.fileHeader(buf, p);
  }

  private fileHeader(buf: Buffer, p: number): boolean {
    const ctx = this.ctx;
    const magic = pcapMagic(buf, p);
    if (magic === null) { ctx.fail(`unknown magic 0x${buf.toString('hex', p, p + 4)} at byte 0`); return false; }
    this.le = magic.le;
    if (magic.ns) { this.fracPerSec = 1e9; this.nsPerFrac = 1; this.digits = 9; }
    const u16 = (o: number): number => (this.le ? buf.readUInt16LE(p + o) : buf.readUInt16BE(p + o));
    const u32 = (o: number): number => (this.le ? buf.readUInt32LE(p + o) : buf.readUInt32BE(p + o));
    const major = u16(4);
    const minor = u16(6);
    if (major !== 2) { ctx.fail(`unsupported pcap version ${major}.${minor} in the file header (only 2.x is defined)`); return false; }
    if (minor !== 4) ctx.warn('version', `pcap version 2.${minor}, read as 2.4`);
    const snaplen = u32(16);
    // Like libpcap: a zero or oversized snap length means "no limit we can trust".
    this.snaplen = snaplen === 0 || snaplen > MAX_CAPLEN ? MAX_CAPLEN : snaplen;
    // The top bits carry FCS information (pcap spec "LinkType and additional information").
    this.linkType = u32(20) & 0x03ffffff;
    ctx.info.snapLen ??= snaplen;
    ctx.info.format ??= 'pcap';
    ctx.addLinkType(this.linkType);
    ctx.noteDigits(this.digits);
    return true;
  }

  finish(buf: Buffer, start: number, end: number): void {
    void buf;
    const ctx = this.ctx;
    if (ctx.failed || start >= end) {
      if (!this.headerDone && !ctx.failed) ctx.fail('truncated file header: 0 of 24 bytes');
      return;
    }
    const have = end - start;
    const at = ctx.base + start;
    if (!this.headerDone) ctx.fail(`truncated file header: ${have} of ${FILE_HEADER} bytes`);
    else if (have < RECORD_HEADER) ctx.fail(`truncated record header at byte ${at} (frame ${ctx.frames + 1}): ${have} of ${RECORD_HEADER} bytes`);
    else ctx.fail(`truncated record at byte ${at} (frame ${ctx.frames + 1}): ${have - RECORD_HEADER} of ${this.need - RECORD_HEADER} captured bytes`);
  }
}
