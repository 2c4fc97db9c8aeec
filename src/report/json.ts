// `--format json`: one object for all inputs. Flow and event ids are per input; the `capture`
// field (index into `captures`) tells inputs apart.
import type { FlowReport, KeepaliveEvent } from '../keepalive/model';
import { captureJson, type CaptureJson } from './capture-info';
import { mergeSummaries, type AnalyzedInput, type MergedSummary } from './inputs';

export type FlowJson = { readonly capture: number } & FlowReport;
export type EventJson = { readonly capture: number } & KeepaliveEvent;

export interface JsonReport {
  readonly captures: CaptureJson[];
  readonly flows: FlowJson[];
  /** Present only with --events. */
  readonly events?: EventJson[];
  readonly summary: MergedSummary;
}

export function buildJsonReport(inputs: readonly AnalyzedInput[], withEvents: boolean): JsonReport {
  const flows: FlowJson[] = [];
  const events: EventJson[] = [];
  for (const input of inputs) {
    for (const f of input.flows) flows.push({ capture: input.index, ...f });
    if (withEvents) for (const e of input.events) events.push({ capture: input.index, ...e });
  }
  const summary = mergeSummaries(inputs);
  const captures = inputs.map(captureJson);
  return withEvents ? { captures, flows, events, summary } : { captures, flows, summary };
}

export function renderJson(inputs: readonly AnalyzedInput[], withEvents: boolean): string {
  return [...jsonChunks(inputs, withEvents)].join('');
}

/**
 * JSON.stringify(v, null, 2) for a value `depth` levels inside the document: every line after the
 * first indented by 2 × depth more spaces. The value is stringified inside `depth` nested arrays,
 * which JSON.stringify indents exactly so, and cut back out (a slice, not a copy). Re-indenting
 * with a regular expression instead allocated four times the text: 63 MB of the main thread's
 * 254 MB on the 1 GiB bench capture, and most of the JSON rendering time.
 */
export function nest(v: unknown, depth: number): string {
  let wrapped = v;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // Opening: "[\n" plus the next level's indent, per level; closing: "\n" plus indent and "]".
  const open = depth * 2 + depth * (depth + 1), close = depth * 2 + depth * (depth - 1);
  return text.slice(open, text.length - close);
}

/**
 * The same text as renderJson, one flow or event at a time, so a report of tens of thousands of
 * flows is never one string (or one copied object graph) in memory.
 */
export function* jsonChunks(inputs: readonly AnalyzedInput[], withEvents: boolean): Generator<string> {
  function* list(key: string, pick: (i: AnalyzedInput) => Iterable<object>, last: boolean): Generator<string> {
    let first = true;
    for (const input of inputs) {
      for (const item of pick(input)) {
        yield first ? `  "${key}": [\n    ` : ',\n    ';
        first = false;
        // The item as if it were { capture, ...item }: its text with the capture field put in
        // front of the first. The text and its pieces go to the output as they are: copying each
        // item into a new object, and joining the pieces into one string first, was a fifth of
        // the 1 GiB bench capture's JSON garbage.
        yield `{\n      "capture": ${input.index},`;
        yield nest(item, 2).slice(1);
      }
    }
    yield `${first ? `  "${key}": []` : '\n  ]'}${last ? '\n' : ',\n'}`;
  }
  yield `{\n  "captures": ${nest(inputs.map(captureJson), 1)},\n`;
  yield* list('flows', (i) => i.flows, false);
  if (withEvents) yield* list('events', (i) => i.events, false);
  yield `  "summary": ${nest(mergeSummaries(inputs), 1)}\n}\n`;
}
