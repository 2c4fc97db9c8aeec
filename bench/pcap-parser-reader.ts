// Classic pcap through the npm package pcap-parser (the design card's choice), kept so the
// benchmark can compare it with our reader. Its faults and how this adapter works around them:
// - it rejects nanosecond magics: the first chunk gets the µs magic (same byte order) and the
//   "microseconds" it reports are read back as nanoseconds;
// - its version check (`major != 2 && minor != 4`) accepts 3.4 or 2.7: we check the header first;
// - it re-buffers until a claimed length has arrived, without bound: record headers are scanned
//   before each chunk is fed and a captured length above 256 KiB stops the read there;
// - it says nothing about a truncated last record: the scanner reports it.
// Output (frames, times, clamping to snaplen, warnings, errors) matches readCapture for pcap.
// pcapng is not pcap-parser's business: such input gets an error, not a silent fallback.
import { EventEmitter } from 'node:events';
import * as pcapParser from 'pcap-parser';
import { ReadContext } from '../src/capture/context';
import { fillAtLeast, openInput } from '../src/capture/input';
import { MAX_CAPLEN, PROGRESS_INTERVAL_MS } from '../src/capture/limits';
import type { ReadOptions } from '../src/capture/open';
import { newCaptureInfo } from '../src/capture/open';
import { PCAP_MAGIC_US, pcapMagic } from '../src/capture/pcap';
import { sniffFormat } from '../src/capture/sniff';
import { describeIoError } from '../src/capture/source';
import type { CaptureInfo, PacketSink } from '../src/capture/types';

const CHUNK = 64 * 1024; // what fs.createReadStream hands pcap-parser by default

/** A stream stand-in we push chunks into synchronously; pcap-parser parses inside emit('data'). */
class FeedStream extends EventEmitter {
  pause(): this { return this; }
  resume(): this { return this; }
}

export async function readCaptureWithPcapParser(file: string, sink: PacketSink, opts: ReadOptions = {}): Promise<CaptureInfo> {
  const info = newCaptureInfo(file);
  const ctx = new ReadContext(info, sink);
  const input = await openInput(file, ctx, CHUNK);
  if (input === null) return info;
  const { source, totalBytes } = input;
  let first = input.buf;
  let end = input.end;
  let eof = input.eof;
  let fed = 0; // bytes handed to pcap-parser so far
  try {
    const format = sniffFormat(first, end);
    if (format === 'pcapng') { ctx.fail('pcap-parser reads classic pcap only; this is pcapng'); return info; }
    if (format !== 'pcap') { ctx.fail(info.gzip ? `${format} (after gunzip)` : format); return info; }
    try {
      ({ end, eof } = await fillAtLeast(source, first, end, 24));
    } catch (e) { ctx.fail(describeIoError(e)); return info; }
    if (end < 24) { ctx.fail(`truncated file header: ${end} of 24 bytes`); fed = end; return info; }

    const magic = pcapMagic(first, 0);
    if (magic === null) { ctx.fail('unknown magic'); return info; }
    const le = magic.le;
    const u16 = (o: number): number => (le ? first.readUInt16LE(o) : first.readUInt16BE(o));
    const u32 = (o: number): number => (le ? first.readUInt32LE(o) : first.readUInt32BE(o));
    const major = u16(4);
    const minor = u16(6);
    if (major !== 2) { ctx.fail(`unsupported pcap version ${major}.${minor} in the file header (only 2.x is defined)`); return info; }
    if (minor !== 4) ctx.warn('version', `pcap version 2.${minor}, read as 2.4`);
    const rawSnap = u32(16);
    const snaplen = rawSnap === 0 || rawSnap > MAX_CAPLEN ? MAX_CAPLEN : rawSnap;
    const linkType = u32(20) & 0x03ffffff;
    const digits = magic.ns ? 9 : 6;
    const fracPerSec = magic.ns ? 1e9 : 1e6;
    const nsPerFrac = magic.ns ? 1 : 1000;
    if (magic.ns) { if (le) first.writeUInt32LE(PCAP_MAGIC_US, 0); else first.writeUInt32BE(PCAP_MAGIC_US, 0); }
    info.format = 'pcap';
    ctx.addLinkType(linkType);
    ctx.noteDigits(digits);

    const stream = new FeedStream();
    const parser = pcapParser.parse(stream);
    parser.on('error', (e) => ctx.fail(`pcap-parser: ${e.message}`));
    parser.on('packet', (p) => {
      const h = p.header;
      const frame = ctx.frames + 1;
      let sec = h.timestampSeconds;
      let frac = h.timestampMicroseconds;
      if (frac >= fracPerSec) {
        ctx.warn('frac', `frame ${frame}: fractional part ${frac} is not below ${fracPerSec}; carried into the seconds`);
        sec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
      }
      const caplen = h.capturedLength;
      let len = caplen;
      if (caplen > snaplen) {
        len = snaplen;
        ctx.warn('snaplen', `frame ${frame}: captured length ${caplen} exceeds the snap length ${snaplen}; clamped to it, as libpcap does`);
      }
      if (caplen > h.originalLength) ctx.warn('origlen', `frame ${frame}: captured length ${caplen} exceeds the original length ${h.originalLength}`);
      ctx.frames = frame;
      sink.packet(frame, linkType, sec, frac * nsPerFrac, digits, p.data, 0, len, h.originalLength);
      sink.flush?.(); // pcap-parser owns p.data: nothing of it is kept past this record
    });

    // Record-boundary scanner: absolute offset of the next record header and its bytes so far.
    let next = 24;
    const hdr = Buffer.alloc(16);
    let hdrFill = 0;
    let lastStart = 0;
    let lastCaplen = 0;
    // Records scanned but not yet delivered (pcap-parser delivers them when the chunk is fed).
    let recordsAhead = 0;
    /** How many bytes of `chunk` (starting at absolute `a`) may be fed; fails on an absurd caplen. */
    const scan = (chunk: Buffer, a: number): number => {
      const b = a + chunk.length;
      while (next + hdrFill < b) {
        const i = next + hdrFill - a;
        const take = Math.min(16 - hdrFill, chunk.length - i);
        chunk.copy(hdr, hdrFill, i, i + take);
        hdrFill += take;
        if (hdrFill < 16) break;
        const caplen = le ? hdr.readUInt32LE(8) : hdr.readUInt32BE(8);
        if (caplen > MAX_CAPLEN) {
          ctx.fail(`record header at byte ${next} (frame ${ctx.frames + 1 + recordsAhead}) claims captured length ${caplen}, more than the limit ${MAX_CAPLEN}; the file is damaged`);
          return Math.max(0, next - a);
        }
        recordsAhead++;
        lastStart = next;
        lastCaplen = caplen;
        next += 16 + caplen;
        hdrFill = 0;
      }
      return chunk.length;
    };
    const feed = (chunk: Buffer): void => {
      const ok = scan(chunk, fed);
      const part = ok === chunk.length ? chunk : chunk.subarray(0, ok);
      fed += part.length;
      const before = ctx.frames;
      if (part.length > 0) stream.emit('data', part);
      recordsAhead -= ctx.frames - before;
    };

    let lastProgress = Date.now();
    feed(first.subarray(0, end));
    while (!eof && !ctx.failed) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      try {
        const r = source.read(chunk, 0, CHUNK);
        const n = typeof r === 'number' ? r : await r;
        if (n === 0) { eof = true; break; }
        feed(n === CHUNK ? chunk : chunk.subarray(0, n));
      } catch (e) {
        ctx.fail(`${info.gzip ? '' : 'read error: '}${describeIoError(e)} at byte ${fed}`);
        break;
      }
      if (opts.onProgress !== undefined) {
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_INTERVAL_MS) { lastProgress = now; opts.onProgress(fed, totalBytes, ctx.frames); }
      }
    }
    if (!ctx.failed && hdrFill > 0) {
      ctx.fail(`truncated record header at byte ${next} (frame ${ctx.frames + 1}): ${hdrFill} of 16 bytes`);
    } else if (!ctx.failed && next > fed) {
      ctx.fail(`truncated record at byte ${lastStart} (frame ${ctx.frames + 1}): ${fed - lastStart - 16} of ${lastCaplen} captured bytes`);
    }
    stream.emit('end');
    if (opts.onProgress !== undefined) opts.onProgress(fed, totalBytes, ctx.frames);
    first = Buffer.alloc(0);
  } finally {
    info.bytesRead = Math.max(fed, end);
    info.packets = ctx.frames;
    ctx.flushWarnings();
    try { source.close(); } catch { /* nothing left to lose */ }
  }
  return info;
}
