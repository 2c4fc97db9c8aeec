// pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each `type, length, body, length`.
// A Section Header Block sets the byte order and starts a new, empty interface list; packets
// (EPB, SPB, obsolete PB) refer to the section's Interface Description Blocks by index.
import { u32be, u32le } from './bytes';
import type { ReadContext, RecordParser } from './context';
import { MAX_BLOCK, MAX_CAPLEN, RECORDS_PER_SLICE } from './limits';
import { DATE_MAX_SEC, TsConverter } from './timestamp';

export const SHB_TYPE = 0x0a0d0d0a;
const IDB_TYPE = 1;
const PB_TYPE = 2;
const SPB_TYPE = 3;
const EPB_TYPE = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** Distinct (if_tsresol, if_tsoffset) pairs whose converters are shared; further ones get their own. */
const MAX_SHARED_CONVERTERS = 1024;

/** Smallest valid total length of a block of this type (header, fixed fields, trailer). */
function minLength(type: number): number {
  switch (type) {
    case EPB_TYPE: case PB_TYPE: return 32;
    case SHB_TYPE: return 28;
    case IDB_TYPE: return 20;
    case SPB_TYPE: return 16;
    default: return 12;
  }
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const blockName = (type: number): string => {
  switch (type) {
    case SHB_TYPE: return 'section header block';
    case IDB_TYPE: return 'interface description block';
    case PB_TYPE: return 'packet block';
    case SPB_TYPE: return 'simple packet block';
    case EPB_TYPE: return 'enhanced packet block';
    default: return `block of type ${hex(type)}`;
  }
};

/** A classic pcap file header (magic in either byte order, version 2) where a block was expected. */
function isPcapHeader(buf: Buffer, p: number, type: number): boolean {
  // The magic read in this section's byte order: as written, or swapped.
  if (type !== 0xa1b2c3d4 && type !== 0xa1b23c4d && type !== 0xd4c3b2a1 && type !== 0x4d3cb2a1) return false;
  const le = buf[p] === 0xd4 || buf[p] === 0x4d;
  return (le ? buf.readUInt16LE(p + 4) : buf.readUInt16BE(p + 4)) === 2;
}

export class PcapngParser implements RecordParser {
  need = 12;
  follows: 'pcap' | null = null;
  private le = true;
  private sections = 0;
  // Interfaces of the current section, by index; replaced (not cleared) by each SHB.
  private ifLink: number[] = [];
  private ifSnap: number[] = [];
  private ifTs: TsConverter[] = [];
  private readonly converters = new Map<string, TsConverter>();

  constructor(private readonly ctx: ReadContext) {}

  parse(buf: Buffer, start: number, end: number): number {
    const ctx = this.ctx;
    let p = start;
    const pauseAt = ctx.frames + RECORDS_PER_SLICE;
    for (;;) {
      const avail = end - p;
      if (avail < 12) { this.need = 12; break; }
      if (ctx.frames >= pauseAt) { this.need = 0; break; }
      let le = this.le;
      const type = le ? u32le(buf, p) : u32be(buf, p);
      if (this.sections > 0 && isPcapHeader(buf, p, type)) {
        ctx.warn('concatenated', `a pcap file header at byte ${ctx.base + p}, after frame ${ctx.frames}: files concatenated; read on as one capture, frame numbers continuing`);
        this.follows = 'pcap';
        this.need = 0;
        break;
      }
      if (type === SHB_TYPE) {
        // The type is a palindrome; the byte-order magic decides how to read everything after it.
        if (buf.readUInt32LE(p + 8) === BYTE_ORDER_MAGIC) le = true;
        else if (buf.readUInt32BE(p + 8) === BYTE_ORDER_MAGIC) le = false;
        else { ctx.fail(`section header block at byte ${ctx.base + p} has byte-order magic ${hex(buf.readUInt32BE(p + 8))}, expected 0x1a2b3c4d in either byte order`); break; }
      } else if (this.sections === 0) {
        ctx.fail(`first block at byte ${ctx.base + p} is a ${blockName(type)}, not a section header block`); break;
      }
      const len = le ? u32le(buf, p + 4) : u32be(buf, p + 4);
      if (len < minLength(type) || (len & 3) !== 0 || len > MAX_BLOCK) {
        const why = len > MAX_BLOCK ? `more than the limit ${MAX_BLOCK}` : (len & 3) !== 0 ? 'not a multiple of 4' : `less than the minimum ${minLength(type)}`;
        ctx.fail(`${blockName(type)} at byte ${ctx.base + p} (after frame ${ctx.frames}) has length ${len}, ${why}; the file is damaged`);
        break;
      }
      if (avail < len) {
        // Refuse an absurd packet before buffering the whole block.
        if ((type === EPB_TYPE || type === PB_TYPE) && avail >= 24) {
          const caplen = le ? buf.readUInt32LE(p + 20) : buf.readUInt32BE(p + 20);
          if (caplen > MAX_CAPLEN) { this.capTooBig(p, caplen); break; }
        }
        this.need = len;
        break;
      }
      const trailer = le ? u32le(buf, p + len - 4) : u32be(buf, p + len - 4);
      if (trailer !== len) {
        ctx.fail(`${blockName(type)} at byte ${ctx.base + p} (after frame ${ctx.frames}) has length ${len} but its trailing copy says ${trailer}; the file is damaged`);
        break;
      }
      if (type === EPB_TYPE || type === PB_TYPE) {
        if (!this.packet(buf, p, len, type === EPB_TYPE)) break;
      } else if (type === SPB_TYPE) {
        if (!this.simplePacket(buf, p, len)) break;
      } else if (type === IDB_TYPE) {
        this.interface(buf, p, len);
      } else if (type === SHB_TYPE) {
        if (!this.section(buf, p, le)) break;
      }
      // Everything else (name resolution, statistics, decryption secrets, custom, …) is skipped.
      p += len;
    }
    return p;
  }

  /** EPB (type 6) and the obsolete PB (type 2): same layout but PB's interface id is 16 bits. */
  private packet(buf: Buffer, p: number, len: number, enhanced: boolean): boolean {
    const ctx = this.ctx;
    const le = this.le;
    const id = enhanced ? (le ? u32le(buf, p + 8) : u32be(buf, p + 8)) : (le ? buf.readUInt16LE(p + 8) : buf.readUInt16BE(p + 8));
    const caplen = le ? u32le(buf, p + 20) : u32be(buf, p + 20);
    const frame = ctx.frames + 1;
    if (id >= this.ifTs.length) { this.unknownInterface(p, id, enhanced ? EPB_TYPE : PB_TYPE); return false; }
    if (caplen > MAX_CAPLEN) { this.capTooBig(p, caplen); return false; }
    if (28 + caplen > len - 4) {
      ctx.fail(`${blockName(enhanced ? EPB_TYPE : PB_TYPE)} at byte ${ctx.base + p} (frame ${frame}) claims captured length ${caplen}, which does not fit in its ${len}-byte block`);
      return false;
    }
    const origLen = le ? u32le(buf, p + 24) : u32be(buf, p + 24);
    const ts = this.ifTs[id];
    ts.convert(le ? u32le(buf, p + 12) : u32be(buf, p + 12), le ? u32le(buf, p + 16) : u32be(buf, p + 16));
    if (ts.sec > DATE_MAX_SEC || ts.sec < -DATE_MAX_SEC) {
      ctx.warn('time-range', `frame ${frame}: timestamp ${ts.sec} s since 1970 is beyond the years a calendar date is made for; shown as a far date, durations across it are meaningless`);
    }
    const snap = this.ifSnap[id];
    let deliver = caplen;
    if (snap !== 0 && caplen > snap) {
      deliver = snap;
      ctx.warn('snaplen', `frame ${frame}: captured length ${caplen} exceeds the interface's snap length ${snap}; clamped to it, as libpcap does`);
    }
    if (caplen > origLen) ctx.warn('origlen', `frame ${frame}: captured length ${caplen} exceeds the original length ${origLen}`);
    ctx.frames = frame;
    ctx.sink.packet(frame, this.ifLink[id], ts.sec, ts.nsec, ts.digits, buf, p + 28, deliver, origLen);
    return true;
  }

  /** SPB: interface 0, no timestamp (delivered as 0 s), captured = min(original, snaplen, room). */
  private simplePacket(buf: Buffer, p: number, len: number): boolean {
    const ctx = this.ctx;
    if (this.ifTs.length === 0) { this.unknownInterface(p, 0, SPB_TYPE); return false; }
    const origLen = this.le ? u32le(buf, p + 8) : u32be(buf, p + 8);
    const snap = this.ifSnap[0];
    let caplen = Math.min(origLen, len - 16);
    if (snap !== 0 && caplen > snap) caplen = snap;
    if (caplen > MAX_CAPLEN) { this.capTooBig(p, caplen); return false; }
    const frame = ctx.frames + 1;
    ctx.frames = frame;
    ctx.sink.packet(frame, this.ifLink[0], 0, 0, this.ifTs[0].digits, buf, p + 12, caplen, origLen);
    return true;
  }

  private interface(buf: Buffer, p: number, len: number): void {
    const ctx = this.ctx;
    const le = this.le;
    const linkType = le ? buf.readUInt16LE(p + 8) : buf.readUInt16BE(p + 8);
    const snaplen = le ? buf.readUInt32LE(p + 12) : buf.readUInt32BE(p + 12);
    let tsresol = 6;
    let tsoffset = 0;
    const optEnd = p + len - 4;
    let o = p + 16;
    while (o + 4 <= optEnd) {
      const code = le ? buf.readUInt16LE(o) : buf.readUInt16BE(o);
      const olen = le ? buf.readUInt16LE(o + 2) : buf.readUInt16BE(o + 2);
      if (code === 0) break; // opt_endofopt
      if (o + 4 + olen > optEnd) {
        // One key for the kind, not per block: a file of a million such blocks gives one line with its count.
        ctx.warn('idb-opt', `interface description block at byte ${ctx.base + p}: option ${code} of length ${olen} runs past the block; later options ignored`);
        break;
      }
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = buf[o + 4];
      else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = le ? buf.readInt32LE(o + 8) : buf.readInt32BE(o + 4);
        const lo = le ? buf.readUInt32LE(o + 4) : buf.readUInt32BE(o + 8);
        tsoffset = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    const ts = this.converter(tsresol, tsoffset);
    this.ifLink.push(linkType);
    this.ifSnap.push(snaplen);
    ctx.info.snapLen ??= snaplen;
    this.ifTs.push(ts);
    ctx.addLinkType(linkType);
    ctx.noteDigits(ts.digits);
  }

  /**
   * Interfaces with the same time unit and offset share a converter (it holds no per-interface
   * state beyond them): a flood of interface blocks then costs a number each, not an object each.
   */
  private converter(tsresol: number, tsoffset: number): TsConverter {
    const key = `${tsresol}/${tsoffset}`;
    let ts = this.converters.get(key);
    if (ts === undefined) {
      ts = new TsConverter(tsresol, tsoffset);
      if (this.converters.size < MAX_SHARED_CONVERTERS) this.converters.set(key, ts);
    }
    return ts;
  }

  private section(buf: Buffer, p: number, le: boolean): boolean {
    const ctx = this.ctx;
    const major = le ? buf.readUInt16LE(p + 12) : buf.readUInt16BE(p + 12);
    const minor = le ? buf.readUInt16LE(p + 14) : buf.readUInt16BE(p + 14);
    if (major !== 1) {
      ctx.fail(`section header block at byte ${ctx.base + p} has version ${major}.${minor}; only pcapng 1.x is defined`);
      return false;
    }
    if (this.sections > 0) ctx.warn('concatenated', `another section header block at byte ${ctx.base + p}, after frame ${ctx.frames}: a new section (concatenated files?); read on as one capture, frame numbers continuing`);
    this.le = le;
    this.sections++;
    this.ifLink = []; this.ifSnap = []; this.ifTs = [];
    ctx.info.format ??= 'pcapng';
    return true;
  }

  private capTooBig(p: number, caplen: number): void {
    this.ctx.fail(`packet block at byte ${this.ctx.base + p} (frame ${this.ctx.frames + 1}) claims captured length ${caplen}, more than the limit ${MAX_CAPLEN}; the file is damaged`);
  }

  // Like libpcap and Wireshark, a packet on an undescribed interface ends the read: the link type
  // and time unit of everything after it would be guesses.
  private unknownInterface(p: number, id: number, type: number): void {
    this.ctx.fail(`${blockName(type)} at byte ${this.ctx.base + p} (frame ${this.ctx.frames + 1}) names interface ${id}, but section ${this.sections} describes only ${this.ifTs.length}`);
  }

  finish(buf: Buffer, start: number, end: number): void {
    const ctx = this.ctx;
    if (ctx.failed || start >= end) return;
    const have = end - start;
    const at = ctx.base + start;
    if (have < 12) { ctx.fail(`truncated block header at byte ${at} (after frame ${ctx.frames}): ${have} of 12 bytes`); return; }
    const type = this.le ? buf.readUInt32LE(start) : buf.readUInt32BE(start);
    ctx.fail(`truncated ${blockName(type)} at byte ${at} (after frame ${ctx.frames}): ${have} of ${this.need} bytes`);
  }
}
