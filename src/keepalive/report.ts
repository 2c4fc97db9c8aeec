// Flow state → the report shape of the output contract (model.ts), in two steps. When a flow is
// retired, snapshotFlow() copies what its report needs into one row of numbers (no strings, no
// objects); the text (times, addresses, rounded spreads, settings) is made from the row only when
// the report is read: building the report objects as flows retire, on the engine's thread, costs
// a large share of its time on big captures (bench/README.md).
import { END_NAMES, type Flow } from '../flow/flow';
import type { ProberState } from './prober';
import { isoTime, nanosToSeconds, type FrameNo, type Nanos } from '../units';
import { TENANT_NAMES, tenantHasId } from '../decode/tunnel/state';
import { OUTCOMES, type Closing, type FlowReport, type FlowTunnel, type Role, type InferredSettings, type KeepaliveReport, type Outcome, type Spread } from './model';
import type { Sample } from './sample';
import { inferSettings } from './settings';
import { fateOf } from './fate-row';
import { ENDPOINT_FIELDS, endpointName, SnapshotField } from './snapshot';

export { ENDPOINT_FIELDS, SNAPSHOT_DOUBLES, SnapshotField, endpointName, snapshotFate } from './snapshot';

export const NS_TO_S = 1e-9;
export const NS_TO_MS = 1e-6;


/** Copies what the report of `flow` needs into `row` from `off`. Run once per retired, reported flow. */
export function snapshotFlow(flow: Flow, proberA: ProberState | null, proberB: ProberState | null, digits: number, row: Float64Array, off: number): void {
  row[off + SnapshotField.Id] = flow.id;
  row[off + SnapshotField.Digits] = digits;
  row[off + SnapshotField.Key] = flow.ipVersion | flow.vlanOuter << 4 | flow.vlanInner << 16 | flow.tenantKind << 28;
  row[off + SnapshotField.Tenant] = flow.tenantId;
  row[off + SnapshotField.PortA] = flow.portA;
  row[off + SnapshotField.PortB] = flow.portB;
  for (let i = 0; i < 4; i++) {
    row[off + SnapshotField.A0 + i] = flow.addrWord(true, i);
    row[off + SnapshotField.B0 + i] = flow.addrWord(false, i);
  }
  row[off + SnapshotField.ClientIsA] = flow.clientIsA ? 1 : 0;
  row[off + SnapshotField.Midstream] = flow.midstream ? 1 : 0;
  row[off + SnapshotField.FirstFrame] = flow.firstFrame;
  row[off + SnapshotField.LastFrame] = flow.lastFrame;
  row[off + SnapshotField.FirstTime] = flow.firstTime;
  row[off + SnapshotField.LastTime] = flow.lastTime;
  row[off + SnapshotField.Packets] = flow.packets;
  row[off + SnapshotField.MaxGap] = flow.maxGap;
  row[off + SnapshotField.ZeroWindowProbes] = flow.zeroWindowProbes;
  row[off + SnapshotField.End] = END_NAMES.indexOf(flow.end);
  row[off + SnapshotField.CloseBits] = flow.closeBits;
  snapshotProber(proberA, row, off);
  snapshotProber(proberB, row, off + ENDPOINT_FIELDS);
}

function snapshotProber(pr: ProberState | null, row: Float64Array, off: number): void {
  if (pr === null || pr.probes === 0) { row[off + SnapshotField.Probes] = 0; return; }
  row[off + SnapshotField.Probes] = pr.probes;
  row[off + SnapshotField.Acked] = pr.acked;
  row[off + SnapshotField.Resets] = pr.resets;
  row[off + SnapshotField.Icmp] = pr.icmp;
  row[off + SnapshotField.ProbeBytes] = pr.probeBytes;
  row[off + SnapshotField.MaxUnanswered] = pr.maxUnanswered;
  row[off + SnapshotField.Outcome] = pr.outcome === null ? -1 : OUTCOMES.indexOf(pr.outcome);
  row[off + SnapshotField.GiveUpAfter] = pr.giveUpAfter ?? -1;
  snapshotSample(pr.idle, row, off + SnapshotField.Idle);
  snapshotSample(pr.interval, row, off + SnapshotField.Interval);
  snapshotSample(pr.rtt, row, off + SnapshotField.Rtt);
}

function snapshotSample(s: Sample, row: Float64Array, off: number): void {
  row[off] = s.count;
  if (s.count === 0) return;
  row[off + 1] = s.min;
  row[off + 2] = s.median();
  row[off + 3] = s.max;
}

/** The id of the snapshot at `off`. */
export const snapshotId = (row: Float64Array, off: number): number => row[off + SnapshotField.Id];

/**
 * `scaled`, which is `ns` in seconds or milliseconds, rounded to `digits` decimals where the last
 * one is a microsecond (seconds to 6, milliseconds to 3): Number(scaled.toFixed(digits)). A whole
 * number of microseconds, which every value of a µs capture is, needs no text: µs / 10^digits is
 * the double nearest that decimal, the one Number() parses (checked over 10 M values against both
 * ways of scaling used here). toFixed is a visible share of rendering JSON (bench/README.md).
 */
export function roundToUs(ns: number, scaled: number, digits: 6 | 3): number {
  const us = ns / 1000;
  if (Number.isInteger(us)) return us / (digits === 6 ? 1e6 : 1e3);
  return Number(scaled.toFixed(digits));
}

/** min/median/max of the sample at `off` scaled by `factor` (ns → s or ms), rounded; null when empty. */
function spread(row: Float64Array, off: number, factor: number, digits: 6 | 3): Spread | null {
  if (row[off] === 0) return null;
  return {
    min: sampleValue(row, off, 1, factor, digits),
    median: sampleValue(row, off, 2, factor, digits),
    max: sampleValue(row, off, 3, factor, digits),
  };
}

function proberReport(row: Float64Array, off: number, role: 'client' | 'server'): KeepaliveReport | null {
  const probes = row[off + SnapshotField.Probes];
  if (probes === 0) return null;
  const acked = row[off + SnapshotField.Acked], resets = row[off + SnapshotField.Resets], icmp = row[off + SnapshotField.Icmp];
  return {
    prober: role,
    probes,
    acked,
    unanswered: probes - acked - resets - icmp,
    resets,
    icmp,
    probeBytes: row[off + SnapshotField.ProbeBytes],
    idleSeconds: spread(row, off + SnapshotField.Idle, NS_TO_S, 6),
    intervalSeconds: spread(row, off + SnapshotField.Interval, NS_TO_S, 6),
    rttMs: spread(row, off + SnapshotField.Rtt, NS_TO_MS, 3),
    maxUnanswered: row[off + SnapshotField.MaxUnanswered],
    outcome: outcomeName(row, off),
    settings: proberSettings(row, off),
  };
}

/** Sample `i` (1 min, 2 median, 3 max) of the sample at `off` scaled by `factor` (ns → s or ms), rounded as reports show it. */
export function sampleValue(row: Float64Array, off: number, i: 1 | 2 | 3, factor: number, digits: 6 | 3): number {
  const ns = row[off + i];
  return roundToUs(ns, ns * factor, digits);
}

/** The outcome of the prober whose fields start at `off`. */
export function outcomeName(row: Float64Array, off: number): Outcome {
  const outcome = row[off + SnapshotField.Outcome];
  return outcome < 0 ? 'unanswered' : OUTCOMES[outcome];
}

/** The keepalive settings and stack defaults matching the prober whose fields start at `off`. */
export function proberSettings(row: Float64Array, off: number): InferredSettings {
  const idle = row[off + SnapshotField.Idle] === 0 ? null : sampleValue(row, off + SnapshotField.Idle, 2, NS_TO_S, 6);
  const interval = row[off + SnapshotField.Interval] === 0 ? null : sampleValue(row, off + SnapshotField.Interval, 2, NS_TO_S, 6);
  const giveUpAfter = row[off + SnapshotField.GiveUpAfter];
  return inferSettings(idle, interval, giveUpAfter < 0 ? null : giveUpAfter, row[off + SnapshotField.ProbeBytes]);
}

/** Whether the flow at `off` would be reported without --all-flows: either end probed, or zero-window probes were seen. */
export function rowHasActivity(row: Float64Array, off: number): boolean {
  return row[off + SnapshotField.Probes] !== 0 || row[off + ENDPOINT_FIELDS + SnapshotField.Probes] !== 0 || row[off + SnapshotField.ZeroWindowProbes] !== 0;
}

/** The tunnel a snapshot's flow came through, or undefined. */
export function tunnelOf(row: Float64Array, off: number): FlowTunnel | undefined {
  const kind = row[off + SnapshotField.Key] >>> 28;
  if (kind === 0) return undefined;
  const name = TENANT_NAMES[kind] as FlowTunnel['kind'];
  return tenantHasId(kind) ? { kind: name, id: row[off + SnapshotField.Tenant] } : { kind: name };
}

const tunnelField = (row: Float64Array, off: number): { tunnel?: FlowTunnel } => {
  const tunnel = tunnelOf(row, off);
  return tunnel === undefined ? {} : { tunnel };
};

/** The report of the snapshot at `off`; `epochSec` is the analysis's epoch second (Nanos count from it). */
export function buildFlowReport(row: Float64Array, off: number, epochSec: number): FlowReport {
  const clientIsA = row[off + SnapshotField.ClientIsA] === 1;
  const keepalive: KeepaliveReport[] = [];
  const c = proberReport(row, off + (clientIsA ? 0 : ENDPOINT_FIELDS), 'client');
  if (c) keepalive.push(c);
  const s = proberReport(row, off + (clientIsA ? ENDPOINT_FIELDS : 0), 'server');
  if (s) keepalive.push(s);
  const key = row[off + SnapshotField.Key];
  const vlan: number[] = [];
  if ((key >>> 4) & 0xfff) vlan.push((key >>> 4) & 0xfff);
  if ((key >>> 16) & 0xfff) vlan.push((key >>> 16) & 0xfff);
  const digits = row[off + SnapshotField.Digits];
  const report: FlowReport = {
    id: row[off + SnapshotField.Id],
    client: endpointName(row, off, clientIsA),
    server: endpointName(row, off, !clientIsA),
    vlan,
    // Left out outside tunnels, so such flows' text is as it was.
    ...tunnelField(row, off),
    firstFrame: row[off + SnapshotField.FirstFrame] as FrameNo,
    lastFrame: row[off + SnapshotField.LastFrame] as FrameNo,
    firstTime: isoTime(epochSec, row[off + SnapshotField.FirstTime] as Nanos, digits),
    lastTime: isoTime(epochSec, row[off + SnapshotField.LastTime] as Nanos, digits),
    midstream: row[off + SnapshotField.Midstream] === 1,
    packets: row[off + SnapshotField.Packets],
    maxIdleSeconds: roundToUs(row[off + SnapshotField.MaxGap], nanosToSeconds(row[off + SnapshotField.MaxGap]), 6),
    zeroWindowProbes: row[off + SnapshotField.ZeroWindowProbes],
    end: END_NAMES[row[off + SnapshotField.End]],
    ...(row[off + SnapshotField.Continues] >= 0 ? { continues: row[off + SnapshotField.Continues] } : {}),
    fate: fateOf(row, off),
    keepalive,
  };
  const bits = row[off + SnapshotField.CloseBits];
  const role = (isA: boolean): Role => (isA === clientIsA ? 'client' : 'server');
  const fin: Role[] = [];
  if (bits & 1) fin.push(role(true));
  if (bits & 2) fin.push(role(false));
  const closing: Closing = { rstFrom: report.end === 'rst' ? role((bits & 4) === 0) : null, finFrom: fin };
  // Not enumerable: the table says who closed; the JSON, NDJSON and CSV fields stay as documented.
  Object.defineProperty(report, 'closing', { value: closing, enumerable: false });
  return report;
}
