// The contract between the decoding front (front.ts) and whatever takes its segments: the engine
// on the same thread, or the ring to the engine's thread (segment-ring.ts).
import type { DecodedPacket } from '../decode/packet';

/** Where decoded segments go: the engine, or in a decode worker the ring to the engine's thread. */
export interface SegmentSink {
  /** [0] monotonic capture time, [1] the record's own time, written before icmpError(). */
  readonly time: Float64Array;
  /** The segment records (decode/segment-record.ts) in words [from, to) of `rec` (`f64` over the same memory). */
  tcpBatch(rec: Int32Array, f64: Float64Array, from: number, to: number): void;
  icmpError(frame: number, p: DecodedPacket): void;
  /** Set by a sink that takes batches where they lie (a decode worker's ring). */
  readonly inPlace?: RecordsInPlace;
}

/** Where to write segment records for a sink that reads them in place. */
export interface RecordsInPlace {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  /** The word of room for a batch of at most `words` words. */
  reserve(words: number): number;
}

/** What the reading side of an analysis learnt besides the segments: times, counts, oddities. */
export interface FrontState {
  readonly epochSec: number;
  readonly firstRec: number;
  readonly lastRec: number;
  readonly clockNow: number;
  readonly tsDigits: number;
  readonly records: number;
  readonly nonTcp: number;
  readonly backSteps: number;
  readonly firstBackFrame: number;
  readonly maxBackStep: number;
  readonly weird: Record<string, number>;
  /** TCP segments folded as copies (decode/duplicates.ts). */
  readonly duplicates: number;
}
