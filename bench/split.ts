// The bench capture cut into files of equal record counts, as a rotated capture set for the
// `--merge` row: each piece a classic pcap with the original's header. The names are the pieces'
// numbers scrambled, so name order is not time order. Cached next to the capture.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SplitSet {
  readonly dir: string;
  readonly files: number;
  readonly packets: number;
}

/** Piece k's name: k scrambled by a fixed permutation of the piece numbers. */
const pieceName = (k: number, pieces: number): string => `rot-${String((k * 7 + 3) % pieces).padStart(3, '0')}.pcap`;

/** Cuts `src` (little-endian classic pcap of `packets` records) into `pieces` files under `dir`. */
export function ensureSplit(src: string, packets: number, dir: string, pieces: number, version: number): SplitSet {
  const sidecar = `${dir}.json`;
  const srcSize = fs.statSync(src).size;
  try {
    const old = JSON.parse(fs.readFileSync(sidecar, 'utf8')) as SplitSet & { version: number; srcSize: number };
    if (old.version === version && old.srcSize === srcSize && old.files === pieces) return { dir, files: pieces, packets };
  } catch { /* none yet, or stale */ }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const per = Math.ceil(packets / pieces);
  const fd = fs.openSync(src, 'r');
  const header = Buffer.alloc(24);
  fs.readSync(fd, header, 0, 24, 0);
  let buf = Buffer.allocUnsafe(8 << 20);
  let pos = 24, start = 0, end = 0, eof = false;
  for (let k = 0; k < pieces; k++) {
    const out = fs.openSync(path.join(dir, pieceName(k, pieces)), 'w');
    fs.writeSync(out, header);
    for (let n = 0; n < per;) {
      if (end - start < 16 || end - start < 16 + buf.readUInt32LE(start + 8)) {
        if (eof) break;
        buf.copyWithin(0, start, end);
        end -= start; start = 0;
        if (end === buf.length) { const b = Buffer.allocUnsafe(buf.length * 2); buf.copy(b, 0, 0, end); buf = b; }
        const got = fs.readSync(fd, buf, end, buf.length - end, pos);
        pos += got; end += got;
        if (got === 0) eof = true;
        continue;
      }
      // Write whole records up to the piece's count in one go.
      let p = start;
      while (n < per && end - p >= 16 && end - p >= 16 + buf.readUInt32LE(p + 8)) { p += 16 + buf.readUInt32LE(p + 8); n++; }
      fs.writeSync(out, buf, start, p - start);
      start = p;
    }
    fs.closeSync(out);
  }
  fs.closeSync(fd);
  fs.writeFileSync(sidecar, `${JSON.stringify({ version, srcSize, files: pieces, packets })}\n`);
  return { dir, files: pieces, packets };
}
