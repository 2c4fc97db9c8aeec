// Every TCP segment of an analysis written aside in a few numbers, for the HTML report's timelines
// (report/flow-marks.ts). Which flows the page will draw is known only when the analysis ends (a
// flow is listed when it retires, some for their fate alone), so nothing is chosen here: each
// segment is written aside in 16 bytes, its connection named once by a serial number (the engine's
// flow id, which the engine leaves in the record: decode/segment-record.ts FlowId), its frame and
// time as differences from the entry before; the first MEMORY_WORDS stay in memory, the rest go to
// an unlinked temporary file. The report reads back the segments of the flows it draws. Only
// `--format html` makes one; the other formats run without it.
import * as fs from 'node:fs';
import { META_FROM_B, META_NEW_FLOW, metaFlags, metaWords, SegmentWord } from '../decode/segment-record';
import { openSpillFile } from '../keepalive/report-store';

/** Takes a copy of the segment records the engine is given (pipeline/back.ts), after the engine. */
export interface SegmentTap {
  tcpBatch(rec: Int32Array, f64: Float64Array, from: number, to: number): void;
  /** Input ended; `firstRecord` is the capture's first record time (Nanos), which the report's times count from. */
  end(firstRecord: number): void;
}

/** Words of a segment entry and of a clock entry (every entry is a multiple of 4 words, so a clock's double is aligned). */
export const SEGMENT_WORDS = 4;
export const CLOCK_WORDS = 4;
/** Words of a connection entry: its key, from side A (the sender of its first segment). */
export const CONNECTION_WORDS = 12;
/** Word 0 of a clock entry. */
export const CLOCK_TAG = -0x80000000;

/**
 * Spill entries, Int32 words. A segment: [serial, seq, len | flags (FIN, SYN, RST) << 16 | fromB <<
 * 19 | frames since the entry before << 20, ns since the entry before (unsigned)]. A clock, at the
 * start of every piece and before a segment whose differences would not fit: [CLOCK_TAG, frame,
 * time (f64 Nanos)]; the segment after it differs by 0 frames and 0 ns. A connection, before its
 * first segment: [-1 - serial, key bits, ports of A (A's port << 16 | B's), tenant, A's address
 * words 0–3, B's 0–3].
 */
export const enum SpillWord {
  Serial = 0, Seq = 1, Bits = 2, Ns = 3,
  Frame = 1, Time = 2,
  KeyBits = 1, Ports = 2, Tenant = 3, A0 = 4, B0 = 8,
}
/** Most frames between two segment entries (12 bits). */
const MAX_FRAME_STEP = 0xfff;

const BUFFER_WORDS = 1 << 18; // 1 MiB
/**
 * This many words stay in memory (the 1 GiB bench capture's 2.8 M segments take 45 MB); the rest
 * go to the temporary file, whose writes cost the engine's thread about 2 ms per MB. Without a file
 * nothing past them is kept.
 */
const MEMORY_WORDS = 12 << 20; // 48 MiB

export class SegmentSpill implements SegmentTap {
  private arena: Int32Array;
  /** Where entries are gathered: the arena past what it holds, or past it a buffer for the file. */
  private buf: Int32Array;
  private bufF64: Float64Array;
  private used = 0;
  /** The frame and time the next segment entry counts from (-1: a clock entry comes first). */
  private lastFrame = -1;
  private lastTime = 0;
  private fd = -1;
  private fileFailed = false;
  private fileBytes = 0;
  /** The entries in order, piece by piece: kept in memory, or a piece's length in words in the file. */
  private readonly pieces: (Int32Array | number)[] = [];
  private memoryWords = 0;
  /** Past MEMORY_WORDS without a file: nothing more is kept. */
  private full = false;
  /** Segments not kept once full; the first of them's frame. */
  lost = 0;
  firstLostFrame = 0;
  /** The capture's first record time (Nanos), set by end(). */
  firstRecord = 0;
  segments = 0;

  private readonly bufferWords: number;

  /** Tests make the pieces small: `bufferWords`, entries gathered per piece; `memoryWords`, what stays in memory. */
  constructor(opts: { bufferWords?: number; memoryWords?: number } = {}) {
    this.bufferWords = opts.bufferWords ?? BUFFER_WORDS;
    // One allocation for all that stays in memory: its pages are only mapped as they are written,
    // and the collector is told of the external memory once, not at every piece.
    this.arena = new Int32Array(Math.max(opts.memoryWords ?? MEMORY_WORDS, this.bufferWords));
    this.buf = this.arena.subarray(0, this.bufferWords);
    this.bufF64 = new Float64Array(this.arena.buffer, 0, this.bufferWords >> 1);
  }

  /** The segments in words [from, to) of `rec`, after the engine marked each with its flow (EngineBack). */
  tcpBatch(rec: Int32Array, f64: Float64Array, from: number, to: number): void {
    for (let r = from; r < to; r += metaWords(rec[r + SegmentWord.Meta])) this.segment(rec, f64, r);
  }

  private segment(rec: Int32Array, f64: Float64Array, r: number): void {
    const meta = rec[r + SegmentWord.Meta], serial = rec[r + SegmentWord.FlowId];
    if ((meta & META_NEW_FLOW) !== 0) this.connection(rec, r, serial);
    const flags = metaFlags(meta), fromB = (meta & META_FROM_B) !== 0 ? 1 : 0; // FIN, SYN, RST are the flags' low 3 bits
    if (this.used + CLOCK_WORDS + SEGMENT_WORDS > this.bufferWords) this.flush();
    const frame = rec[r + SegmentWord.Frame] >>> 0;
    if (this.full) {
      if (this.lost++ === 0) this.firstLostFrame = frame;
      return;
    }
    const b = this.buf, time = f64[(r + SegmentWord.Rec) >> 1];
    let df = frame - this.lastFrame, dt = time - this.lastTime;
    if (this.lastFrame < 0 || df < 0 || df > MAX_FRAME_STEP || dt < 0 || dt > 0xffffffff) {
      const w = this.used;
      b[w] = CLOCK_TAG; b[w + SpillWord.Frame] = frame; this.bufF64[(w + SpillWord.Time) >> 1] = time;
      this.used = w + CLOCK_WORDS;
      df = 0; dt = 0;
    }
    this.lastFrame = frame; this.lastTime = time;
    const w = this.used;
    b[w + SpillWord.Serial] = serial;
    b[w + SpillWord.Seq] = rec[r + SegmentWord.Seq];
    b[w + SpillWord.Bits] = (rec[r + SegmentWord.PayloadLen] & 0xffff) | ((flags & 7) << 16) | (fromB << 19) | (df << 20);
    b[w + SpillWord.Ns] = dt;
    this.used = w + SEGMENT_WORDS;
    this.segments++;
  }

  /** A flow's first segment: its key, the sender as side A (as the engine's flow record has it), goes before it. */
  private connection(rec: Int32Array, r: number, serial: number): void {
    if (this.used + CONNECTION_WORDS > this.bufferWords) this.flush();
    if (this.full) return;
    const b = this.buf, w = this.used, bits = rec[r + SegmentWord.KeyBits], v6 = (bits & 0xf) === 6;
    b[w] = -1 - serial;
    b[w + SpillWord.KeyBits] = bits;
    b[w + SpillWord.Ports] = rec[r + SegmentWord.KeyPorts];
    b[w + SpillWord.Tenant] = bits >>> 28 !== 0 ? rec[r + SegmentWord.Tenant] : 0;
    b[w + SpillWord.A0] = rec[r + SegmentWord.Src0];
    b[w + SpillWord.B0] = rec[r + SegmentWord.Dst0];
    for (let j = 1; j < 4; j++) {
      b[w + SpillWord.A0 + j] = v6 ? rec[r + SegmentWord.Src1 + j - 1] : 0;
      b[w + SpillWord.B0 + j] = v6 ? rec[r + SegmentWord.Dst1 + j - 1] : 0;
    }
    this.used = w + CONNECTION_WORDS;
  }

  /** Keeps the buffer as a piece in memory, or past MEMORY_WORDS writes it to the temporary file. */
  private flush(): void {
    this.lastFrame = -1; // every piece starts with a clock
    if (this.used === 0) return;
    if (this.buf.buffer === this.arena.buffer) {
      this.pieces.push(this.buf.subarray(0, this.used));
      this.memoryWords += this.used;
      this.used = 0;
      if (this.memoryWords + this.bufferWords <= this.arena.length) {
        this.buf = this.arena.subarray(this.memoryWords, this.memoryWords + this.bufferWords);
        this.bufF64 = new Float64Array(this.arena.buffer, this.memoryWords * 4, this.bufferWords >> 1);
      } else {
        this.buf = new Int32Array(this.bufferWords);
        this.bufF64 = new Float64Array(this.buf.buffer);
      }
      return;
    }
    if (this.fd < 0 && !this.fileFailed) {
      this.fd = openSpillFile();
      if (this.fd < 0) this.fileFailed = true;
    }
    if (this.fd >= 0) {
      try {
        const bytes = new Uint8Array(this.buf.buffer, 0, this.used * 4);
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.fileBytes + done);
        this.fileBytes += bytes.length;
        this.pieces.push(this.used);
        this.used = 0;
        return;
      } catch {
        this.fileFailed = true;
      }
    }
    this.full = true;
    this.used = 0;
  }

  end(firstRecord: number): void {
    this.firstRecord = firstRecord;
    this.flush();
  }

  /** The entries in the order they were written, piece by piece (each starts with a clock and ends on an entry). */
  *read(): Iterable<Int32Array> {
    let pos = 0;
    let buf: Int32Array | null = null;
    for (const piece of this.pieces) {
      if (typeof piece !== 'number') { yield piece; continue; }
      if (buf === null || piece > buf.length) buf = new Int32Array(Math.max(piece, this.bufferWords));
      const bytes = new Uint8Array(buf.buffer, 0, piece * 4);
      let done = 0;
      while (done < bytes.length) {
        const n = fs.readSync(this.fd, bytes, done, bytes.length - done, pos + done);
        if (n === 0) throw new Error('the HTML report\'s temporary segment file ended early');
        done += n;
      }
      pos += bytes.length;
      yield buf.subarray(0, piece);
    }
  }

  /** Frees the memory and the temporary file. */
  dispose(): void {
    if (this.fd >= 0) { try { fs.closeSync(this.fd); } catch { /* already gone */ } this.fd = -1; }
    this.pieces.length = 0;
    this.arena = new Int32Array(0);
  }
}
