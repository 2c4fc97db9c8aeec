// Which flows of an analyzed input a report shows, and in which form the writers get them: the
// report objects, or, when no filter needs the objects, the snapshot rows they are built from.
import type { AnalysisResult } from '../analysis';
import type { FlowReport } from '../keepalive/model';
import { rowHasActivity } from '../keepalive/report';
import { diedAfterIdle, fateOf } from '../keepalive/fate-row';
import type { FlowList, FlowRows } from './inputs';

/** Without --all-flows only flows with keepalive or zero-window activity, or that died after idle, are reported. */
export function hasActivity(f: FlowReport): boolean {
  return f.keepalive.length > 0 || f.zeroWindowProbes > 0 || diedAfterIdle(f.fate);
}

/**
 * The flows of one input to report, streamed from the engine's store on every pass (the store may
 * be a temporary file of hundreds of thousands of reports). `match` narrows them (--host/--port/
 * --flow), null when nothing does. Counting them costs a pass of its own, made only with a match:
 * otherwise every stored flow is reported (the engine stores only flows with keepalive activity
 * unless --all-flows asks for all), and the rows alone decide, so writers may take the rows
 * instead of the reports (FlowList.rows).
 */
export function reportedFlows(result: AnalysisResult, allFlows: boolean, match: ((f: FlowReport) => boolean) | null): FlowList {
  const store = result.reports;
  const keep = (f: FlowReport): boolean => (allFlows || hasActivity(f)) && (match === null || match(f));
  let length = store.length;
  if (match !== null) { length = 0; for (const f of store) if (keep(f)) length++; }
  const rows: FlowRows | undefined = match !== null ? undefined : {
    epochSecond: result.epochSecond,
    each: (visit) => store.eachRow((row, off) => { if (allFlows || rowHasActivity(row, off) || diedAfterIdle(fateOf(row, off))) visit(row, off); }),
  };
  return {
    length,
    rows,
    *[Symbol.iterator]() { for (const f of store) if (keep(f)) yield f; },
  };
}
