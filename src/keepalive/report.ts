// Flow state → the report shape of the output contract (model.ts), in two steps. When a flow is
// retired, snapshotFlow() copies what its report needs into one row of numbers (no strings, no
// objects); the text (times, addresses, rounded spreads, settings) is made from the row only when
// the report is read: building the report objects as flows retire, on the engine's thread, costs
// a large share of its time on big captures (bench/README.md).
import { END_NAMES, type Flow, type FlowEnd } from '../flow/flow';
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
  row[off + SnapshotField.AnswersLost] = pr.answersLost;
  row[off + SnapshotField.LostIdle] = pr.outcome === 'timeout' ? pr.lostIdle : -1;
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

/** The three samples of a prober in a snapshot row. */
export const enum ProberSample { Idle = SnapshotField.Idle, Interval = SnapshotField.Interval, Rtt = SnapshotField.Rtt }

/**
 * The one reader of snapshot rows: every value a report shows, read from the row at `off`, in the
 * report's units and rounding. buildFlowReport and report/flow-json.ts both read through it, so the
 * objects and the bytes cannot drift apart. Reused: at() points it at a row, nothing is allocated.
 * A prober is named by `side`: 0 for endpoint a's fields, ENDPOINT_FIELDS for b's (clientSide()).
 */
export class SnapshotRow {
  private row: Float64Array = new Float64Array(0);
  private off = 0;

  at(row: Float64Array, off: number): this { this.row = row; this.off = off; return this; }

  private f(field: number): number { return this.row[this.off + field]; }

  get id(): number { return this.f(SnapshotField.Id); }
  /** Fractional digits the capture's timestamps had when the flow was retired. */
  get digits(): number { return this.f(SnapshotField.Digits); }
  get clientIsA(): boolean { return this.f(SnapshotField.ClientIsA) === 1; }
  /** Prober sides of the client and the server. */
  clientSide(): number { return this.clientIsA ? 0 : ENDPOINT_FIELDS; }
  serverSide(): number { return this.clientIsA ? ENDPOINT_FIELDS : 0; }
  get isIpv4(): boolean { return (this.f(SnapshotField.Key) & 0xf) === 4; }
  /** VLAN IDs, 0 when absent. */
  get vlanOuter(): number { return (this.f(SnapshotField.Key) >>> 4) & 0xfff; }
  get vlanInner(): number { return (this.f(SnapshotField.Key) >>> 16) & 0xfff; }
  /** Address word 0 of endpoint a or b (the whole IPv4 address) and its port. */
  addressWord(isA: boolean): number { return this.f(isA ? SnapshotField.A0 : SnapshotField.B0); }
  port(isA: boolean): number { return this.f(isA ? SnapshotField.PortA : SnapshotField.PortB); }
  /** `ip:port` of endpoint a (isA) or b. */
  endpointName(isA: boolean): string { return endpointName(this.row, this.off, isA); }
  get firstFrame(): FrameNo { return this.f(SnapshotField.FirstFrame) as FrameNo; }
  get lastFrame(): FrameNo { return this.f(SnapshotField.LastFrame) as FrameNo; }
  get firstTime(): Nanos { return this.f(SnapshotField.FirstTime) as Nanos; }
  get lastTime(): Nanos { return this.f(SnapshotField.LastTime) as Nanos; }
  get midstream(): boolean { return this.f(SnapshotField.Midstream) === 1; }
  get packets(): number { return this.f(SnapshotField.Packets); }
  get maxIdleSeconds(): number {
    const gap = this.f(SnapshotField.MaxGap);
    return roundToUs(gap, nanosToSeconds(gap), 6);
  }
  get zeroWindowProbes(): number { return this.f(SnapshotField.ZeroWindowProbes); }
  get end(): FlowEnd { return END_NAMES[this.f(SnapshotField.End)]; }
  /** Flow.closeBits: FIN from a (1), FIN from b (2), the RST came from b (4). */
  get closeBits(): number { return this.f(SnapshotField.CloseBits); }
  /** The tunnel the flow came through, or undefined. */
  get tunnel(): FlowTunnel | undefined { return tunnelOf(this.row, this.off); }
  /** The id of the evicted flow this one continues (--max-flows), -1 none. */
  get continues(): number { return this.f(SnapshotField.Continues); }
  /** Would be reported without --all-flows: either end probed, or zero-window probes were seen. */
  get hasActivity(): boolean {
    return this.f(SnapshotField.Probes) !== 0 || this.f(ENDPOINT_FIELDS + SnapshotField.Probes) !== 0 || this.f(SnapshotField.ZeroWindowProbes) !== 0;
  }

  probes(side: number): number { return this.f(side + SnapshotField.Probes); }
  acked(side: number): number { return this.f(side + SnapshotField.Acked); }
  resets(side: number): number { return this.f(side + SnapshotField.Resets); }
  icmp(side: number): number { return this.f(side + SnapshotField.Icmp); }
  unanswered(side: number): number { return this.probes(side) - this.acked(side) - this.resets(side) - this.icmp(side); }
  probeBytes(side: number): number { return this.f(side + SnapshotField.ProbeBytes); }
  maxUnanswered(side: number): number { return this.f(side + SnapshotField.MaxUnanswered); }
  /** ACKs seen on the wire that never reached the prober. */
  answersLost(side: number): number { return this.f(side + SnapshotField.AnswersLost); }
  outcome(side: number): Outcome {
    const o = this.f(side + SnapshotField.Outcome);
    return o < 0 ? 'unanswered' : OUTCOMES[o];
  }
  /** How many values the sample holds (0: the report shows null). */
  sampleCount(side: number, s: ProberSample): number { return this.f(side + s); }
  /**
   * Value `i` (1 min, 2 median, 3 max) of a sample, in the report's unit (idle and interval in
   * seconds to the µs, RTT in ms to the µs).
   */
  sampleValue(side: number, s: ProberSample, i: 1 | 2 | 3): number {
    const ns = this.f(side + s + i);
    return s === ProberSample.Rtt ? roundToUs(ns, ns * NS_TO_MS, 3) : roundToUs(ns, ns * NS_TO_S, 6);
  }
  spread(side: number, s: ProberSample): Spread | null {
    if (this.sampleCount(side, s) === 0) return null;
    return { min: this.sampleValue(side, s, 1), median: this.sampleValue(side, s, 2), max: this.sampleValue(side, s, 3) };
  }
  /** The keepalive settings and stack defaults matching the prober. */
  settings(side: number): InferredSettings {
    const idle = this.sampleCount(side, ProberSample.Idle) === 0 ? null : this.sampleValue(side, ProberSample.Idle, 2);
    const interval = this.sampleCount(side, ProberSample.Interval) === 0 ? null : this.sampleValue(side, ProberSample.Interval, 2);
    const giveUpAfter = this.f(side + SnapshotField.GiveUpAfter);
    return inferSettings(idle, interval, giveUpAfter < 0 ? null : giveUpAfter, this.probeBytes(side));
  }
}

/** The id of the snapshot at `off`. */
export const snapshotId = (row: Float64Array, off: number): number => row[off + SnapshotField.Id];

/** Whether the flow at `off` would be reported without --all-flows. */
export const rowHasActivity = (row: Float64Array, off: number): boolean => reader.at(row, off).hasActivity;

const reader = new SnapshotRow();

function proberReport(r: SnapshotRow, side: number, role: 'client' | 'server'): KeepaliveReport | null {
  const probes = r.probes(side);
  if (probes === 0) return null;
  return {
    prober: role,
    probes,
    acked: r.acked(side),
    unanswered: r.unanswered(side),
    resets: r.resets(side),
    icmp: r.icmp(side),
    probeBytes: r.probeBytes(side),
    idleSeconds: r.spread(side, ProberSample.Idle),
    intervalSeconds: r.spread(side, ProberSample.Interval),
    rttMs: r.spread(side, ProberSample.Rtt),
    maxUnanswered: r.maxUnanswered(side),
    outcome: r.outcome(side),
    // Only when some were lost, so the reports of every other prober read as before.
    ...(r.answersLost(side) > 0 ? { answersLost: r.answersLost(side) } : {}),
    settings: r.settings(side),
  };
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
  const r = reader.at(row, off);
  const keepalive: KeepaliveReport[] = [];
  const c = proberReport(r, r.clientSide(), 'client');
  if (c) keepalive.push(c);
  const s = proberReport(r, r.serverSide(), 'server');
  if (s) keepalive.push(s);
  const vlan: number[] = [];
  if (r.vlanOuter) vlan.push(r.vlanOuter);
  if (r.vlanInner) vlan.push(r.vlanInner);
  const digits = r.digits;
  const report: FlowReport = {
    id: r.id,
    client: r.endpointName(r.clientIsA),
    server: r.endpointName(!r.clientIsA),
    vlan,
    // Left out outside tunnels, so such flows' text is as it was.
    ...tunnelField(row, off),
    firstFrame: r.firstFrame,
    lastFrame: r.lastFrame,
    firstTime: isoTime(epochSec, r.firstTime, digits),
    lastTime: isoTime(epochSec, r.lastTime, digits),
    midstream: r.midstream,
    packets: r.packets,
    maxIdleSeconds: r.maxIdleSeconds,
    zeroWindowProbes: r.zeroWindowProbes,
    end: r.end,
    ...(r.continues >= 0 ? { continues: r.continues } : {}),
    fate: fateOf(row, off),
    keepalive,
  };
  const bits = r.closeBits, clientIsA = r.clientIsA;
  const role = (isA: boolean): Role => (isA === clientIsA ? 'client' : 'server');
  const fin: Role[] = [];
  if (bits & 1) fin.push(role(true));
  if (bits & 2) fin.push(role(false));
  const closing: Closing = { rstFrom: report.end === 'rst' ? role((bits & 4) === 0) : null, finFrom: fin };
  // Not enumerable: the table says who closed; the JSON, NDJSON and CSV fields stay as documented.
  Object.defineProperty(report, 'closing', { value: closing, enumerable: false });
  return report;
}
