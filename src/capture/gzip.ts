// gzip input (RFC 1952): members one after another, each a header, raw deflate data and a trailer
// (CRC-32 and length), read here rather than by zlib's gunzip, which on a failure drops the output
// of its last inflate call (a bad CRC lost the last 64 KiB of a file) and stops without a word at
// zero bytes after a member. Zero padding between and after members (tape and block devices write
// it) is skipped, as gzip(1) does; anything else after a member is damage. On damage everything
// decompressed before it is delivered first, then the error.
import * as zlib from 'node:zlib';
import type { ByteSource } from './source';

/** Compressed bytes fed to zlib per write: bounds what one write can expand to (~1000:1 at most). */
const FEED = 16 * 1024;
/** Longest header accepted (file name and comment included): no real writer comes near it. */
const MAX_HEADER = 1 << 20;
/**
 * A pipe cannot be read again: the compressed bytes of a member are kept up to this size, so that
 * damage in a member of up to 8 MiB loses nothing from standard input either.
 */
const KEEP_FOR_RECOVERY = 8 << 20;

const FHCRC = 0x02, FEXTRA = 0x04, FNAME = 0x08, FCOMMENT = 0x10, FRESERVED = 0xe0;

/** A source that can read its bytes again from a position: a regular file, not a pipe. */
export interface Rereadable {
  readonly seekable: boolean;
  readAt(buf: Buffer, off: number, len: number, position: number): number;
}

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Damage found by this reader (not zlib's own errors, which keep their code). */
class GzipDamage extends Error {}

type State = 'header' | 'deflate' | 'trailer' | 'between' | 'done';

export class GzipMembers implements ByteSource {
  /** Compressed bytes: inBuf[pos, end) are unread; inBuf[0] is compressed byte `base`. */
  private inBuf: Buffer;
  private pos = 0;
  private end: number;
  private base = 0;
  private rawEof = false;

  private state: State = 'header';
  private member = 0;
  /** Compressed offset where the current member's deflate data starts. */
  private deflateStart = 0;
  private gz: zlib.InflateRaw | null = null;
  private written = 0;
  private inflateEnded = false;
  private crc = 0;
  private size = 0;
  /** The current member's compressed bytes so far, from a source that cannot be read again; null past KEEP_FOR_RECOVERY. */
  private kept: Buffer[] | null = null;
  private keptBytes = 0;

  private readonly queue: Buffer[] = [];
  private chunk: Buffer | null = null;
  private chunkOff = 0;
  private failure: Error | null = null;

  constructor(first: Buffer, private readonly raw: ByteSource & Partial<Rereadable>) {
    this.inBuf = Buffer.allocUnsafe(Math.max(4 * FEED, first.length));
    first.copy(this.inBuf);
    this.end = first.length;
  }

  async read(buf: Buffer, off: number, len: number): Promise<number> {
    for (;;) {
      if (this.chunk !== null) {
        const c = this.chunk;
        const n = c.copy(buf, off, this.chunkOff, Math.min(c.length, this.chunkOff + len));
        this.chunkOff += n;
        if (this.chunkOff >= c.length) this.chunk = null;
        return n;
      }
      const next = this.queue.shift();
      if (next !== undefined) { this.chunk = next; this.chunkOff = 0; continue; }
      if (this.failure !== null) throw this.failure;
      if (this.state === 'done') return 0;
      try {
        await this.step();
      } catch (e) {
        this.failure = e as Error;
        this.state = 'done';
        this.gz?.destroy();
      }
    }
  }

  close(): void { this.gz?.destroy(); this.raw.close(); }

  private async step(): Promise<void> {
    switch (this.state) {
      case 'header': return this.header();
      case 'deflate': return this.inflate();
      case 'trailer': return this.trailer();
      case 'between': return this.between();
      case 'done': return;
    }
  }

  /** True when at least `n` unread compressed bytes are buffered; false when the input ends first. */
  private async ensure(n: number): Promise<boolean> {
    while (this.end - this.pos < n) {
      if (this.rawEof) return false;
      if (this.pos + n > this.inBuf.length) {
        const have = this.end - this.pos;
        const target = n > this.inBuf.length ? Buffer.allocUnsafe(Math.max(n, 2 * this.inBuf.length)) : this.inBuf;
        this.inBuf.copy(target, 0, this.pos, this.end);
        this.inBuf = target;
        this.base += this.pos;
        this.pos = 0;
        this.end = have;
      }
      const r = this.raw.read(this.inBuf, this.end, this.inBuf.length - this.end);
      const got = typeof r === 'number' ? r : await r;
      if (got === 0) this.rawEof = true; else this.end += got;
    }
    return true;
  }

  private at(): number { return this.base + this.pos; }

  private async header(): Promise<void> {
    const start = this.at();
    this.member++;
    const where = `gzip member ${this.member} at compressed byte ${start}`;
    if (!(await this.ensure(10))) throw new GzipDamage(`truncated gzip data: ${where} has ${this.end - this.pos} of its 10 header bytes`);
    const b = this.inBuf, p = this.pos;
    if (b[p] !== 0x1f || b[p + 1] !== 0x8b) throw new GzipDamage(`corrupt gzip data: ${where} does not start with the gzip magic 1f 8b`);
    if (b[p + 2] !== 8) throw new GzipDamage(`corrupt gzip data: ${where} names compression method ${b[p + 2]}, not 8 (deflate)`);
    const flags = b[p + 3];
    if (flags & FRESERVED) throw new GzipDamage(`corrupt gzip data: ${where} sets reserved header flags (0x${flags.toString(16)})`);
    let h = 10;
    const need = async (n: number): Promise<void> => {
      if (n > MAX_HEADER) throw new GzipDamage(`corrupt gzip data: ${where} has a header longer than ${MAX_HEADER} bytes`);
      if (!(await this.ensure(n))) throw new GzipDamage(`truncated gzip data: ${where} ends inside its header`);
    };
    if (flags & FEXTRA) {
      await need(h + 2);
      h += 2 + this.inBuf.readUInt16LE(this.pos + h);
      await need(h);
    }
    for (const flag of [FNAME, FCOMMENT]) {
      if ((flags & flag) === 0) continue;
      for (;;) { await need(h + 1); if (this.inBuf[this.pos + h++] === 0) break; }
    }
    if (flags & FHCRC) {
      await need(h + 2);
      const stored = this.inBuf.readUInt16LE(this.pos + h);
      const computed = crc32(this.inBuf.subarray(this.pos, this.pos + h), 0) & 0xffff;
      if (stored !== computed) throw new GzipDamage(`corrupt gzip data: ${where} has header CRC 0x${stored.toString(16)}, computed 0x${computed.toString(16)}`);
      h += 2;
    }
    this.pos += h;
    this.deflateStart = this.at();
    this.startInflate();
    this.state = 'deflate';
  }

  private startInflate(): void {
    const gz = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
    this.gz = gz; this.written = 0; this.inflateEnded = false; this.crc = 0; this.size = 0;
    this.kept = this.raw.seekable === true ? null : [];
    this.keptBytes = 0;
    gz.on('data', (c: Buffer) => { this.queue.push(c); this.crc = crc32(c, this.crc); this.size += c.length; });
    gz.on('end', () => { this.inflateEnded = true; });
    gz.on('error', () => { /* seen through the write below */ });
  }

  private async inflate(): Promise<void> {
    const gz = this.gz as zlib.InflateRaw;
    if (this.inflateEnded) { this.state = 'trailer'; return; }
    if (!(await this.ensure(1))) {
      // Z_SYNC_FLUSH hands out what the data so far decodes to; ending a truncated stream would fail and drop it.
      await new Promise<void>((r) => gz.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
      await new Promise<void>((r) => setImmediate(r));
      throw new GzipDamage(`truncated gzip data: the input ends inside gzip member ${this.member}'s compressed data (compressed byte ${this.at()})`);
    }
    const pieceStart = this.at();
    const piece = this.inBuf.subarray(this.pos, Math.min(this.end, this.pos + FEED));
    const err = await writeAndWait(gz, piece);
    if (err !== null) {
      await this.recover(pieceStart, piece);
      throw err;
    }
    if (this.kept !== null) {
      if (this.keptBytes + piece.length > KEEP_FOR_RECOVERY) this.kept = null;
      else { this.kept.push(Buffer.from(piece)); this.keptBytes += piece.length; }
    }
    // The stream's 'end' (deflate's final block) arrives on a later tick than the write's callback.
    await new Promise<void>((r) => setImmediate(r));
    // zlib consumed only up to the end of the deflate data when the member ended inside this piece.
    this.written += piece.length;
    const consumed = this.inflateEnded ? gz.bytesWritten - (this.written - piece.length) : piece.length;
    this.pos += consumed;
    if (this.inflateEnded) this.state = 'trailer';
  }

  /**
   * zlib failed inside `piece`, and the output of its failing call is lost with it. The member is
   * decompressed again up to the piece (from the file, or from the bytes kept of a pipe), then the
   * piece byte by byte, so everything up to the bad byte is delivered. A pipe's member larger than
   * KEEP_FOR_RECOVERY cannot be: there up to one call's output (64 KiB) is lost.
   */
  private async recover(pieceStart: number, piece: Buffer): Promise<void> {
    const before = this.compressedBefore(pieceStart);
    if (before === null) return;
    const delivered = this.size;
    let produced = 0;
    const again = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
    again.on('data', (c: Buffer) => {
      const skip = Math.min(c.length, Math.max(0, delivered - produced));
      produced += c.length;
      if (skip < c.length) { const rest = c.subarray(skip); this.queue.push(rest); this.size += rest.length; }
    });
    again.on('error', () => { /* the failure is the first stream's */ });
    try {
      for (const b of before) if ((await writeAndWait(again, b)) !== null) return;
      const one = Buffer.from(piece);
      for (let i = 0; i < one.length; i++) {
        if ((await writeAndWait(again, one.subarray(i, i + 1))) !== null) return;
      }
    } catch { /* reading again is a best effort: the original failure is reported either way */ } finally {
      again.destroy();
    }
  }

  /** The member's compressed bytes from its deflate data up to `to`, or null when they are gone. */
  private compressedBefore(to: number): Iterable<Buffer> | null {
    if (this.kept !== null) return this.kept;
    const raw = this.raw;
    if (raw.seekable !== true || raw.readAt === undefined) return null;
    const from = this.deflateStart;
    return (function* (): Generator<Buffer> {
      for (let at = from; at < to;) {
        const b = Buffer.allocUnsafe(Math.min(4 * FEED, to - at));
        const n = (raw.readAt as Rereadable['readAt'])(b, 0, b.length, at);
        if (n === 0) return;
        yield b.subarray(0, n);
        at += n;
      }
    })();
  }

  private async trailer(): Promise<void> {
    const where = `gzip member ${this.member}`;
    if (!(await this.ensure(8))) throw new GzipDamage(`truncated gzip data: the input ends inside ${where}'s 8-byte trailer (compressed byte ${this.at()})`);
    const storedCrc = this.inBuf.readUInt32LE(this.pos), storedSize = this.inBuf.readUInt32LE(this.pos + 4);
    const at = this.at();
    this.pos += 8;
    this.gz?.destroy();
    this.gz = null;
    if (storedCrc !== this.crc >>> 0) {
      throw new GzipDamage(`corrupt gzip data: ${where}'s data has CRC-32 ${hex32(this.crc)}, its trailer (compressed byte ${at}) says ${hex32(storedCrc)}`);
    }
    if (storedSize !== this.size % 2 ** 32) {
      throw new GzipDamage(`corrupt gzip data: ${where} decompressed to ${this.size} bytes, its trailer (compressed byte ${at}) says ${storedSize} (mod 2^32)`);
    }
    this.state = 'between';
  }

  /** After a member: zero padding is skipped; then the input ends or the next member starts. */
  private async between(): Promise<void> {
    for (;;) {
      if (!(await this.ensure(1))) { this.state = 'done'; return; }
      while (this.pos < this.end && this.inBuf[this.pos] === 0) this.pos++;
      if (this.pos < this.end) break;
    }
    const at = this.at();
    const ok = (await this.ensure(2)) && this.inBuf[this.pos] === 0x1f && this.inBuf[this.pos + 1] === 0x8b;
    if (!ok) {
      throw new GzipDamage(`corrupt gzip data: after gzip member ${this.member}, compressed byte ${at} (0x${this.inBuf[this.pos].toString(16).padStart(2, '0')}) starts neither another member nor zero padding`);
    }
    this.state = 'header';
  }
}

/** Writes `data` and waits until zlib has taken it; the stream's error, or null. */
function writeAndWait(gz: zlib.InflateRaw, data: Buffer): Promise<Error | null> {
  return new Promise((resolve) => {
    let settled = false;
    const onError = (e: Error): void => { if (!settled) { settled = true; resolve(e); } };
    gz.once('error', onError);
    gz.write(data, (e) => {
      gz.removeListener('error', onError);
      if (!settled) { settled = true; resolve(e ?? null); }
    });
  });
}

/** CRC-32 (ISO 3309) as gzip stores it, continuing from `crc`. */
export function crc32(data: Uint8Array, crc: number): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(data, crc);
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// For Node 20 releases before zlib.crc32 (20.15).
const CRC_TABLE = ((): Int32Array => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
