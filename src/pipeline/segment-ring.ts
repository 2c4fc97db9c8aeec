// Decoded segments handed from the decode worker to the engine's thread: a ring of chunks in one
// SharedArrayBuffer, each chunk CHUNK_WORDS Int32 words of records. A chunk is Empty (the writer may
// fill it) or Full (COUNT words of records for the reader; COUNT 0 ends the input). Each side waits
// on the one state word it needs to change. Segments are the engine's own records
// (decode/segment-record.ts), so the engine reads them where the worker wrote them; ICMP errors
// about TCP, which are rare, take two slots in the layout below.
import type { DecodedPacket } from '../decode/packet';
import { KIND_ICMP_ERROR, makeMeta, SegmentWord, SLOT_WORDS } from '../decode/segment-record';
import type { RecordsInPlace, SegmentSink } from './segment-sink';

/** Record slots per chunk (64 KiB). */
export const SLOTS = 1024;
export const CHUNK_WORDS = SLOTS * SLOT_WORDS;
/**
 * 4 MiB in all. The engine's thread is the slower side, but the worker has its own hiccups (a
 * read, a collection), which 64 chunks absorb where 16 did not (bench/README.md).
 */
export const CHUNKS = 64;

export const enum Chunk { Empty = 0, Full = 1 }

/**
 * Word offsets of an ICMP error record (two slots; Meta, Frame, Clock and Rec as in a segment).
 * Src and Dst hold the quoted segment's address bytes (4 or 16).
 */
const enum IcmpWord {
  IcmpType = 4, IcmpCode = 5, QuotedIpVersion = 6, QuotedSrcPort = 7, QuotedDstPort = 8, QuotedSeq = 9,
  VlanOuter = 10, VlanInner = 11,
  /** The tunnel of the ICMP packet (DecodedPacket.tenantKind, tenantId). */
  TenantKind = 13, TenantId = 24,
  /** The timestamp digits the writer's analysis had at the error. */
  Digits = 12,
  Src = 16, Dst = 20,
}

/**
 * Control words: chunk states, chunk counts, then doubles: progress (bytes, total or -1, frames,
 * updates) and the writer's clock base (epoch second, first record time), set before any chunk.
 */
const STATE = 0, COUNT = CHUNKS, CTL_WORDS = 2 * CHUNKS + 12;

/** Atomics.waitAsync (Node 16+), which TypeScript's ES2022 library does not declare. */
interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}

export class SegmentRing {
  readonly ctl: Int32Array;
  readonly progress: Float64Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Buffer;

  constructor(readonly sab = new SharedArrayBuffer(CTL_WORDS * 4 + CHUNKS * CHUNK_WORDS * 4)) {
    this.ctl = new Int32Array(sab, 0, 2 * CHUNKS);
    this.progress = new Float64Array(sab, 2 * CHUNKS * 4, 6);
    const off = CTL_WORDS * 4, words = CHUNKS * CHUNK_WORDS;
    this.i32 = new Int32Array(sab, off, words);
    this.f64 = new Float64Array(sab, off, words / 2);
    this.bytes = Buffer.from(sab, off, words * 4);
  }

  state(chunk: number): number { return Atomics.load(this.ctl, STATE + chunk); }
  count(chunk: number): number { return this.ctl[COUNT + chunk]; }

  publish(chunk: number, count: number): void {
    this.ctl[COUNT + chunk] = count;
    Atomics.store(this.ctl, STATE + chunk, Chunk.Full);
    Atomics.notify(this.ctl, STATE + chunk);
  }

  release(chunk: number): void {
    Atomics.store(this.ctl, STATE + chunk, Chunk.Empty);
    Atomics.notify(this.ctl, STATE + chunk);
  }

  /**
   * The writer's wait for a chunk to be handed back. When it must wait at all (the engine is the
   * slower side), it waits until half the ring is free: the reader hands chunks back in order, so
   * once the chunk half a ring ahead is empty, all before it are. One wake-up per half ring, not
   * one per chunk, each costing both threads a futex call and the worker a reschedule.
   */
  waitEmpty(chunk: number): void {
    if (this.state(chunk) === Chunk.Empty) return;
    const ahead = (chunk + CHUNKS / 2 - 1) % CHUNKS;
    while (this.state(ahead) !== Chunk.Empty) Atomics.wait(this.ctl, STATE + ahead, Chunk.Full);
  }

  /** The reader's wait for a chunk to fill: async, so the event loop sees the worker fail. */
  async waitFull(chunk: number, timeoutMs: number): Promise<void> {
    const w = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.ctl, STATE + chunk, Chunk.Empty, timeoutMs);
    if (w.async) await w.value;
  }
}

/** What the writer passes on of the analysis that feeds it. */
export interface ClockSource {
  readonly epochSecond: number;
  readonly firstRecord: number;
  readonly digits: number;
}

/** The worker's side: a SegmentSink whose batches are written into the ring (in place) instead of analyzed. */
export class RingWriter implements SegmentSink {
  readonly time = new Float64Array(2);
  private chunk = 0;
  /** Words of the current chunk filled so far. */
  private used = 0;
  /** The analysis feeding this writer, set right after it is made. */
  source: ClockSource | null = null;
  /** Runs before each chunk is handed over (a merge posts where the chunk's frames came from). */
  beforePublish: (() => void) | null = null;

  /** The decoding side writes its batches into the ring where reserve() says (DecodingFront.packet, pipeline/front.ts). */
  readonly inPlace: RecordsInPlace;

  constructor(private readonly ring: SegmentRing) {
    this.inPlace = { i32: ring.i32, f64: ring.f64, reserve: (words) => this.reserve(words) };
  }

  /** The word where a batch of at most `words` can go, in the current chunk or the next. */
  private reserve(words: number): number {
    // A batch never straddles two chunks: the reader replays it whole, with the digits at its end.
    if (this.used + words > CHUNK_WORDS) this.publish();
    return this.chunk * CHUNK_WORDS + this.used;
  }

  /** The batch in words [from, to) was written in place, at the word reserve() gave: it is counted in. */
  tcpBatch(_rec: Int32Array, _f64: Float64Array, from: number, to: number): void {
    this.used += to - from;
  }

  icmpError(frame: number, p: DecodedPacket): void {
    const r = this.next(2 * SLOT_WORDS);
    const i32 = this.ring.i32;
    i32[r + SegmentWord.Meta] = makeMeta(KIND_ICMP_ERROR, 2 * SLOT_WORDS);
    i32[r + SegmentWord.Frame] = frame;
    this.ring.f64[(r + SegmentWord.Clock) >> 1] = this.time[0];
    this.ring.f64[(r + SegmentWord.Rec) >> 1] = this.time[1];
    i32[r + IcmpWord.VlanOuter] = p.vlanOuter; i32[r + IcmpWord.VlanInner] = p.vlanInner;
    i32[r + IcmpWord.TenantKind] = p.tenantKind; i32[r + IcmpWord.TenantId] = p.tenantId;
    i32[r + IcmpWord.IcmpType] = p.icmpType; i32[r + IcmpWord.IcmpCode] = p.icmpCode;
    i32[r + IcmpWord.QuotedIpVersion] = p.quotedIpVersion; i32[r + IcmpWord.QuotedSrcPort] = p.quotedSrcPort;
    i32[r + IcmpWord.QuotedDstPort] = p.quotedDstPort; i32[r + IcmpWord.QuotedSeq] = p.quotedSeq | 0;
    const len = p.quotedIpVersion === 6 ? 16 : 4;
    copyBytes(p.buf, p.quotedSrcOff, this.ring.bytes, (r + IcmpWord.Src) * 4, len);
    copyBytes(p.buf, p.quotedDstOff, this.ring.bytes, (r + IcmpWord.Dst) * 4, len);
    i32[r + IcmpWord.Digits] = (this.source as ClockSource).digits;
  }

  progress(bytes: number, total: number | null, frames: number): void {
    const pr = this.ring.progress;
    pr[0] = bytes; pr[1] = total ?? -1; pr[2] = frames; pr[3]++;
  }

  /** Hands over the last records and the end mark. */
  end(): void {
    if (this.used > 0) this.publish();
    this.ring.publish(this.chunk, 0);
  }

  /** The word index of room for a record of `words`, waiting for the reader when the ring is full. */
  private next(words: number): number {
    const r = this.reserve(words);
    this.used += words;
    return r;
  }

  private publish(): void {
    this.beforePublish?.();
    const src = this.source as ClockSource, pr = this.ring.progress;
    pr[4] = src.epochSecond; pr[5] = src.firstRecord;
    this.ring.publish(this.chunk, this.used);
    this.chunk = (this.chunk + 1) % CHUNKS;
    this.used = 0;
    this.ring.waitEmpty(this.chunk);
  }
}

/** A few bytes copied one by one (Buffer.copy's argument checks cost more than the copy). */
function copyBytes(src: Buffer, from: number, dst: Buffer, to: number, len: number): void {
  for (let i = 0; i < len; i++) dst[to + i] = src[from + i];
}

/** Fills `p` from the ICMP error record at word `r`; its addresses point into the ring. */
export function readIcmpError(ring: SegmentRing, r: number, p: DecodedPacket): void {
  const i32 = ring.i32;
  p.buf = ring.bytes; p.quotedSrcOff = (r + IcmpWord.Src) * 4; p.quotedDstOff = (r + IcmpWord.Dst) * 4;
  p.vlanOuter = i32[r + IcmpWord.VlanOuter]; p.vlanInner = i32[r + IcmpWord.VlanInner];
  p.tenantKind = i32[r + IcmpWord.TenantKind]; p.tenantId = i32[r + IcmpWord.TenantId];
  p.icmpType = i32[r + IcmpWord.IcmpType]; p.icmpCode = i32[r + IcmpWord.IcmpCode];
  p.quotedIpVersion = i32[r + IcmpWord.QuotedIpVersion]; p.quotedSrcPort = i32[r + IcmpWord.QuotedSrcPort];
  p.quotedDstPort = i32[r + IcmpWord.QuotedDstPort]; p.quotedSeq = i32[r + IcmpWord.QuotedSeq] >>> 0;
}

/** The timestamp digits of the ICMP error record at `r`. */
export const icmpDigits = (ring: SegmentRing, r: number): number => ring.i32[r + IcmpWord.Digits];

/** The two times of the record at word `r`: [0] monotonic capture time, [1] the record's own. */
export const clockTime = (ring: SegmentRing, r: number): number => ring.f64[(r + SegmentWord.Clock) >> 1];
export const recordTime = (ring: SegmentRing, r: number): number => ring.f64[(r + SegmentWord.Rec) >> 1];
