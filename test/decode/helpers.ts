// Shared by the decoder tests: decode one frame with a fresh decoder, write frames to a classic
// pcap for tshark, and run tshark when it is installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decoder } from '../../src/decode/decoder';
import { PacketKind } from '../../src/decode/packet';
import { LinkKind, linkTypeOf } from '../support/frames';

export interface Decoded {
  readonly d: Decoder;
  readonly kind: PacketKind;
}

/** Decodes `buf` (all of it, or `caplen` bytes) on `link` with a fresh Decoder. */
export function decodeFrame(buf: Buffer, link: LinkKind | number = 'ether', caplen = buf.length): Decoded {
  const d = new Decoder();
  const lt = typeof link === 'number' ? link : linkTypeOf(link);
  return { d, kind: d.decode(lt, buf, 0, caplen) };
}

/** The weird counters as a plain object, for deepEqual. */
export const weirds = (d: Decoder): Record<string, number> => ({ ...d.weird });

export const addrAt = (buf: Buffer, off: number, v: number): Buffer => buf.subarray(off, off + (v === 6 ? 16 : 4));

/** A classic little-endian µs pcap holding `frames` on `linkType`. */
export function writePcap(linkType: number, frames: readonly Buffer[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'decode-test-'));
  const file = join(dir, `lt${linkType}.pcap`);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16);
  hdr.writeUInt32LE(linkType, 20);
  const parts: Buffer[] = [hdr];
  frames.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1700000000 + i, 0);
    r.writeUInt32LE(f.length, 8); r.writeUInt32LE(f.length, 12);
    parts.push(r, f);
  });
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

let tsharkChecked: boolean | undefined;
export function haveTshark(): boolean {
  if (tsharkChecked === undefined) {
    try { execFileSync('tshark', ['-v'], { stdio: 'ignore' }); tsharkChecked = true; } catch { tsharkChecked = false; }
  }
  return tsharkChecked;
}

/** tshark -T fields output, one array of field strings per frame. */
export function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): string[][] {
  const args = ['-r', file, ...extra, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** A little-endian pcapng with one interface per distinct link type, one packet per frame. */
export function writePcapng(frames: ReadonlyArray<readonly [number, Buffer]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'decode-test-'));
  const file = join(dir, 'mixed.pcapng');
  const block = (type: number, body: Buffer): Buffer => {
    const len = 12 + Math.ceil(body.length / 4) * 4;
    const b = Buffer.alloc(len);
    b.writeUInt32LE(type, 0); b.writeUInt32LE(len, 4); body.copy(b, 8); b.writeUInt32LE(len, len - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0); shb.writeUInt16LE(1, 4); shb.writeInt32LE(-1, 8); shb.writeInt32LE(-1, 12);
  const parts: Buffer[] = [block(0x0a0d0d0a, shb)];
  const ifaces = new Map<number, number>();
  for (const [lt] of frames) {
    if (ifaces.has(lt)) continue;
    ifaces.set(lt, ifaces.size);
    const idb = Buffer.alloc(8);
    idb.writeUInt16LE(lt, 0); idb.writeUInt32LE(262144, 4);
    parts.push(block(1, idb));
  }
  frames.forEach(([lt, f], i) => {
    const epb = Buffer.alloc(20 + f.length);
    epb.writeUInt32LE(ifaces.get(lt) as number, 0);
    epb.writeUInt32LE(i * 1000, 8);
    epb.writeUInt32LE(f.length, 12); epb.writeUInt32LE(f.length, 16);
    f.copy(epb, 20);
    parts.push(block(6, epb));
  });
  writeFileSync(file, Buffer.concat(parts));
  return file;
}
