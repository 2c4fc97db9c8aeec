// Reports of a `--merge` run: one analyzed trace made of several inputs. `captures` lists every
// input in the merge's order; each flow and event carries `capture` (the input its frame came
// from) and `captureFrame` (that frame's number in the input), flows also `lastCapture` and
// `lastCaptureFrame` for their last frame. `frame`, `firstFrame`, … number the merged trace, as
// `mergecap -w merged.pcapng` of the inputs in that order does.
import type { FrameMap } from '../capture/frame-map';
import type { FileSpan, MergedCaptures } from '../capture/merge';
import type { FlowReport, KeepaliveEvent } from '../keepalive/model';
import { isoTime, type Nanos } from '../units';
import type { CaptureJson } from './capture-info';
import { csvRecord, flowRows, CSV_COLUMNS } from './csv';
import { linkTypeName } from './format';
import { SnapshotField } from '../keepalive/report';
import { FLOW_JSON_MAX_BYTES, writeFlowJson } from './flow-json';
import { mergeSummaries, type AnalyzedInput, type FlowRows } from './inputs';
import { nest, type JsonSink } from './json';

export interface MergedInput extends AnalyzedInput {
  readonly merged: MergedCaptures;
  readonly frames: FrameMap;
}

const spanTime = (s: FileSpan, sec: number, nsec: number, digits: number): string | null =>
  Number.isNaN(sec) ? null : isoTime(sec, nsec as Nanos, digits);

export function mergedCaptures(m: MergedCaptures): CaptureJson[] {
  return m.infos.map((c, k) => {
    const s = m.spans[k];
    return {
      file: c.file, format: c.format, gzip: c.gzip, packets: c.packets,
      linkTypes: c.linkTypes.map(linkTypeName),
      firstTime: spanTime(s, s.firstSec, s.firstNsec, c.tsDigits),
      lastTime: spanTime(s, s.lastSec, s.lastNsec, c.tsDigits),
      warnings: c.warnings, error: c.error,
    };
  });
}

/** The merged trace as a whole. */
export function mergedTrace(input: MergedInput): object {
  const r = input.result;
  return {
    files: input.merged.infos.length, packets: input.capture.packets,
    firstTime: r.firstTime, lastTime: r.lastTime,
    warnings: [...r.warnings, ...input.merged.warnings],
  };
}

export function mergedFlow(frames: FrameMap, f: FlowReport): object {
  return {
    capture: frames.captureOf(f.firstFrame), captureFrame: frames.frameIn(f.firstFrame),
    lastCapture: frames.captureOf(f.lastFrame), lastCaptureFrame: frames.frameIn(f.lastFrame),
    ...f,
  };
}

export function mergedEvent(frames: FrameMap, e: KeepaliveEvent): object {
  return { capture: frames.captureOf(e.frame), captureFrame: frames.frameIn(e.frame), ...e };
}

export function mergedEventLine(frames: FrameMap, e: KeepaliveEvent): string {
  return `${JSON.stringify({ type: e.type, ...mergedEvent(frames, e) })}\n`;
}

export function writeMergedLines(input: MergedInput, out: (s: string) => void): void {
  mergedCaptures(input.merged).forEach((c, k) => out(`${JSON.stringify({ type: 'capture', capture: k, ...c })}\n`));
  out(`${JSON.stringify({ type: 'merged', ...mergedTrace(input) })}\n`);
  for (const f of input.flows) out(`${JSON.stringify({ type: 'flow', ...mergedFlow(input.frames, f) })}\n`);
  out(`${JSON.stringify({ type: 'summary', ...mergeSummaries([input]) })}\n`);
}

export const MERGED_CSV_COLUMNS = [...CSV_COLUMNS, 'capture_frame', 'last_capture', 'last_capture_frame'] as const;

export function mergedCsvHeader(): string {
  return csvRecord(MERGED_CSV_COLUMNS);
}

/** CSV rows of a merged flow: `capture` and `file` name the input of its first frame. */
export function mergedFlowRows(input: MergedInput, f: FlowReport): string {
  const frames = input.frames;
  const k = frames.captureOf(f.firstFrame);
  const file = input.merged.infos[k]?.file ?? '';
  return flowRows(k, file, f, [frames.frameIn(f.firstFrame), frames.captureOf(f.lastFrame), frames.frameIn(f.lastFrame)]);
}

export function writeMergedJson(input: MergedInput, withEvents: boolean, sink: JsonSink): void {
  sink.add(`{\n  "captures": ${nest(mergedCaptures(input.merged), 1)},\n`);
  sink.add(`  "merged": ${nest(mergedTrace(input), 1)},\n`);
  const list = (key: string, items: Iterable<object>): void => {
    let first = true;
    for (const item of items) {
      sink.add(first ? `  "${key}": [\n    ` : ',\n    ');
      first = false;
      sink.add(nest(item, 2));
    }
    sink.add(`${first ? `  "${key}": []` : '\n  ]'},\n`);
  };
  const frames = input.frames;
  if (input.flows.rows !== undefined) writeRows(input, input.flows.rows, sink);
  else list('flows', map(input.flows, (f) => mergedFlow(frames, f)));
  if (withEvents) list('events', map(input.events, (e) => mergedEvent(frames, e)));
  sink.add(`  "summary": ${nest(mergeSummaries([input]), 1)}\n}\n`);
}

function* map<T, U>(items: Iterable<T>, f: (t: T) => U): Iterable<U> {
  for (const t of items) yield f(t);
}

/** Bytes of `"capture": ` at a flow's start, as flow-json.ts writes it. */
const CAPTURE_AT = Buffer.byteLength('{\n      "capture": ');

/**
 * The flows straight from their snapshot rows (flow-json.ts, as the report without --merge is
 * written), with the merge's fields put in after `capture`: the same text as mergedFlow's object.
 */
function writeRows(input: MergedInput, rows: FlowRows, sink: JsonSink): void {
  const frames = input.frames;
  const scratch = Buffer.alloc(FLOW_JSON_MAX_BYTES);
  let first = true;
  rows.each((row, off) => {
    const firstFrame = row[off + SnapshotField.FirstFrame], lastFrame = row[off + SnapshotField.LastFrame];
    const k = frames.captureOf(firstFrame);
    const end = writeFlowJson(scratch, 0, row, off, rows.epochSecond, k);
    const head = CAPTURE_AT + String(k).length;
    const extra = `,\n      "captureFrame": ${frames.frameIn(firstFrame)},\n      "lastCapture": ${frames.captureOf(lastFrame)},` +
      `\n      "lastCaptureFrame": ${frames.frameIn(lastFrame)}`;
    const sep = first ? '  "flows": [\n    ' : ',\n    ';
    const room = sink.room(sep.length + extra.length + end);
    let p = sink.position;
    p = ascii(room, p, sep);
    room.set(scratch.subarray(0, head), p); p += head;
    p = ascii(room, p, extra);
    room.set(scratch.subarray(head, end), p); p += end - head;
    sink.advance(p);
    first = false;
  });
  sink.add(`${first ? '  "flows": []' : '\n  ]'},\n`);
}

/** ASCII text written at `p`; returns the position after it. */
function ascii(buf: Uint8Array, p: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[p + i] = text.charCodeAt(i);
  return p + text.length;
}
