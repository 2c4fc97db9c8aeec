// One analysis: capture records → decoder → flow/keepalive engine → reports. Files and live
// capture both feed `Analysis.packet`.
import type { CaptureInfo, PacketSink, ProgressFn } from './capture/types';
import { readCapture } from './capture/open';
import { Decoder } from './decode/decoder';
import { PacketKind } from './decode/packet';
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

export class Analysis implements PacketSink, EventClock {
  private readonly decoder = new Decoder();
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
    const time = this.engine.time;
    time[0] = this.clockNow;
    time[1] = rec;
    switch (this.decoder.decode(linkType, buf, off, caplen)) {
      case PacketKind.Tcp: this.engine.tcp(frame, this.decoder.pkt); break;
      case PacketKind.IcmpError: this.engine.icmpError(frame, this.decoder.pkt); break;
      default: this.nonTcp++;
    }
  }

  iso(t: Nanos): string { return isoTime(this.epochSec, t, this.tsDigits || 6); }
  rel(t: Nanos): number { return Number(((t - this.firstRec) / 1e9).toFixed(9)); }

  /** Ends the analysis: open flows are closed out and reported. */
  finish(): AnalysisResult {
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
