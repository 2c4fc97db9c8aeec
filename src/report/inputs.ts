// What the reports are built from: each analyzed input with the flows that survived the filters.
import type { AnalysisResult } from '../analysis';
import type { CaptureInfo } from '../capture/types';
import type { FlowReport, KeepaliveEvent, Outcome, Summary } from '../keepalive/model';

export interface AnalyzedInput {
  /** 0-based position of the input on the command line; flows and events carry it as `capture`. */
  readonly index: number;
  readonly capture: CaptureInfo;
  readonly result: AnalysisResult;
  /** The flows to report (after --host/--port/--flow and the --all-flows rule). */
  readonly flows: readonly FlowReport[];
  /** Buffered events, only when the report shows them (--events in table/json). */
  readonly events: readonly KeepaliveEvent[];
}

const OUTCOMES: readonly Outcome[] = ['alive', 'reset', 'icmp', 'timeout', 'unanswered'];

/** The engine's summaries of all inputs added up, plus how many flows the report shows. */
export interface MergedSummary extends Summary {
  readonly reportedFlows: number;
}

export function mergeSummaries(inputs: readonly AnalyzedInput[]): MergedSummary {
  let flows = 0, flowsWithKeepalive = 0, probes = 0, zeroWindowProbes = 0, evictedFlows = 0, nonTcpFrames = 0;
  let reportedFlows = 0;
  const outcomes: Record<Outcome, number> = { alive: 0, reset: 0, icmp: 0, timeout: 0, unanswered: 0 };
  const weird: Record<string, number> = {};
  for (const { result: { summary: s }, flows: shown } of inputs) {
    flows += s.flows; flowsWithKeepalive += s.flowsWithKeepalive; probes += s.probes;
    zeroWindowProbes += s.zeroWindowProbes; evictedFlows += s.evictedFlows; nonTcpFrames += s.nonTcpFrames;
    reportedFlows += shown.length;
    for (const o of OUTCOMES) outcomes[o] += s.outcomes[o] ?? 0;
    for (const [k, v] of Object.entries(s.weird)) weird[k] = (weird[k] ?? 0) + v;
  }
  return { flows, flowsWithKeepalive, probes, zeroWindowProbes, outcomes, evictedFlows, nonTcpFrames, weird, reportedFlows };
}
