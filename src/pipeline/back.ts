// The engine's side of an analysis: the keepalive engine fed with segments (directly by the front
// on one thread, or by replay.ts from a decode worker's ring), and the result once input ends.
import type { Interrupt } from '../capture/interrupt';
import { KeepaliveEngine } from '../keepalive/engine';
import type { FlowReports } from '../keepalive/report-store';
import type { FlowReport, KeepaliveEvent, Summary } from '../keepalive/model';
import { isoTime, nanosSince, type Nanos } from '../units';
import type { CaptureClock } from './capture-clock';
import type { FrontState, SegmentSink } from './segment-sink';
import type { SegmentTap } from './segment-spill';
import type { PathReport, PathsBy } from '../path/paths';

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
  /** Told once, as it happens, when flows still active are evicted (--max-flows below the flows open at once). */
  readonly onNotice?: (line: string) => void;
  /** Ctrl-C: stop reading, then finish the flows and report what was read. */
  readonly interrupt?: Interrupt;
  /** A TCP segment seen again within this many ms is a copy, folded before the engine (default 5; 0: never). */
  readonly dupWindowMs?: number;
  /** Group flows into paths by the server's address (default) or address and port. */
  readonly pathsBy?: PathsBy;
  /** Also given every segment, after the engine (the HTML report's timelines: segment-spill.ts). */
  readonly segmentTap?: SegmentTap;
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
  /** Each path's idle-timeout bracket and verdicts, from every flow (listed or not). */
  readonly paths: readonly PathReport[];
}

export type EventListener = (e: KeepaliveEvent) => void;

export class EngineBack {
  readonly engine: KeepaliveEngine;
  /** The segments' sink on the engine's thread: the engine, or the engine and then the tap. */
  readonly sink: SegmentSink;
  private readonly tap: SegmentTap | null;

  /** `clock`: the capture's time base as events see it (the front's, or the one replay.ts sets). */
  constructor(opts: AnalysisOptions, readonly clock: CaptureClock, onEvent: EventListener | null) {
    this.engine = new KeepaliveEngine({
      idleTimeoutNs: (opts.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS) * 1e9,
      maxFlows: opts.maxFlows ?? DEFAULT_MAX_FLOWS,
      allFlows: opts.allFlows ?? false,
      reportsInMemory: opts.reportsInMemory,
      onNotice: opts.onNotice,
      pathsBy: opts.pathsBy,
    }, clock, onEvent);
    const engine = this.engine, tap = opts.segmentTap ?? null;
    this.tap = tap;
    engine.marksRecords = tap !== null;
    this.sink = tap === null ? engine : {
      time: engine.time,
      tcpBatch(rec, f64, from, to) { engine.tcpBatch(rec, f64, from, to); tap.tcpBatch(rec, f64, from, to); },
      icmpError(frame, p) { engine.icmpError(frame, p); },
    };
  }

  /**
   * Ends the analysis once the front has delivered everything: open flows are closed out and
   * reported. `endMs` (ms since 1970): when a live run stopped, which open flows' silence runs to.
   */
  finish(front: FrontState, endMs?: number): AnalysisResult {
    const clock = this.clock;
    clock.epochSecond = front.epochSec;
    clock.firstRecord = front.firstRec as Nanos;
    clock.digits = front.tsDigits;
    const e = this.engine;
    const endNs = endMs === undefined || !front.records ? NaN
      : nanosSince(front.epochSec, Math.floor(endMs / 1000), Math.round((endMs % 1000) * 1e6));
    const reports = e.finish(endNs);
    this.tap?.end(front.firstRec);
    const warnings: string[] = [];
    // The capture's clock stepping back (merged files) is no fault; a flow's own packets doing so is.
    const stepped = e.own?.warning() ?? null;
    if (stepped !== null) warnings.push(stepped);
    if (e.evictedFlows > 0) {
      warnings.push(`${e.evictedFlows} flow(s) evicted because more than the flow cap were open at once` + (e.resumedFlows === 0 ? '' :
        `; ${e.resumedFlows} came back and are reported as continuing flows ("continues"); --max-flows ${e.peakOpenFlows} or more would have held them`));
    }
    const iso = (t: number): string => isoTime(front.epochSec, t as Nanos, front.tsDigits || 6);
    return {
      reports,
      get flows() { return reports.toArray(); },
      epochSecond: front.epochSec,
      firstTime: front.records ? iso(front.firstRec) : null,
      lastTime: front.records ? iso(front.lastRec) : null,
      warnings,
      paths: e.paths.reports(),
      summary: {
        flows: e.flowsSeen, flowsWithKeepalive: e.flowsWithKeepalive, probes: e.probes,
        zeroWindowProbes: e.zeroWindowProbes, outcomes: { ...e.outcomes }, evictedFlows: e.evictedFlows, expiredFlows: e.expiredFlows,
        nonTcpFrames: front.nonTcp, duplicateFrames: front.duplicates, weird: { ...front.weird },
      },
    };
  }
}
