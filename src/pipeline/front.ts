// The decoding front of an analysis: capture records → decoder → segment records, in batches, to a
// SegmentSink (segment-sink.ts): the engine on this thread, or a decode worker's ring. It keeps the
// capture clock (capture-clock.ts) and counts what is not TCP.
import type { PacketSink } from '../capture/types';
import { Decoder } from '../decode/decoder';
import { DEFAULT_DUP_WINDOW_MS, DuplicateFolder } from '../decode/duplicates';
import { DecodedPacket, PacketKind } from '../decode/packet';
import { FlowKey } from '../decode/flow-key';
import { nanosSince, type Nanos } from '../units';
import { MAX_RECORD_WORDS, SegmentWord, withDigits, writeSegment } from '../decode/segment-record';
import type { CaptureClock } from './capture-clock';
import type { FrontState, SegmentSink } from './segment-sink';

/**
 * TCP segments decoded before the engine takes them as a group. Every packet of a busy capture
 * lands on a different flow whose record is far away in memory; the engine first touches all the
 * group's flow records, so their cache misses overlap instead of queueing one by one (measured in
 * bench/README.md).
 */
const BATCH = 32;

export class DecodingFront implements PacketSink {
  private readonly decoder = new Decoder();
  // The batch: segment records (decode/segment-record.ts) of up to BATCH segments, from word
  // batchStart of `batch`. In a decode worker `batch` is the ring itself, so no batch is copied
  // (bench/README.md).
  private readonly batch: Int32Array;
  private readonly batchF64: Float64Array;
  private batchStart = 0;
  private readonly pkt = new DecodedPacket();
  /** The flow key of each segment, read on the decoding side (in a decode worker, not the engine's thread). */
  private readonly key = new FlowKey();
  /** Word after the batch's last record, and that record's word. */
  private batchWords = 0;
  private lastRecord = 0;
  private batched = 0;
  private epochSec = NaN;
  private firstRec = 0 as Nanos;
  private lastRec = 0 as Nanos;
  /** Monotonic capture time: the latest record time so far. */
  private clockNow = 0 as Nanos;
  private tsDigits = 0;
  private records = 0;
  private nonTcp = 0;
  private backSteps = 0;
  private firstBackFrame = 0;
  private maxBackStep = 0;
  /** Copies of segments already seen (decode/duplicates.ts), null when folding is off. */
  private readonly dups: DuplicateFolder | null;
  private duplicates = 0;

  /**
   * `clock` is kept up to date with the capture's time base as records arrive. `dupWindowMs`: a
   * segment seen again within this many ms is folded (0: never).
   */
  constructor(private readonly segments: SegmentSink, private readonly clock: CaptureClock, dupWindowMs = DEFAULT_DUP_WINDOW_MS) {
    this.dups = dupWindowMs > 0 ? new DuplicateFolder(dupWindowMs * 1e6) : null;
    const inPlace = segments.inPlace;
    this.batch = inPlace?.i32 ?? new Int32Array(BATCH * MAX_RECORD_WORDS);
    this.batchF64 = inPlace?.f64 ?? new Float64Array(this.batch.buffer);
  }

  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number, origLen: number): void {
    void origLen;
    if (this.records++ === 0) {
      this.epochSec = sec;
      this.firstRec = this.clockNow = nanosSince(sec, sec, nsec);
      this.clock.epochSecond = sec;
      this.clock.firstRecord = this.firstRec;
    }
    if (tsDigits > this.tsDigits) this.tsDigits = this.clock.digits = tsDigits;
    const rec = nanosSince(this.epochSec, sec, nsec);
    this.lastRec = rec;
    if (rec < this.clockNow) {
      // Merged or concatenated captures: the capture clock keeps the latest time seen (the flow
      // table's expiry); each flow's durations use its own timestamps (keepalive/own-time.ts).
      if (this.backSteps++ === 0) this.firstBackFrame = frame;
      if (this.clockNow - rec > this.maxBackStep) this.maxBackStep = this.clockNow - rec;
    } else this.clockNow = rec;
    const pkt = this.pkt;
    switch (this.decoder.decode(linkType, buf, off, caplen, pkt)) {
      case PacketKind.Tcp:
        this.key.set(buf, pkt.srcOff, pkt.dstOff, pkt.ipVersion, pkt.srcPort, pkt.dstPort, pkt.vlanOuter, pkt.vlanInner,
          pkt.tenantKind, pkt.tenantId);
        if (this.dups !== null) {
          this.dups.now[0] = rec;
          if (this.dups.isCopy(pkt, this.key)) { this.duplicates++; break; }
        }
        if (this.batched === 0) {
          this.batchStart = this.batchWords = this.segments.inPlace?.reserve(BATCH * MAX_RECORD_WORDS) ?? 0;
        }
        this.lastRecord = this.batchWords;
        this.batchWords += writeSegment(this.batch, this.batchF64, this.batchWords, pkt, this.key, frame, this.clockNow, rec);
        if (++this.batched === BATCH) this.flush();
        break;
      case PacketKind.IcmpError:
        this.flush();
        this.segments.time[0] = this.clockNow;
        this.segments.time[1] = rec;
        this.segments.icmpError(frame, pkt);
        break;
      default: this.nonTcp++;
    }
  }

  /** Hands the batched segments to the sink; the reader calls this before it reuses its buffer. */
  flush(): void {
    if (this.batched === 0) return;
    // The last record carries the digits the batch was analyzed with, for a decode worker's reader.
    this.batch[this.lastRecord + SegmentWord.Meta] = withDigits(this.batch[this.lastRecord + SegmentWord.Meta], this.tsDigits);
    const start = this.batchStart, end = this.batchWords;
    this.batched = 0;
    this.segments.tcpBatch(this.batch, this.batchF64, start, end);
  }

  /** What this side learnt besides the segments, for the back's finish(). */
  state(): FrontState {
    return {
      epochSec: this.epochSec, firstRec: this.firstRec, lastRec: this.lastRec, clockNow: this.clockNow,
      tsDigits: this.tsDigits, records: this.records, nonTcp: this.nonTcp, backSteps: this.backSteps,
      firstBackFrame: this.firstBackFrame, maxBackStep: this.maxBackStep, weird: { ...this.decoder.weird },
      duplicates: this.duplicates,
    };
  }
}
