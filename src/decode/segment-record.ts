// A decoded TCP segment as the engine reads it: a record of Int32 words, not an object. The
// decoding side writes it once (its own batch buffer, or the decode worker's ring), and the engine
// reads the fields it needs straight from there. An IPv4 segment is 16 words, one 64-byte cache
// line; an IPv6 segment takes a second 16 for its other address words. Read in place, the engine's
// thread copies nothing out of the lines the worker's core wrote (bench/README.md).
import type { FlowKey } from './flow-key';
import type { DecodedPacket } from './packet';

/** Words of one record slot; a record is one slot, or two (IPv6, ICMP errors in the ring). */
export const SLOT_WORDS = 16;
/** Most words one record takes. */
export const MAX_RECORD_WORDS = 2 * SLOT_WORDS;

/** Word offsets in a segment record. Times are doubles (records start on 8-byte boundaries). */
export const enum SegmentWord {
  /** Kind, slots, TCP flags, window scale and timestamp digits: see the Meta helpers. */
  Meta = 0,
  /** Frame number (1-based, unsigned 32-bit). */
  Frame = 1,
  /** Monotonic capture time (Nanos), a double in words 2–3. */
  Clock = 2,
  Seq = 4, Ack = 5, PayloadLen = 6,
  /** Raw window field, unscaled. */
  Window = 7,
  /** The FlowKey: hash, ports (source << 16 | destination), key bits (ip version and VLANs). */
  KeyHash = 8, KeyPorts = 9, KeyBits = 10,
  /**
   * Once the engine has taken the segment, and only when a tap follows it (pipeline/back.ts): the
   * id of the flow it went to, in place of the hash, which nothing reads after the engine.
   */
  FlowId = 8,
  /** Address word 0 of source and destination (all of IPv4). */
  Src0 = 11, Dst0 = 12,
  /** TTL / hop limit in bits 0–7, IPv4 Identification in bits 8–23 (0 for IPv6). */
  Ip = 13,
  /** The record's own time (Nanos; differs from Clock when timestamps step back), words 14–15. */
  Rec = 14,
  /** IPv6: address words 1–3 of source and destination, in the second slot. */
  Src1 = 16, Dst1 = 19,
  /** The FlowKey's tenant (tunnel identifier), in the second slot: a tunnelled segment takes two. */
  Tenant = 22,
}

/** Record kinds in Meta's low bits. */
export const KIND_TCP = 1, KIND_ICMP_ERROR = 2;

// Meta: kind in bits 0–1, two slots in bit 2, TCP flags in bits 8–15, the engine's marks for a tap
// in bits 16–17 (META_NEW_FLOW, META_FROM_B), timestamp digits + 1 in bits 24–27 on the record that
// ends a batch (0: not).
/** Set by the engine for a tap: the segment began its flow (SegmentWord.FlowId is new); it came from the flow's side b. */
export const META_NEW_FLOW = 1 << 16, META_FROM_B = 1 << 17;
export const metaKind = (meta: number): number => meta & 3;
export const metaWords = (meta: number): number => ((meta & 4) !== 0 ? 2 * SLOT_WORDS : SLOT_WORDS);
export const metaFlags = (meta: number): number => (meta >>> 8) & 0xff;
/** The timestamp digits a batch-ending record carries, or -1. */
export const metaDigits = (meta: number): number => ((meta >>> 24) & 0xf) - 1;
export const withDigits = (meta: number, digits: number): number => (meta & ~(0xf << 24)) | ((digits + 1) << 24);
export const makeMeta = (kind: number, words: number, flags = 0): number =>
  kind | (words > SLOT_WORDS ? 4 : 0) | (flags << 8);

/**
 * Writes segment `p` with its flow key `k` as a record at word `r`; returns the words it took.
 * `clock` and `rec` are the monotonic and the record's own capture time.
 */
export function writeSegment(i32: Int32Array, f64: Float64Array, r: number, p: DecodedPacket, k: FlowKey,
  frame: number, clock: number, rec: number): number {
  const words = p.ipVersion === 6 || k.key >>> 28 !== 0 ? 2 * SLOT_WORDS : SLOT_WORDS;
  i32[r + SegmentWord.Meta] = makeMeta(KIND_TCP, words, p.flags);
  i32[r + SegmentWord.Frame] = frame;
  f64[(r + SegmentWord.Clock) >> 1] = clock;
  f64[(r + SegmentWord.Rec) >> 1] = rec;
  i32[r + SegmentWord.Seq] = p.seq | 0; i32[r + SegmentWord.Ack] = p.ack | 0;
  i32[r + SegmentWord.PayloadLen] = p.payloadLen; i32[r + SegmentWord.Window] = p.window;
  i32[r + SegmentWord.Ip] = p.ttl | ((p.ipId < 0 ? 0 : p.ipId) << 8);
  writeKey(i32, r, k);
  return words;
}

/** The flow key's words at record `r` (a record of two slots when the key is IPv6 or has a tenant). */
export function writeKey(i32: Int32Array, r: number, k: FlowKey): void {
  i32[r + SegmentWord.KeyHash] = k.hash; i32[r + SegmentWord.KeyPorts] = k.ports; i32[r + SegmentWord.KeyBits] = k.key;
  i32[r + SegmentWord.Src0] = k.s0; i32[r + SegmentWord.Dst0] = k.d0;
  if (k.key >>> 28 !== 0) i32[r + SegmentWord.Tenant] = k.tenant;
  if ((k.key & 0xf) === 6) {
    i32[r + SegmentWord.Src1] = k.s1; i32[r + SegmentWord.Src1 + 1] = k.s2; i32[r + SegmentWord.Src1 + 2] = k.s3;
    i32[r + SegmentWord.Dst1] = k.d1; i32[r + SegmentWord.Dst1 + 1] = k.d2; i32[r + SegmentWord.Dst1 + 2] = k.d3;
  }
}
