// A prefix of a classic pcap made of its first whole records, for tools too slow or too memory
// hungry to run on the whole file (tshark keeps state for every frame). Cached next to the capture.
import * as fs from 'node:fs';

export interface Prefix {
  readonly file: string;
  readonly packets: number;
  readonly bytes: number;
}

/**
 * Writes to `file` the first records of `src` (little-endian classic pcap) that fit in `maxBytes`,
 * unless `file` already holds that prefix for `maxBytes` of a capture of generator `version`.
 */
export function ensurePrefix(src: string, file: string, version: number, maxBytes: number): Prefix {
  const sidecar = `${file}.json`;
  try {
    const old = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as Prefix & { version: number; maxBytes: number };
    if (old.version === version && old.maxBytes === maxBytes && fs.statSync(file).size === old.bytes) return { file, packets: old.packets, bytes: old.bytes };
  } catch { /* none yet, or stale */ }
  const fd = fs.openSync(src, 'r');
  const buf = Buffer.allocUnsafe(Math.min(maxBytes, fs.fstatSync(fd).size));
  const got = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  let end = 24, packets = 0;
  while (end + 16 <= got) {
    const next = end + 16 + buf.readUInt32LE(end + 8);
    if (next > got) break;
    end = next;
    packets++;
  }
  fs.writeFileSync(file, buf.subarray(0, end));
  fs.writeFileSync(sidecar, JSON.stringify({ version, maxBytes, packets, bytes: end }));
  return { file, packets, bytes: end };
}
