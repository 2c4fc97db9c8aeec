// `keepalive analyze --merge FILE…|DIR`: every input read as one trace (capture/merge.ts) and
// reported as one analysis, with each flow and event saying which input it came from.
import { expandMergeInputs } from '../capture/directory';
import { FrameMap } from '../capture/frame-map';
import { mergedCaptureInfo, mergeLabel } from '../capture/merged-info';
import type { KeepaliveEvent } from '../keepalive/model';
import { analyzeMerged } from '../analysis/merged';
import { reportedFlows } from '../report/flow-list';
import {
  mergedCsvHeader, mergedEvent, mergedEventLine, mergedFlowRows, writeMergedJson, writeMergedLines, type MergedInput,
} from '../report/merged';
import { HtmlEvents, writeHtml } from '../report/html';
import { SegmentSpill } from '../pipeline/segment-spill';
import { errorLine } from './error-line';
import { exitCode } from './exit-codes';
import { eventMatches, flowMatches, hasFlowFilter } from './filter';
import type { AnalyzeOptions } from './options';
import { OutputBatch, type Output } from './output';
import { createProgress, type ProgressStream } from './progress';
import { UsageError } from './usage-error';

export async function analyzeMergedInputs(o: AnalyzeOptions, io: Output, progressStream: ProgressStream): Promise<number> {
  const { files, notes } = expandMergeInputs(o.captures);
  for (const n of notes) io.err(`keepalive: ${n}\n`);
  if (files.length === 0) throw new UsageError(`--merge: no capture file in ${o.captures.join(', ')}`);
  const label = mergeLabel(files.length);
  const frames = new FrameMap();
  const events: KeepaliveEvent[] = [];
  const bufferEvents = o.events && (o.format === 'table' || o.format === 'json');
  // The page draws every flow's timeline from its events and segments (as analyze.ts).
  const htmlEvents = o.format === 'html' ? new HtmlEvents() : null;
  const spill = o.format === 'html' ? new SegmentSpill() : null;
  if (o.format === 'csv') io.out(mergedCsvHeader());
  const onEvent = o.format !== 'ndjson' && !bufferEvents && htmlEvents === null ? null : (e: KeepaliveEvent): void => {
    if (!eventMatches(o.filter, 0, e)) return;
    if (o.format === 'ndjson') io.out(mergedEventLine(frames, e));
    else if (htmlEvents !== null) htmlEvents.addObject(0, e.flow, mergedEvent(frames, e));
    else events.push(e);
  };
  const progress = createProgress(progressStream, label);
  let analyzed;
  try {
    analyzed = await analyzeMerged(files, frames,
      { idleTimeoutSeconds: o.idleTimeoutSeconds, maxFlows: o.maxFlows, allFlows: o.allFlows, segmentTap: spill ?? undefined },
      onEvent, progress.update);
  } finally {
    progress.end();
    if (analyzed === undefined) spill?.dispose();
  }
  const { merged, result } = analyzed;
  const capture = mergedCaptureInfo(label, merged);
  const input: MergedInput = { index: 0, capture, result, flows: reportedFlows(result, o.allFlows, hasFlowFilter(o.filter) ? (f) => flowMatches(o.filter, 0, f) : null), events, merged, frames };

  let inputErrors = 0;
  for (const c of merged.infos) {
    if (c.error === null) continue;
    inputErrors++;
    io.err(`keepalive: ${errorLine(c.file, c.error)}\n`);
  }
  for (const w of merged.warnings) io.err(`keepalive: --merge: ${w}\n`);
  let failOnHits = 0;
  if (o.failOn.size > 0) for (const f of input.flows) for (const k of f.keepalive) if (o.failOn.has(k.outcome)) failOnHits++;

  const batch = new OutputBatch(io);
  switch (o.format) {
    case 'table': {
      const { writeInputTable } = await import('../report/table');
      writeInputTable(input, { timeMode: o.timeMode, events: o.events }, o.allFlows, (t) => batch.add(t));
      break;
    }
    case 'ndjson': writeMergedLines(input, (t) => batch.add(t)); break;
    case 'csv': for (const f of input.flows) batch.add(mergedFlowRows(input, f)); break;
    case 'json': writeMergedJson(input, o.events, batch); break;
    case 'html':
      try {
        writeHtml([input], htmlEvents ?? new HtmlEvents(), batch, undefined, [spill],
          { writeJson: (kept, sink) => writeMergedJson({ ...input, flows: kept.flows }, false, sink) });
      } finally {
        spill?.dispose();
      }
      break;
  }
  batch.flush();
  return exitCode(inputErrors, failOnHits);
}
