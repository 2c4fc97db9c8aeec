// One analysis: capture records → decoder → flow/keepalive engine → reports. Files and live
// capture both feed `Analysis.packet`; for a large file that runs in a decode worker, whose
// segments this thread's Analysis takes through replay() (src/pipeline/).
import type { CaptureInfo, PacketSink, ProgressFn } from './capture/types';
import { readCapture } from './capture/open';
import { Decoder } from './decode/decoder';
import { DecodedPacket, PacketKind } from './decode/packet';
import { FlowKey } from './flow/key';
import { KeepaliveEngine, type EventClock } from './keepalive/engine';
import type { FlowReports } from './keepalive/report-store';
import type { FlowReport, KeepaliveEvent, Summary } from './keepalive/model';
import { isoTime, nanosSince, type Nanos } from './units';
import { limitHeapGrowth } from './heap-limits';
import { analyzeInWorker } from './pipeline/analyze-in-worker';
import { DECODE_WORKER_MIN_BYTES, wantsDecodeWorker } from './pipeline/decode-worker-start';
import { KIND_TCP, MAX_RECORD_WORDS, metaDigits, metaKind, metaWords, S, withDigits, writeSegment } from './decode/segment-record';
import { clockTime, icmpDigits, readIcmpError, recordTime, type SegmentRing } from './pipeline/segment-ring';

// Defined beside the worker's start, which bin/keepalive.js loads before this module.
export { DECODE_WORKER_MIN_BYTES };

export interface AnalysisOptions {
  /** Flows silent this long (capture time) are evicted; seconds. */
  readonly idleTimeoutSeconds?: number;
  /** At most this many flows are tracked at once; the least recently active is evicted. */
  readonly maxFlows?: number;
  /** Report every TCP flow, not only those with keepalive or zero-window activity. */
  readonly allFlows?: boolean;
  /** Reports gathered in memory before each such run goes to a temporary file, sorted (default 2048). */
  readonly reportsInMemory?: number;
  /**
   * Regular files at least this large are read and decoded by a worker thread while this thread
   * runs the engine (default DECODE_WORKER_MIN_BYTES; Infinity never, 0 always).
   */
  readonly decodeWorkerMinBytes?: number;
}

/** Longer than Linux's default probing cycle (7200 s idle + 9 × 75 s) so no live series is cut. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 9000;
export const DEFAULT_MAX_FLOWS = 1_000_000;

export interface AnalysisResult {
  /** Every reported flow, streamed in flow-id order (from a temporary file past a few thousand). */
  readonly reports: FlowReports;
  /** The same reports as an array: convenient for small captures, costly for huge ones. */
  readonly flows: FlowReport[];
  readonly summary: Summary;
  /** The capture's first whole second (Unix time), which the reports' snapshot rows count their times from; NaN without records. */
  readonly epochSecond: number;
  /** ISO 8601 UTC of the first and last record, null when there were none. */
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  /** Engine warnings (timestamps stepping backwards, …), one line each. */
  readonly warnings: string[];
}

export type EventListener = (e: KeepaliveEvent) => void;

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
}

/**
 * TCP segments decoded before the engine takes them as a group. Every packet of a busy capture
 * lands on a different flow whose record is far away in memory, and on this project's test VM a
 * lone dependent miss over a 16 MiB table took 0.6–1.5 µs (README "Benchmark"); the engine first
 * touches all the group's flow records, so their misses overlap instead of queueing one by one.
 */
const BATCH = 32;

export class Analysis implements PacketSink, EventClock {
  private readonly decoder = new Decoder();
  // The batch: segment records (decode/segment-record.ts) of up to BATCH segments, from word
  // batchStart of `batch`. In a decode worker `batch` is the ring itself: copying each batch over
  // was 25 ms of the worker's 640 in a profile of the 1 GiB bench capture (README "Benchmark").
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
  /** Null when segments go to another sink (a decode worker's ring). */
  private readonly engine: KeepaliveEngine | null;
  private readonly segments: SegmentSink;
  /** ICMP errors replayed from a decode worker (replay()). */
  private readonly icmpPkt = new DecodedPacket();
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

  /** `segments`: where decoded segments go instead of this analysis's own engine (decode worker). */
  constructor(readonly opts: AnalysisOptions = {}, onEvent: EventListener | null = null, segments: SegmentSink | null = null) {
    // A decode worker's analysis only decodes: no engine (its flow table and store) is built.
    this.engine = segments !== null ? null : new KeepaliveEngine({
      idleTimeoutNs: (opts.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS) * 1e9,
      maxFlows: opts.maxFlows ?? DEFAULT_MAX_FLOWS,
      allFlows: opts.allFlows ?? false,
      reportsInMemory: opts.reportsInMemory,
    }, this, onEvent);
    this.segments = segments ?? (this.engine as KeepaliveEngine);
    const inPlace = this.segments.inPlace;
    this.batch = inPlace?.i32 ?? new Int32Array(BATCH * MAX_RECORD_WORDS);
    this.batchF64 = inPlace?.f64 ?? new Float64Array(this.batch.buffer);
  }

  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number, origLen: number): void {
    void origLen;
    if (this.records++ === 0) {
      this.epochSec = sec;
      this.firstRec = this.clockNow = nanosSince(sec, sec, nsec);
    }
    if (tsDigits > this.tsDigits) this.tsDigits = tsDigits;
    const rec = nanosSince(this.epochSec, sec, nsec);
    this.lastRec = rec;
    if (rec < this.clockNow) {
      // Merged or concatenated captures: durations use the latest time seen, never a negative one.
      if (this.backSteps++ === 0) this.firstBackFrame = frame;
      if (this.clockNow - rec > this.maxBackStep) this.maxBackStep = this.clockNow - rec;
    } else this.clockNow = rec;
    const pkt = this.pkt;
    switch (this.decoder.decode(linkType, buf, off, caplen, pkt)) {
      case PacketKind.Tcp:
        if (this.batched === 0) {
          this.batchStart = this.batchWords = this.segments.inPlace?.reserve(BATCH * MAX_RECORD_WORDS) ?? 0;
        }
        this.key.set(buf, pkt.srcOff, pkt.dstOff, pkt.ipVersion, pkt.srcPort, pkt.dstPort, pkt.vlanOuter, pkt.vlanInner);
        this.lastRecord = this.batchWords;
        this.batchWords += writeSegment(this.batch, this.batchF64, this.batchWords, pkt, this.key, frame, this.clockNow, rec);
        if (++this.batched === BATCH) this.flush();
        break;
      case PacketKind.IcmpError:
        this.icmpError(frame, pkt, this.clockNow, rec);
        break;
      default: this.nonTcp++;
    }
  }

  /** Analyzes the batched segments; the reader calls this before it reuses its buffer. */
  flush(): void {
    if (this.batched === 0) return;
    // The last record carries the digits the batch was analyzed with, for a decode worker's reader.
    this.batch[this.lastRecord + S.Meta] = withDigits(this.batch[this.lastRecord + S.Meta], this.tsDigits);
    const start = this.batchStart, end = this.batchWords;
    this.batched = 0;
    this.segments.tcpBatch(this.batch, this.batchF64, start, end);
  }

  /**
   * Analyzes the records of a decode worker's ring chunk in words [from, to), in order, as
   * packet() would have, in the writer's batches; they are all processed before this returns, so
   * the chunk can be handed back.
   */
  replay(ring: SegmentRing, from: number, to: number): void {
    const i32 = ring.i32;
    let start = from;
    for (let r = from; r < to; r += metaWords(i32[r + S.Meta])) {
      const meta = i32[r + S.Meta];
      if (metaKind(meta) === KIND_TCP) {
        const digits = metaDigits(meta);
        if (digits < 0) continue;
        this.tsDigits = digits;
        this.segments.tcpBatch(i32, ring.f64, start, r + metaWords(meta));
      } else {
        this.tsDigits = icmpDigits(ring, r);
        readIcmpError(ring, r, this.icmpPkt);
        this.icmpError(i32[r + S.Frame] >>> 0, this.icmpPkt, clockTime(ring, r), recordTime(ring, r));
      }
      start = r + metaWords(meta);
    }
    // The writer ends every chunk with a batch's last record; segments past it would not be lost.
    if (start < to) this.segments.tcpBatch(i32, ring.f64, start, to);
  }

  /** An ICMP error to the sink, after the segments batched before it (capture order). */
  private icmpError(frame: number, p: DecodedPacket, clockNow: number, rec: number): void {
    this.flush();
    const time = this.segments.time;
    time[0] = clockNow;
    time[1] = rec;
    this.segments.icmpError(frame, p);
  }

  private ownEngine(): KeepaliveEngine {
    if (this.engine === null) throw new Error('this analysis only decodes: its segments go to another sink');
    return this.engine;
  }

  // For a decode worker's RingWriter (ClockSource).
  get epochSecond(): number { return this.epochSec; }
  get firstRecord(): number { return this.firstRec; }
  get digits(): number { return this.tsDigits; }

  /** Sets the clock base a decode worker found, before its first segments are replayed. */
  setClockBase(epochSec: number, firstRec: number): void {
    this.epochSec = epochSec;
    this.firstRec = firstRec as Nanos;
  }

  /** This side's state for the analysis that replays its segments (decode worker). */
  frontState(): FrontState {
    return {
      epochSec: this.epochSec, firstRec: this.firstRec, lastRec: this.lastRec, clockNow: this.clockNow,
      tsDigits: this.tsDigits, records: this.records, nonTcp: this.nonTcp, backSteps: this.backSteps,
      firstBackFrame: this.firstBackFrame, maxBackStep: this.maxBackStep, weird: { ...this.decoder.weird },
    };
  }

  /** Takes over a decode worker's front state, before finish(). */
  adoptFront(s: FrontState): void {
    this.epochSec = s.epochSec; this.firstRec = s.firstRec as Nanos; this.lastRec = s.lastRec as Nanos;
    this.clockNow = s.clockNow as Nanos; this.tsDigits = s.tsDigits; this.records = s.records; this.nonTcp = s.nonTcp;
    this.backSteps = s.backSteps; this.firstBackFrame = s.firstBackFrame; this.maxBackStep = s.maxBackStep;
    Object.assign(this.decoder.weird, s.weird);
  }

  iso(t: Nanos): string { return isoTime(this.epochSec, t, this.tsDigits || 6); }
  rel(t: Nanos): number { return Number(((t - this.firstRec) / 1e9).toFixed(9)); }

  /** Ends the analysis: open flows are closed out and reported. */
  finish(): AnalysisResult {
    this.flush();
    const e = this.ownEngine();
    const reports = e.finish();
    const warnings: string[] = [];
    if (this.backSteps > 0) {
      warnings.push(`timestamps step backwards ${this.backSteps} time(s), first at frame ${this.firstBackFrame}, ` +
        `by up to ${(this.maxBackStep / 1e9).toFixed(6)} s; durations use the latest time seen`);
    }
    if (e.evictedFlows > 0) warnings.push(`${e.evictedFlows} flow(s) evicted because more than the flow cap were open at once`);
    return {
      reports,
      get flows() { return reports.toArray(); },
      epochSecond: this.epochSec,
      firstTime: this.records ? this.iso(this.firstRec) : null,
      lastTime: this.records ? this.iso(this.lastRec) : null,
      warnings,
      summary: {
        flows: e.flowsSeen, flowsWithKeepalive: e.flowsWithKeepalive, probes: e.probes,
        zeroWindowProbes: e.zeroWindowProbes, outcomes: { ...e.outcomes }, evictedFlows: e.evictedFlows, expiredFlows: e.expiredFlows,
        nonTcpFrames: this.nonTcp, weird: { ...this.decoder.weird },
      },
    };
  }
}

/** Reads and analyzes one capture file (`-` = stdin). Never throws for bad input. */
export async function analyzeFile(file: string, opts: AnalysisOptions = {}, onEvent: EventListener | null = null,
  onProgress?: ProgressFn): Promise<{ capture: CaptureInfo; result: AnalysisResult }> {
  if (wantsDecodeWorker(file, opts.decodeWorkerMinBytes)) {
    return analyzeInWorker(file, opts, onEvent, onProgress);
  }
  limitHeapGrowth();
  const analysis = new Analysis(opts, onEvent);
  const capture = await readCapture(file, analysis, { onProgress });
  return { capture, result: analysis.finish() };
}
