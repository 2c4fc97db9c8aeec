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
