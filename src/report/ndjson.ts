// `--format ndjson`: one JSON object per line. Events are written as the engine emits them;
// after each input its `capture` line, its `flow` lines and its `path` lines; a final `summary` line.
import type { FlowReport, KeepaliveEvent } from '../keepalive/model';
import type { PathReport } from '../path/paths';
import { captureJson } from './capture-info';
import { mergeSummaries, type AnalyzedInput } from './inputs';

export function eventLine(captureIndex: number, e: KeepaliveEvent): string {
  // `type` first, then `capture`, then the event's own fields.
  return `${JSON.stringify(Object.assign({ type: e.type, capture: captureIndex }, e))}\n`;
}

export function captureLine(input: AnalyzedInput): string {
  return `${JSON.stringify({ type: 'capture', capture: input.index, ...captureJson(input) })}\n`;
}

export function flowLine(captureIndex: number, f: FlowReport): string {
  return `${JSON.stringify({ type: 'flow', capture: captureIndex, ...f })}\n`;
}

export function pathLine(captureIndex: number, p: PathReport): string {
  return `${JSON.stringify({ type: 'path', capture: captureIndex, ...p })}\n`;
}

/** The capture line, flow lines and path lines of one finished input, handed to `out` one line at a time. */
export function writeInputLines(input: AnalyzedInput, out: (s: string) => void): void {
  out(captureLine(input));
  for (const f of input.flows) out(flowLine(input.index, f));
  for (const p of input.result.paths) out(pathLine(input.index, p));
}

/** The same as one string: for small inputs (live runs, tests). */
export function inputLines(input: AnalyzedInput): string {
  let text = '';
  writeInputLines(input, (s) => { text += s; });
  return text;
}

export function summaryLine(inputs: readonly AnalyzedInput[]): string {
  return `${JSON.stringify({ type: 'summary', ...mergeSummaries(inputs) })}\n`;
}
