// The engine's thread of a two-thread analysis: the records of a decode worker's ring chunk go to
// the engine as the front's packet() would have sent them, in the writer's batches.
import { DecodedPacket } from '../decode/packet';
import { KIND_TCP, metaDigits, metaKind, metaWords, SegmentWord } from '../decode/segment-record';
import type { CaptureClock } from './capture-clock';
import type { SegmentSink } from './segment-sink';
import { clockTime, icmpDigits, readIcmpError, recordTime, type SegmentRing } from './segment-ring';

export class RingReplay {
  /** ICMP errors as read back from the ring. */
  private readonly icmpPkt = new DecodedPacket();

  /** `clock` gets the timestamp digits each batch was decoded with, as the front's did. */
  constructor(private readonly engine: SegmentSink, private readonly clock: CaptureClock) {}

  /** Sets the clock base the decode worker found, before its first segments are replayed. */
  setClockBase(epochSecond: number, firstRecord: number): void {
    this.clock.epochSecond = epochSecond;
    this.clock.firstRecord = firstRecord as typeof this.clock.firstRecord;
  }

  /**
   * Hands the records of a ring chunk in words [from, to) to the engine, in order; they are all
   * processed before this returns, so the chunk can be handed back.
   */
  replay(ring: SegmentRing, from: number, to: number): void {
    const i32 = ring.i32, engine = this.engine;
    let start = from;
    for (let r = from; r < to; r += metaWords(i32[r + SegmentWord.Meta])) {
      const meta = i32[r + SegmentWord.Meta];
      if (metaKind(meta) === KIND_TCP) {
        const digits = metaDigits(meta);
        if (digits < 0) continue;
        this.clock.digits = digits;
        engine.tcpBatch(i32, ring.f64, start, r + metaWords(meta));
      } else {
        this.clock.digits = icmpDigits(ring, r);
        readIcmpError(ring, r, this.icmpPkt);
        engine.time[0] = clockTime(ring, r);
        engine.time[1] = recordTime(ring, r);
        engine.icmpError(i32[r + SegmentWord.Frame] >>> 0, this.icmpPkt);
      }
      start = r + metaWords(meta);
    }
    // The writer ends every chunk with a batch's last record; segments past it would not be lost.
    if (start < to) engine.tcpBatch(i32, ring.f64, start, to);
  }
}
