// Every TCP segment of an analysis written aside in a few numbers, for the HTML report's timelines
// (report/flow-marks.ts). Which flows the page will draw is known only when the analysis ends (a
// flow is listed when it retires, some for their fate alone), so nothing is chosen here: each
// segment goes to an unlinked temporary file, 24 bytes, with its connection named once by a small
// serial number; the report reads back the segments of the flows it draws. Only `--format html`
// makes one; the other formats run without it.
import * as fs from 'node:fs';
import { TcpFlag } from '../decode/packet';
import { metaFlags, metaWords, SegmentWord } from '../decode/segment-record';
import { openSpillFile } from '../keepalive/report-store';

/** Takes a copy of the segment records the engine is given (pipeline/back.ts), after the engine. */
export interface SegmentTap {
  tcpBatch(rec: Int32Array, f64: Float64Array, from: number, to: number): void;
  /** Input ended; `firstRecord` is the capture's first record time (Nanos), which the report's times count from. */
  end(firstRecord: number): void;
}

/** Words of a segment entry; its time (a double) is at words 2–3, so entries keep 8-byte alignment. */
export const SEGMENT_WORDS = 6;
/** Words of a connection entry: its key, from side A (the sender of its first segment). */
export const CONNECTION_WORDS = 12;

/**
 * Spill entries, Int32 words. A segment: [serial, frame, time (f64 Nanos), seq, len | flags << 16 |
 * fromB << 24]. A connection, written before its first segment: [-1 - serial, key bits, ports of A
 * (A's port << 16 | B's), tenant, A's address words 0–3, B's 0–3].
 */
export const enum SpillWord {
  Serial = 0, Frame = 1, Time = 2, Seq = 4, Bits = 5,
  KeyBits = 1, Ports = 2, Tenant = 3, A0 = 4, B0 = 8,
}

/**
 * Connection table entry words: the key as in a connection entry (without its tag), the serial,
 * the hash (-1: empty) and the last segment's time (a double at words 14–15). 16 words: one cache line.
 */
const enum Entry { KeyBits = 0, Ports = 1, Tenant = 2, A0 = 3, B0 = 7, Serial = 11, Hash = 12, Closed = 13, Last = 14, Words = 16 }

/** Entry.Closed: a RST was seen, or a FIN from each side (such a connection is dropped at the next rebuild). */
const RST_SEEN = 1, FIN_A = 2, FIN_B = 4;

const BUFFER_WORDS = 1 << 18; // 1 MiB
/** Without a temporary file, at most this many words stay in memory; later segments are not kept. */
const MEMORY_WORDS = 1 << 24; // 64 MiB

export class SegmentSpill implements SegmentTap {
  private buf = new Int32Array(BUFFER_WORDS);
  private bufF64 = new Float64Array(this.buf.buffer);
  private used = 0;
  private fd = -1;
  private fileFailed = false;
  /** Entries written to the file, as the lengths (in words) of the pieces written, in order. */
  private readonly pieces: number[] = [];
  /** Pieces kept in memory when no file could be written. */
  private readonly memory: Int32Array[] = [];
  private memoryWords = 0;
  /** No file, and MEMORY_WORDS are kept: nothing more is. */
  private full = false;
  /** Segments not kept once full; the first of them's frame. */
  lost = 0;
  firstLostFrame = 0;
  /** The capture's first record time (Nanos), set by end(). */
  firstRecord = 0;
  segments = 0;

  // Open connections, by the flow key's symmetric hash (open addressing, linear probing).
  private cap = 1024;
  private keys = emptyTable(this.cap);
  private keysF64 = new Float64Array(this.keys.buffer);
  private count = 0;
  /** Sum of words read ahead of a batch (kept so the reads are not optimized away). */
  private touched = 0;
  private serials = 0;

  /** `idleNs`: a connection silent this long is forgotten (it gets a new serial if it comes back). */
  constructor(private readonly idleNs: number) {}

  tcpBatch(rec: Int32Array, f64: Float64Array, from: number, to: number): void {
    // Each segment's table entry is touched first, all before any is used, so that their cache
    // misses overlap (as the engine's FlowTable.prefetch).
    const keys = this.keys, mask = this.cap - 1;
    let sum = 0;
    for (let r = from; r < to; r += metaWords(rec[r + SegmentWord.Meta])) sum += keys[(rec[r + SegmentWord.KeyHash] & mask) * Entry.Words + Entry.Hash];
    this.touched = sum;
    for (let r = from; r < to; r += metaWords(rec[r + SegmentWord.Meta])) this.segment(rec, f64, r);
  }

  private segment(rec: Int32Array, f64: Float64Array, r: number): void {
    const now = f64[(r + SegmentWord.Clock) >> 1];
    let e = this.find(rec, r);
    let fromB = 0;
    if (e < 0) e = this.add(rec, r, now);
    else fromB = this.fromB;
    this.keysF64[(e * Entry.Words + Entry.Last) >> 1] = now;
    const flags = metaFlags(rec[r + SegmentWord.Meta]);
    if ((flags & (TcpFlag.RST | TcpFlag.FIN)) !== 0) {
      this.keys[e * Entry.Words + Entry.Closed] |= (flags & TcpFlag.RST) !== 0 ? RST_SEEN : fromB !== 0 ? FIN_B : FIN_A;
    }
    if (this.used + SEGMENT_WORDS > BUFFER_WORDS) this.flush();
    if (this.full) {
      if (this.lost++ === 0) this.firstLostFrame = rec[r + SegmentWord.Frame] >>> 0;
      return;
    }
    const b = this.buf, w = this.used;
    b[w + SpillWord.Serial] = this.keys[e * Entry.Words + Entry.Serial];
    b[w + SpillWord.Frame] = rec[r + SegmentWord.Frame];
    this.bufF64[(w + SpillWord.Time) >> 1] = f64[(r + SegmentWord.Rec) >> 1];
    b[w + SpillWord.Seq] = rec[r + SegmentWord.Seq];
    b[w + SpillWord.Bits] = (rec[r + SegmentWord.PayloadLen] & 0xffff) | (metaFlags(rec[r + SegmentWord.Meta]) << 16) | (fromB << 24);
    this.used = w + SEGMENT_WORDS;
    this.segments++;
  }

  /** Set by find(): the segment was sent by side B of the connection found. */
  private fromB = 0;

  private find(rec: Int32Array, r: number): number {
    const h = rec[r + SegmentWord.KeyHash], mask = this.cap - 1, keys = this.keys;
    const bits = rec[r + SegmentWord.KeyBits], ports = rec[r + SegmentWord.KeyPorts];
    const reverse = (ports << 16) | (ports >>> 16);
    const v6 = (bits & 0xf) === 6, tenant = bits >>> 28 !== 0 ? rec[r + SegmentWord.Tenant] : 0;
    for (let i = h & mask; keys[i * Entry.Words + Entry.Hash] !== -1; i = (i + 1) & mask) {
      const k = i * Entry.Words;
      if (keys[k + Entry.Hash] !== h) continue;
      if (keys[k + Entry.KeyBits] !== bits || keys[k + Entry.Tenant] !== tenant) continue;
      const src0 = rec[r + SegmentWord.Src0], dst0 = rec[r + SegmentWord.Dst0];
      if (keys[k + Entry.Ports] === ports && keys[k + Entry.A0] === src0 && keys[k + Entry.B0] === dst0 &&
        (!v6 || sameV6(keys, k + Entry.A0, rec, r + SegmentWord.Src1) && sameV6(keys, k + Entry.B0, rec, r + SegmentWord.Dst1))) {
        this.fromB = 0;
        return i;
      }
      if (keys[k + Entry.Ports] === reverse && keys[k + Entry.A0] === dst0 && keys[k + Entry.B0] === src0 &&
        (!v6 || sameV6(keys, k + Entry.A0, rec, r + SegmentWord.Dst1) && sameV6(keys, k + Entry.B0, rec, r + SegmentWord.Src1))) {
        this.fromB = 1;
        return i;
      }
    }
    return -1;
  }

  /** A new connection, its sender side A; its entry goes to the spill before its first segment. */
  private add(rec: Int32Array, r: number, now: number): number {
    if ((this.count + 1) * 2 > this.cap) this.rebuild(now);
    const mask = this.cap - 1, h = rec[r + SegmentWord.KeyHash];
    const keys = this.keys;
    let i = h & mask;
    while (keys[i * Entry.Words + Entry.Hash] !== -1) i = (i + 1) & mask;
    const k = i * Entry.Words, bits = rec[r + SegmentWord.KeyBits];
    keys[k + Entry.Hash] = h;
    keys[k + Entry.KeyBits] = bits;
    keys[k + Entry.Ports] = rec[r + SegmentWord.KeyPorts];
    keys[k + Entry.Tenant] = bits >>> 28 !== 0 ? rec[r + SegmentWord.Tenant] : 0;
    keys[k + Entry.A0] = rec[r + SegmentWord.Src0];
    keys[k + Entry.B0] = rec[r + SegmentWord.Dst0];
    for (let j = 1; j < 4; j++) {
      const v6 = (bits & 0xf) === 6;
      keys[k + Entry.A0 + j] = v6 ? rec[r + SegmentWord.Src1 + j - 1] : 0;
      keys[k + Entry.B0 + j] = v6 ? rec[r + SegmentWord.Dst1 + j - 1] : 0;
    }
    const serial = this.serials++;
    keys[k + Entry.Serial] = serial;
    keys[k + Entry.Closed] = 0;
    this.count++;
    this.fromB = 0;
    if (this.used + CONNECTION_WORDS > BUFFER_WORDS) this.flush();
    if (!this.full) {
      const b = this.buf, w = this.used;
      b[w] = -1 - serial;
      for (let j = 0; j < Entry.Serial; j++) b[w + 1 + j] = keys[k + j];
      this.used = w + CONNECTION_WORDS;
    }
    return i;
  }

  /**
   * Drops connections closed or silent for idleNs (a later segment of one starts a new serial: the
   * report matches flows by key and frames, not serials), and grows the table when most of it is
   * still in use.
   */
  private rebuild(now: number): void {
    const oldCap = this.cap, old = this.keys, oldF64 = this.keysF64;
    const alive = (i: number): boolean => {
      const closed = old[i * Entry.Words + Entry.Closed];
      return old[i * Entry.Words + Entry.Hash] !== -1 && (closed & RST_SEEN) === 0 && closed !== (FIN_A | FIN_B) &&
        now - oldF64[(i * Entry.Words + Entry.Last) >> 1] < this.idleNs;
    };
    let live = 0;
    for (let i = 0; i < oldCap; i++) if (alive(i)) live++;
    let cap = 1024;
    while (cap < live * 3) cap *= 2;
    const keys = emptyTable(cap);
    this.cap = cap;
    this.keys = keys;
    this.keysF64 = new Float64Array(keys.buffer);
    this.count = live;
    const mask = cap - 1;
    for (let i = 0; i < oldCap; i++) {
      if (!alive(i)) continue;
      let j = old[i * Entry.Words + Entry.Hash] & mask;
      while (keys[j * Entry.Words + Entry.Hash] !== -1) j = (j + 1) & mask;
      for (let w = 0; w < Entry.Words; w++) keys[j * Entry.Words + w] = old[i * Entry.Words + w];
    }
  }

  /** Writes the buffer to the temporary file (or keeps it in memory without one). */
  private flush(): void {
    if (this.used === 0) return;
    if (this.fd < 0 && !this.fileFailed) {
      this.fd = openSpillFile();
      if (this.fd < 0) this.fileFailed = true;
    }
    if (this.fd >= 0) {
      try {
        const bytes = new Uint8Array(this.buf.buffer, 0, this.used * 4);
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, null);
        this.pieces.push(this.used);
        this.used = 0;
        return;
      } catch {
        fs.closeSync(this.fd);
        this.fd = -1;
        this.fileFailed = true;
        // What was written is lost with the file: keep the segments from here on only.
        this.pieces.length = 0;
      }
    }
    if (this.memoryWords + this.used > MEMORY_WORDS) {
      this.full = true;
      this.used = 0;
      return;
    }
    this.memory.push(this.buf.slice(0, this.used));
    this.memoryWords += this.used;
    this.used = 0;
  }

  end(firstRecord: number): void {
    this.firstRecord = firstRecord;
    this.flush();
    // The connection table is not needed any more.
    this.keys = emptyTable(1); this.keysF64 = new Float64Array(this.keys.buffer); this.cap = 1;
  }

  /** The entries in the order they were written, piece by piece (each piece ends on an entry). */
  *read(): Iterable<Int32Array> {
    if (this.fd >= 0) {
      let pos = 0;
      let buf = new Int32Array(BUFFER_WORDS);
      for (const words of this.pieces) {
        if (words > buf.length) buf = new Int32Array(words);
        const bytes = new Uint8Array(buf.buffer, 0, words * 4);
        let done = 0;
        while (done < bytes.length) {
          const n = fs.readSync(this.fd, bytes, done, bytes.length - done, pos + done);
          if (n === 0) throw new Error('the HTML report\'s temporary segment file ended early');
          done += n;
        }
        pos += bytes.length;
        yield buf.subarray(0, words);
      }
    }
    yield* this.memory;
  }

  /** Frees the temporary file. */
  dispose(): void {
    if (this.fd >= 0) { try { fs.closeSync(this.fd); } catch { /* already gone */ } this.fd = -1; }
    this.memory.length = 0;
  }
}

/** A connection table of `cap` empty entries. */
function emptyTable(cap: number): Int32Array {
  const keys = new Int32Array(cap * Entry.Words);
  for (let i = 0; i < cap; i++) keys[i * Entry.Words + Entry.Hash] = -1;
  return keys;
}

function sameV6(keys: Int32Array, k: number, rec: Int32Array, r: number): boolean {
  return keys[k + 1] === rec[r] && keys[k + 2] === rec[r + 1] && keys[k + 3] === rec[r + 2];
}
