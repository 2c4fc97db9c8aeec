// Decoded segments handed from the decode worker to the engine's thread: a ring of chunks in one
// SharedArrayBuffer, each chunk RECORDS records of RECORD_WORDS Int32 words. A chunk is Empty (the
// writer may fill it) or Full (COUNT records for the reader; COUNT 0 ends the input). Each side
// waits on the one state word it needs to change. A record holds only what the engine reads of a
// DecodedPacket and its flow key (FlowKey, hashed on the writer's side), so the engine runs
// unchanged on the reader's side.
import type { DecodedPacket } from '../decode/packet';
import type { FlowKey } from '../flow/key';
import type { SegmentSink } from '../analysis';

export const RECORD_WORDS = 32;
export const RECORDS = 1024;
export const CHUNKS = 16;

export const enum Chunk { Empty = 0, Full = 1 }

/** Word offsets of a record. Times are doubles at words 2 and 4 (records start on 8-byte boundaries). */
export const enum R {
  Kind = 0, Frame = 1, Clock = 2, Rec = 4,
  Flags = 6, Seq = 7, Ack = 8, PayloadLen = 9, Window = 10, WScale = 11, SrcPort = 12, DstPort = 13,
  IpVersion = 14, VlanOuter = 15, VlanInner = 16,
  /**
   * A segment's flow key address words (FlowKey s0–s3, d0–d3; IPv4 only the first); an ICMP
   * error's quoted source and destination address bytes (4 or 16).
   */
  Src = 17, Dst = 21,
  /** A segment's FlowKey hash, ports and key bits (the ICMP fields' words, unused by segments). */
  KeyHash = 25, KeyPorts = 26, KeyBits = 27,
  IcmpType = 25, IcmpCode = 26, QuotedIpVersion = 27, QuotedSrcPort = 28, QuotedDstPort = 29, QuotedSeq = 30,
  /**
   * The timestamp digits the writer's analysis had when it flushed: on an ICMP error always; on a
   * segment + 1 when it ends one of the writer's batches, else 0. The reader replays the same
   * batches with the same digits, so reports and events come out as on one thread.
   */
  Digits = 31,
}

/** Record kinds (PacketKind's values). */
export const TCP = 1, ICMP_ERROR = 2;

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

  constructor(readonly sab = new SharedArrayBuffer(CTL_WORDS * 4 + CHUNKS * RECORDS * RECORD_WORDS * 4)) {
    this.ctl = new Int32Array(sab, 0, 2 * CHUNKS);
    this.progress = new Float64Array(sab, 2 * CHUNKS * 4, 6);
    const off = CTL_WORDS * 4, words = CHUNKS * RECORDS * RECORD_WORDS;
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

  /** The writer's wait for a chunk to be handed back. */
  waitEmpty(chunk: number): void {
    while (this.state(chunk) !== Chunk.Empty) Atomics.wait(this.ctl, STATE + chunk, Chunk.Full);
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

/** The worker's side: a SegmentSink that writes records instead of analyzing them. */
export class RingWriter implements SegmentSink {
  readonly time = new Float64Array(2);
  private chunk = 0;
  private n = 0;
  /** The analysis feeding this writer, set right after it is made. */
  source: ClockSource | null = null;

  constructor(private readonly ring: SegmentRing) {}

  tcpBatch(pkts: readonly DecodedPacket[], keys: readonly FlowKey[], frames: Uint32Array, clockTimes: Float64Array,
    recordTimes: Float64Array, n: number): void {
    // A batch never straddles two chunks: the reader replays it whole, with the digits at its end.
    if (this.n + n > RECORDS) this.publish();
    for (let i = 0; i < n; i++) {
      const p = pkts[i];
      const r = this.next();
      const i32 = this.ring.i32;
      i32[r + R.Kind] = TCP;
      i32[r + R.Frame] = frames[i];
      this.ring.f64[(r + R.Clock) >> 1] = clockTimes[i];
      this.ring.f64[(r + R.Rec) >> 1] = recordTimes[i];
      i32[r + R.Flags] = p.flags; i32[r + R.Seq] = p.seq | 0; i32[r + R.Ack] = p.ack | 0;
      i32[r + R.PayloadLen] = p.payloadLen; i32[r + R.Window] = p.window; i32[r + R.WScale] = p.wscale;
      i32[r + R.SrcPort] = p.srcPort; i32[r + R.DstPort] = p.dstPort;
      i32[r + R.IpVersion] = p.ipVersion; i32[r + R.VlanOuter] = p.vlanOuter; i32[r + R.VlanInner] = p.vlanInner;
      const k = keys[i];
      i32[r + R.KeyHash] = k.hash; i32[r + R.KeyPorts] = k.ports; i32[r + R.KeyBits] = k.key;
      i32[r + R.Src] = k.s0; i32[r + R.Dst] = k.d0;
      if (p.ipVersion === 6) {
        i32[r + R.Src + 1] = k.s1; i32[r + R.Src + 2] = k.s2; i32[r + R.Src + 3] = k.s3;
        i32[r + R.Dst + 1] = k.d1; i32[r + R.Dst + 2] = k.d2; i32[r + R.Dst + 3] = k.d3;
      }
      i32[r + R.Digits] = i === n - 1 ? (this.source as ClockSource).digits + 1 : 0;
    }
  }

  icmpError(frame: number, p: DecodedPacket): void {
    const r = this.next();
    const i32 = this.ring.i32;
    i32[r + R.Kind] = ICMP_ERROR;
    i32[r + R.Frame] = frame;
    this.ring.f64[(r + R.Clock) >> 1] = this.time[0];
    this.ring.f64[(r + R.Rec) >> 1] = this.time[1];
    i32[r + R.VlanOuter] = p.vlanOuter; i32[r + R.VlanInner] = p.vlanInner;
    i32[r + R.IcmpType] = p.icmpType; i32[r + R.IcmpCode] = p.icmpCode;
    i32[r + R.QuotedIpVersion] = p.quotedIpVersion; i32[r + R.QuotedSrcPort] = p.quotedSrcPort;
    i32[r + R.QuotedDstPort] = p.quotedDstPort; i32[r + R.QuotedSeq] = p.quotedSeq | 0;
    const len = p.quotedIpVersion === 6 ? 16 : 4;
    copyBytes(p.buf, p.quotedSrcOff, this.ring.bytes, (r + R.Src) * 4, len);
    copyBytes(p.buf, p.quotedDstOff, this.ring.bytes, (r + R.Dst) * 4, len);
    i32[r + R.Digits] = (this.source as ClockSource).digits;
  }

  progress(bytes: number, total: number | null, frames: number): void {
    const pr = this.ring.progress;
    pr[0] = bytes; pr[1] = total ?? -1; pr[2] = frames; pr[3]++;
  }

  /** Hands over the last records and the end mark. */
  end(): void {
    if (this.n > 0) this.publish();
    this.ring.publish(this.chunk, 0);
  }

  /** The word index of the next free record, waiting for the reader when the ring is full. */
  private next(): number {
    if (this.n === RECORDS) this.publish();
    return (this.chunk * RECORDS + this.n++) * RECORD_WORDS;
  }

  private publish(): void {
    const src = this.source as ClockSource, pr = this.ring.progress;
    pr[4] = src.epochSecond; pr[5] = src.firstRecord;
    this.ring.publish(this.chunk, this.n);
    this.chunk = (this.chunk + 1) % CHUNKS;
    this.n = 0;
    this.ring.waitEmpty(this.chunk);
  }
}

/**
 * A few bytes copied one by one. Buffer.copy makes a Uint8Array view of the source range per call
 * (Node 20's _copyActual) and checks its arguments: for two 4-byte addresses per packet that was
 * the worker's largest cost and its 528 scavenges on the 1 GiB bench capture.
 */
function copyBytes(src: Buffer, from: number, dst: Buffer, to: number, len: number): void {
  for (let i = 0; i < len; i++) dst[to + i] = src[from + i];
}

// The reader's side: the fields RingWriter wrote, back into a DecodedPacket whose addresses point
// into the ring (valid until the chunk is handed back).

/** Fills `p` from the segment record at word `r`; its addresses are in the key (readKey). */
export function readSegment(ring: SegmentRing, r: number, p: DecodedPacket): void {
  const i32 = ring.i32;
  p.flags = i32[r + R.Flags]; p.seq = i32[r + R.Seq] >>> 0; p.ack = i32[r + R.Ack] >>> 0;
  p.payloadLen = i32[r + R.PayloadLen]; p.window = i32[r + R.Window]; p.wscale = i32[r + R.WScale];
  p.srcPort = i32[r + R.SrcPort]; p.dstPort = i32[r + R.DstPort];
  p.ipVersion = i32[r + R.IpVersion]; p.vlanOuter = i32[r + R.VlanOuter]; p.vlanInner = i32[r + R.VlanInner];
}

/** Fills `k` with the flow key of the segment record at word `r`, as FlowKey.set made it. */
export function readKey(ring: SegmentRing, r: number, k: FlowKey): void {
  const i32 = ring.i32;
  const ports = i32[r + R.KeyPorts];
  k.hash = i32[r + R.KeyHash]; k.key = i32[r + R.KeyBits];
  k.ports = ports; k.portsReversed = ports << 16 | ports >>> 16;
  k.s0 = i32[r + R.Src]; k.d0 = i32[r + R.Dst];
  if ((k.key & 0xf) === 6) {
    k.s1 = i32[r + R.Src + 1]; k.s2 = i32[r + R.Src + 2]; k.s3 = i32[r + R.Src + 3];
    k.d1 = i32[r + R.Dst + 1]; k.d2 = i32[r + R.Dst + 2]; k.d3 = i32[r + R.Dst + 3];
  }
}

/** Fills `p` from the ICMP error record at word `r`. */
export function readIcmpError(ring: SegmentRing, r: number, p: DecodedPacket): void {
  const i32 = ring.i32;
  p.buf = ring.bytes; p.quotedSrcOff = (r + R.Src) * 4; p.quotedDstOff = (r + R.Dst) * 4;
  p.vlanOuter = i32[r + R.VlanOuter]; p.vlanInner = i32[r + R.VlanInner];
  p.icmpType = i32[r + R.IcmpType]; p.icmpCode = i32[r + R.IcmpCode];
  p.quotedIpVersion = i32[r + R.QuotedIpVersion]; p.quotedSrcPort = i32[r + R.QuotedSrcPort];
  p.quotedDstPort = i32[r + R.QuotedDstPort]; p.quotedSeq = i32[r + R.QuotedSeq] >>> 0;
}

/** The two times of the record at word `r`: [0] monotonic capture time, [1] the record's own. */
export const clockTime = (ring: SegmentRing, r: number): number => ring.f64[(r + R.Clock) >> 1];
export const recordTime = (ring: SegmentRing, r: number): number => ring.f64[(r + R.Rec) >> 1];
