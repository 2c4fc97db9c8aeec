// Recognising an input from its first bytes, never from its name.
import { pcapMagic } from './pcap';
import { SHB_TYPE } from './pcapng';
import type { CaptureFormat } from './types';

export const isGzip = (buf: Buffer, end: number): boolean => end >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;

/** The capture format starting at buf[0], or a one-line reason why it is none. */
export function sniffFormat(buf: Buffer, end: number): CaptureFormat | string {
  if (end === 0) return 'empty file';
  if (end < 4) return `too short to be a capture file (${end} bytes)`;
  if (pcapMagic(buf, 0) !== null) return 'pcap';
  if (buf.readUInt32BE(0) === SHB_TYPE) return 'pcapng';
  const magic = `0x${buf.toString('hex', 0, 4)}`;
  if (isGzip(buf, end)) return `not a capture file: unknown magic ${magic} at byte 0 (gzip inside gzip?)`;
  const m = buf.readUInt32BE(0);
  // Kuznetzov's and Nokia's modified pcap formats: same idea, different record headers.
  if (m === 0xa1b2cd34 || m === 0x34cdb2a1) return `unsupported modified-pcap format (magic ${magic})`;
  if (looksLikeText(buf, Math.min(end, 512))) return `not a capture file: unknown magic ${magic} at byte 0; it looks like text`;
  return `not a capture file: unknown magic ${magic} at byte 0 (expected a pcap or pcapng magic)`;
}

function looksLikeText(buf: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const c = buf[i];
    if (c === 9 || c === 10 || c === 13) continue;
    if (c < 32 || c === 127) return false;
  }
  return true;
}
