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
  return `${JSON.stringify(buildJsonReport(inputs, withEvents), null, 2)}\n`;
}
