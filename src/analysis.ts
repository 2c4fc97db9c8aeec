// One analysis: capture records → decoder → flow/keepalive engine → reports. Files and live
// capture both feed `Analysis.packet`.
import type { CaptureInfo, PacketSink, ProgressFn } from './capture/types';
import { readCapture } from './capture/open';
import { Decoder } from './decode/decoder';
import { DecodedPacket, PacketKind } from './decode/packet';
import { KeepaliveEngine, type EventClock } from './keepalive/engine';
import type { ReportStore } from './keepalive/report-store';
import type { FlowReport, KeepaliveEvent, Summary } from './keepalive/model';
import { isoTime, nanosSince, type Nanos } from './units';

export interface AnalysisOptions {
  /** Flows silent this long (capture time) are evicted; seconds. */
  readonly idleTimeoutSeconds?: number;
  /** At most this many flows are tracked at once; the least recently active is evicted. */
  readonly maxFlows?: number;
  /** Report every TCP flow, not only those with keepalive or zero-window activity. */
  readonly allFlows?: boolean;
  /** Reports held as objects before the rest wait in a temporary file (default 2048). */
  readonly reportsInMemory?: number;
}

/** Longer than Linux's default probing cycle (7200 s idle + 9 × 75 s) so no live series is cut. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 9000;
export const DEFAULT_MAX_FLOWS = 1_000_000;

export interface AnalysisResult {
  /** Every reported flow, streamed in flow-id order (from a temporary file past a few thousand). */
  readonly reports: ReportStore;
  /** The same reports as an array: convenient for small captures, costly for huge ones. */
  readonly flows: FlowReport[];
  readonly summary: Summary;
  /** ISO 8601 UTC of the first and last record, null when there were none. */
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  /** Engine warnings (timestamps stepping backwards, …), one line each. */
  readonly warnings: string[];
}

export type EventListener = (e: KeepaliveEvent) => void;

/**
 * TCP segments decoded before the engine takes them as a group. Every packet of a busy capture
 * lands on a different flow whose record is far away in memory, and on this project's test VM a
 * lone dependent miss over a 16 MiB table took 0.6–1.5 µs (README "Benchmark"); the engine first
 * touches all the group's flow records, so their misses overlap instead of queueing one by one.
 */
const BATCH = 32;

export class Analysis implements PacketSink, EventClock {
  private readonly decoder = new Decoder();
  // The batch: decoded packets (their addresses still point into the reader's buffer, valid until
  // flush()), frame numbers and the two times per packet.
  private readonly pkts: DecodedPacket[] = Array.from({ length: BATCH }, () => new DecodedPacket());
  private readonly frames = new Uint32Array(BATCH);
  private readonly clockTimes = new Float64Array(BATCH);
  private readonly recordTimes = new Float64Array(BATCH);
  private batched = 0;
  private readonly engine: KeepaliveEngine;
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

  constructor(readonly opts: AnalysisOptions = {}, onEvent: EventListener | null = null) {
    this.engine = new KeepaliveEngine({
      idleTimeoutNs: (opts.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS) * 1e9,
      maxFlows: opts.maxFlows ?? DEFAULT_MAX_FLOWS,
      allFlows: opts.allFlows ?? false,
      reportsInMemory: opts.reportsInMemory,
    }, this, onEvent);
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
    const i = this.batched;
    const pkt = this.pkts[i];
    switch (this.decoder.decode(linkType, buf, off, caplen, pkt)) {
      case PacketKind.Tcp:
        this.frames[i] = frame;
        this.clockTimes[i] = this.clockNow;
        this.recordTimes[i] = rec;
        if (++this.batched === BATCH) this.flush();
        break;
      case PacketKind.IcmpError: {
        this.flush(); // the segments before it first, in capture order
        const time = this.engine.time;
        time[0] = this.clockNow;
        time[1] = rec;
        this.engine.icmpError(frame, pkt);
        break;
      }
      default: this.nonTcp++;
    }
  }

  /** Analyzes the batched segments; the reader calls this before it reuses its buffer. */
  flush(): void {
    const n = this.batched;
    if (n === 0) return;
    this.batched = 0;
    this.engine.tcpBatch(this.pkts, this.frames, this.clockTimes, this.recordTimes, n);
  }

  iso(t: Nanos): string { return isoTime(this.epochSec, t, this.tsDigits || 6); }
  rel(t: Nanos): number { return Number(((t - this.firstRec) / 1e9).toFixed(9)); }

  /** Ends the analysis: open flows are closed out and reported. */
  finish(): AnalysisResult {
    this.flush();
    const reports = this.engine.finish();
    const e = this.engine;
    const warnings: string[] = [];
    if (this.backSteps > 0) {
      warnings.push(`timestamps step backwards ${this.backSteps} time(s), first at frame ${this.firstBackFrame}, ` +
        `by up to ${(this.maxBackStep / 1e9).toFixed(6)} s; durations use the latest time seen`);
    }
    if (e.evictedFlows > 0) warnings.push(`${e.evictedFlows} flow(s) evicted because more than the flow cap were open at once`);
    return {
      reports,
      get flows() { return reports.toArray(); },
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
  const analysis = new Analysis(opts, onEvent);
  const capture = await readCapture(file, analysis, { onProgress });
  return { capture, result: analysis.finish() };
}
