// Writers for small pcap / pcapng / gzip files, built in tests (byte layouts from the pcap and
// pcapng specifications), plus a sink that copies what a reader delivers. For every test folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { PacketSink } from '../../src/capture/types';

// ---------------------------------------------------------------------------------- classic pcap

export interface PcapRecord {
  readonly sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  readonly frac: number;
  readonly data: Buffer;
  /** Defaults to data.length. */
  readonly origLen?: number;
  /** Written into the header instead of data.length (to damage a file). */
  readonly caplen?: number;
}

export interface PcapOptions {
  /** Little-endian (default) or big-endian file. */
  readonly le?: boolean;
  /** Nanosecond magic a1b23c4d instead of a1b2c3d4. */
  readonly ns?: boolean;
  readonly snaplen?: number;
  readonly linkType?: number;
  readonly major?: number;
  readonly minor?: number;
  /** Replaces the magic number (to damage a file). */
  readonly magic?: number;
}

export function pcapHeader(o: PcapOptions = {}): Buffer {
  const le = o.le ?? true;
  const h = Buffer.alloc(24);
  const u32 = (v: number, at: number): number => (le ? h.writeUInt32LE(v >>> 0, at) : h.writeUInt32BE(v >>> 0, at));
  const u16 = (v: number, at: number): number => (le ? h.writeUInt16LE(v, at) : h.writeUInt16BE(v, at));
  u32(o.magic ?? (o.ns === true ? 0xa1b23c4d : 0xa1b2c3d4), 0);
  u16(o.major ?? 2, 4);
  u16(o.minor ?? 4, 6);
  u32(o.snaplen ?? 65535, 16);
  u32(o.linkType ?? 1, 20);
  return h;
}

export function pcapRecord(r: PcapRecord, le = true): Buffer {
  const h = Buffer.alloc(16);
  const u32 = (v: number, at: number): number => (le ? h.writeUInt32LE(v >>> 0, at) : h.writeUInt32BE(v >>> 0, at));
  u32(r.sec, 0);
  u32(r.frac, 4);
  u32(r.caplen ?? r.data.length, 8);
  u32(r.origLen ?? r.data.length, 12);
  return Buffer.concat([h, r.data]);
}

export function pcapFile(records: readonly PcapRecord[], o: PcapOptions = {}): Buffer {
  return Buffer.concat([pcapHeader(o), ...records.map((r) => pcapRecord(r, o.le ?? true))]);
}

// ----------------------------------------------------------------------------------------- pcapng

export interface NgOption { readonly code: number; readonly value: Buffer }

export type NgBlock =
  | { readonly kind: 'idb'; readonly linkType: number; readonly snaplen?: number; readonly tsresol?: number; readonly tsoffset?: bigint; readonly options?: readonly NgOption[] }
  /** ts is the raw 64-bit count in the interface's units. */
  | { readonly kind: 'epb'; readonly iface: number; readonly ts: bigint; readonly data: Buffer; readonly origLen?: number; readonly caplen?: number; readonly options?: readonly NgOption[] }
  | { readonly kind: 'pb'; readonly iface: number; readonly ts: bigint; readonly data: Buffer; readonly origLen?: number }
  | { readonly kind: 'spb'; readonly data: Buffer; readonly origLen?: number }
  /** Any other block (name resolution 4, interface statistics 5, DSB 10, custom 0xBAD…), body as given. */
  | { readonly kind: 'raw'; readonly type: number; readonly body: Buffer };

export interface NgSection {
  readonly le?: boolean;
  readonly major?: number;
  readonly blocks: readonly NgBlock[];
}

const pad4 = (b: Buffer): Buffer => (b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]));

class Writer {
  constructor(readonly le: boolean) {}
  u16(v: number): Buffer { const b = Buffer.alloc(2); if (this.le) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; }
  u32(v: number): Buffer { const b = Buffer.alloc(4); if (this.le) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0); return b; }
  u64(v: bigint): Buffer { const b = Buffer.alloc(8); if (this.le) b.writeBigUInt64LE(BigInt.asUintN(64, v)); else b.writeBigUInt64BE(BigInt.asUintN(64, v)); return b; }
  /** Timestamp as two 32-bit words, high first, each in section byte order. */
  ts(v: bigint): Buffer { return Buffer.concat([this.u32(Number(v >> 32n)), this.u32(Number(v & 0xffffffffn))]); }
  options(opts: readonly NgOption[]): Buffer {
    if (opts.length === 0) return Buffer.alloc(0);
    return Buffer.concat([...opts.map((o) => Buffer.concat([this.u16(o.code), this.u16(o.value.length), pad4(o.value)])), this.u16(0), this.u16(0)]);
  }
}

/** One block: type, total length, body (padded to 4), total length. */
export function ngBlock(type: number, body: Buffer, le = true): Buffer {
  const w = new Writer(le);
  const b = pad4(body);
  return Buffer.concat([w.u32(type), w.u32(b.length + 12), b, w.u32(b.length + 12)]);
}

function sectionBytes(s: NgSection): Buffer {
  const le = s.le ?? true;
  const w = new Writer(le);
  const shb = ngBlock(0x0a0d0d0a, Buffer.concat([w.u32(0x1a2b3c4d), w.u16(s.major ?? 1), w.u16(0), w.u64(-1n)]), le);
  const parts = [shb];
  for (const b of s.blocks) {
    switch (b.kind) {
      case 'idb': {
        const opts: NgOption[] = [];
        if (b.tsresol !== undefined) opts.push({ code: 9, value: Buffer.from([b.tsresol]) });
        if (b.tsoffset !== undefined) opts.push({ code: 14, value: w.u64(b.tsoffset) });
        opts.push(...(b.options ?? []));
        parts.push(ngBlock(1, Buffer.concat([w.u16(b.linkType), w.u16(0), w.u32(b.snaplen ?? 0), w.options(opts)]), le));
        break;
      }
      case 'epb':
        parts.push(ngBlock(6, Buffer.concat([w.u32(b.iface), w.ts(b.ts), w.u32(b.caplen ?? b.data.length), w.u32(b.origLen ?? b.data.length), pad4(b.data), w.options(b.options ?? [])]), le));
        break;
      case 'pb':
        parts.push(ngBlock(2, Buffer.concat([w.u16(b.iface), w.u16(0), w.ts(b.ts), w.u32(b.data.length), w.u32(b.origLen ?? b.data.length), pad4(b.data)]), le));
        break;
      case 'spb':
        parts.push(ngBlock(3, Buffer.concat([w.u32(b.origLen ?? b.data.length), pad4(b.data)]), le));
        break;
      case 'raw':
        parts.push(ngBlock(b.type, b.body, le));
        break;
    }
  }
  return Buffer.concat(parts);
}

export function pcapngFile(sections: readonly NgSection[]): Buffer {
  return Buffer.concat(sections.map(sectionBytes));
}

// ------------------------------------------------------------------------------- files and sinks

export const gzip = (b: Buffer): Buffer => zlib.gzipSync(b);

/** A fresh temporary directory, removed at process exit. */
export function tempDir(prefix = 'keepalive-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeTemp(dir: string, name: string, data: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

/** Deterministic bytes (an arbitrary pattern), so each record's content is recognisable. */
export function patternBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff; }
  return b;
}

export interface RecordedPacket {
  frame: number; linkType: number; sec: number; nsec: number; tsDigits: number; data: Buffer; origLen: number;
}

/** Copies every delivered record (tests only: this allocates per packet). */
export class RecordingSink implements PacketSink {
  readonly records: RecordedPacket[] = [];
  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number, origLen: number): void {
    this.records.push({ frame, linkType, sec, nsec, tsDigits, data: Buffer.from(buf.subarray(off, off + caplen)), origLen });
  }
}
