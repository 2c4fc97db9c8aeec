// `--format json`: one object for all inputs. Flow and event ids are per input; the `capture`
// field (index into `captures`) tells inputs apart.
import type { FlowReport, KeepaliveEvent } from '../keepalive/model';
import type { PathReport } from '../path/paths';
import { captureJson, type CaptureJson } from './capture-info';
import { FLOW_JSON_MAX_BYTES, writeFlowJson } from './flow-json';
import { mergeSummaries, type AnalyzedInput, type MergedSummary } from './inputs';
import { EventSpool } from './event-spool';

export type FlowJson = { readonly capture: number } & FlowReport;
export type EventJson = { readonly capture: number } & KeepaliveEvent;
export type PathJson = { readonly capture: number } & PathReport;

export interface JsonReport {
  readonly captures: CaptureJson[];
  readonly flows: FlowJson[];
  /** Each input's paths and their idle-timeout brackets (path/paths.ts). */
  readonly paths: PathJson[];
  /** Present only with --events. */
  readonly events?: EventJson[];
  readonly summary: MergedSummary;
}

export function buildJsonReport(inputs: readonly AnalyzedInput[], withEvents: boolean): JsonReport {
  const flows: FlowJson[] = [];
  const events: EventJson[] = [];
  const paths: PathJson[] = [];
  for (const input of inputs) {
    for (const f of input.flows) flows.push({ capture: input.index, ...f });
    for (const p of input.result.paths) paths.push({ capture: input.index, ...p });
    if (withEvents) for (const e of input.events) events.push({ capture: input.index, ...e });
  }
  const summary = mergeSummaries(inputs);
  const captures = inputs.map(captureJson);
  return withEvents ? { captures, flows, paths, events, summary } : { captures, flows, paths, summary };
}

/** The whole report as one string (small reports: live's final report, tests). */
export function renderJson(inputs: readonly AnalyzedInput[], withEvents: boolean): string {
  const sink = new StringSink();
  writeJson(inputs, withEvents, sink);
  return sink.text();
}

/**
 * JSON.stringify(v, null, 2) for a value `depth` levels inside the document: every line after the
 * first indented by 2 × depth more spaces. The value is stringified inside `depth` nested arrays,
 * which JSON.stringify indents exactly so, and cut back out (a slice, not a copy): re-indenting
 * with a regular expression allocates four times the text (bench/README.md).
 */
export function nest(v: unknown, depth: number): string {
  let wrapped = v;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // Opening: "[\n" plus the next level's indent, per level; closing: "\n" plus indent and "]".
  const open = depth * 2 + depth * (depth + 1), close = depth * 2 + depth * (depth - 1);
  return text.slice(open, text.length - close);
}

/** Where writeJson puts the report: text, or bytes a writer puts straight into the sink's buffer. */
export interface JsonSink {
  add(text: string): void;
  /** A buffer with at least `maxBytes` free from `position`, for bytes written there directly. */
  room(maxBytes: number): Uint8Array;
  readonly position: number;
  /** The bytes written after room() end at `to`. */
  advance(to: number): void;
}

/** startItem()'s separator as bytes, for flows written into the sink's buffer. */
const FLOW_SEPARATOR = Buffer.from(',\n    ');

/**
 * Writes the JSON report of `inputs` into `sink` one flow or event at a time, so a report of tens
 * of thousands of flows is never one string (or one copied object graph) in memory. Flows that
 * come with their snapshot rows are written from the rows as bytes (flow-json.ts); others, and
 * events, are stringified.
 */
export function writeJson(inputs: readonly AnalyzedInput[], withEvents: boolean, sink: JsonSink, spool: EventSpool | null = null): void {
  sink.add(`{\n  "captures": ${nest(inputs.map(captureJson), 1)},\n`);
  let first = true;
  for (const input of inputs) {
    const rows = input.flows.rows;
    if (rows === undefined) {
      for (const f of input.flows) {
        startItem(sink, 'flows', first);
        first = false;
        itemText(sink, input.index, f);
      }
      continue;
    }
    rows.each((row, off) => {
      if (first) startItem(sink, 'flows', true);
      const buf = sink.room(FLOW_JSON_MAX_BYTES + FLOW_SEPARATOR.length);
      let p = sink.position;
      if (!first) { FLOW_SEPARATOR.copy(buf, p); p += FLOW_SEPARATOR.length; }
      first = false;
      sink.advance(writeFlowJson(buf, p, row, off, rows.epochSecond, input.index));
    });
  }
  endList(sink, 'flows', first);
  first = true;
  for (const input of inputs) {
    for (const path of input.result.paths) {
      startItem(sink, 'paths', first);
      first = false;
      itemText(sink, input.index, path);
    }
  }
  endList(sink, 'paths', first);
  if (withEvents && spool !== null) {
    // The events as they were spooled during the analysis (every input's, in order).
    if (spool.count > 0) { startItem(sink, 'events', true); spool.writeTo(sink); }
    endList(sink, 'events', spool.count === 0);
  } else if (withEvents) {
    first = true;
    for (const input of inputs) {
      for (const e of input.events) {
        startItem(sink, 'events', first);
        first = false;
        itemText(sink, input.index, e);
      }
    }
    endList(sink, 'events', first);
  }
  sink.add(`  "summary": ${nest(mergeSummaries(inputs), 1)}\n}\n`);
}

/** Before an item of the list `key`: the list's opening for the first item, else the separator. */
function startItem(sink: JsonSink, key: string, first: boolean): void {
  sink.add(first ? `  "${key}": [\n    ` : ',\n    ');
}

/** After the list `key`: its closing, or the whole list when it had no item. */
function endList(sink: JsonSink, key: string, empty: boolean): void {
  sink.add(`${empty ? `  "${key}": []` : '\n  ]'},\n`);
}

/** A spool for the events of writeJson, rendered as writeJson renders them. */
export function jsonEventSpool(): EventSpool {
  return new EventSpool((capture, e) => `{\n      "capture": ${capture},${nest(e, 2).slice(1)}`, ',\n    ');
}

/**
 * A flow or event as if it were { capture, ...item }: its text with the capture field put in front
 * of the first, in pieces, without copying the item into a new object or joining the pieces into
 * one string (garbage; bench/README.md).
 */
function itemText(sink: JsonSink, capture: number, item: object): void {
  sink.add(`{\n      "capture": ${capture},`);
  sink.add(nest(item, 2).slice(1));
}

/** Collects the report as text. */
class StringSink implements JsonSink {
  private readonly parts: string[] = [];
  private buf = Buffer.alloc(2 * FLOW_JSON_MAX_BYTES);
  readonly position = 0;
  add(text: string): void { this.parts.push(text); }
  room(maxBytes: number): Uint8Array {
    if (maxBytes > this.buf.length) this.buf = Buffer.alloc(maxBytes);
    return this.buf;
  }
  advance(to: number): void { this.parts.push(this.buf.toString('utf8', 0, to)); }
  text(): string { return this.parts.join(''); }
}
