// What the reports are built from: each analyzed input with the flows that survived the filters.
import type { AnalysisResult } from '../analysis';
import type { CaptureInfo } from '../capture/types';
import type { FlowReport, KeepaliveEvent, Summary } from '../keepalive/model';

/** Flows to report: an array, or a stream re-read from the engine's ReportStore on each pass. */
export interface FlowList extends Iterable<FlowReport> {
  readonly length: number;
  /** The same flows as snapshot rows, when they come from the engine's store (report/flow-json.ts writes them). */
  readonly rows?: FlowRows;
}

/** Flows as the snapshot rows their reports are built from (keepalive/report.ts). */
export interface FlowRows {
  /** Visits each row, in the list's order; a row is valid only during its call. */
  each(visit: (rows: Float64Array, off: number) => void): void;
  /** The epoch second the rows' times count from (AnalysisResult.epochSecond). */
  readonly epochSecond: number;
}

export interface AnalyzedInput {
  /** 0-based position of the input on the command line; flows and events carry it as `capture`. */
  readonly index: number;
  readonly capture: CaptureInfo;
  readonly result: AnalysisResult;
  /** The flows to report (after --host/--port/--flow and the --all-flows rule). */
  readonly flows: FlowList;
  /** Buffered events, only when the report shows them (--events in table/json). */
  readonly events: readonly KeepaliveEvent[];
}

/** The engine's summaries of all inputs added up, plus how many flows the report shows. */
export interface MergedSummary extends Summary {
  readonly reportedFlows: number;
}

type Tally = Record<string, number | Record<string, number>>;

/**
 * Adds the summaries field by field: numbers are summed, counter maps (outcomes, weird) summed per
 * key. Generic on purpose, so a counter the engine adds later is merged without a change here.
 */
export function mergeSummaries(inputs: readonly AnalyzedInput[]): MergedSummary {
  const total: Tally = {};
  for (const { result } of inputs) {
    for (const [k, v] of Object.entries(result.summary as unknown as Tally)) {
      if (typeof v === 'number') {
        const t = total[k];
        total[k] = (typeof t === 'number' ? t : 0) + v;
      } else {
        const t = total[k];
        const into: Record<string, number> = typeof t === 'object' ? t : {};
        for (const [kk, n] of Object.entries(v)) into[kk] = (into[kk] ?? 0) + n;
        total[k] = into;
      }
    }
  }
  let reportedFlows = 0;
  for (const input of inputs) reportedFlows += input.flows.length;
  return { ...(total as unknown as Summary), reportedFlows };
}
