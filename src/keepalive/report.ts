// Flow state → the report shape of the output contract (model.ts), in two steps. When a flow is
// retired, snapshotFlow() copies what its report needs into one row of numbers (no strings, no
// objects); the text (times, addresses, rounded spreads, settings) is made from the row only when
// the report is read. Building the report objects as flows retired, and keeping them as JSON text
// past a few thousand, cost the engine's thread 17 µs per reported flow: 0.6 s of the 4 GiB bench
// capture's 3.1 s (README "Benchmark").
import { formatEndpoint, formatIpv4Endpoint } from '../flow/address';
import { END_NAMES, type Flow } from '../flow/flow';
import type { ProberState } from './prober';
import { isoTime, nanosToSeconds, type FrameNo, type Nanos } from '../units';
import { OUTCOMES, type FlowReport, type InferredSettings, type KeepaliveReport, type Outcome, type Spread } from './model';
import type { Sample } from './sample';
import { inferSettings } from './settings';

export const NS_TO_S = 1e-9;
export const NS_TO_MS = 1e-6;

/** Fields of a snapshot row (Float64 each). Endpoint b's fields are a's + ENDPOINT_FIELDS. */
export const enum F {
  Id = 0,
  /** Timestamp digits of the capture when the flow was retired (reports show that resolution). */
  Digits = 1,
  /** ipVersion | vlanOuter << 4 | vlanInner << 16, as the store's W.Key. */
  Key = 2,
  PortA = 3, PortB = 4,
  /** Address words of a and b (IPv4: word 0 only), as signed 32-bit integers. */
  A0 = 5, B0 = 9,
  ClientIsA = 13, Midstream = 14,
  FirstFrame = 15, LastFrame = 16, FirstTime = 17, LastTime = 18, Packets = 19, MaxGap = 20,
  ZeroWindowProbes = 21, End = 22,
  /** Endpoint a's prober: probes (0 = none), then the counts, then three samples. */
  Probes = 23, Acked = 24, Resets = 25, Icmp = 26, ProbeBytes = 27, MaxUnanswered = 28,
  /** Outcome code (OUTCOMES index), -1 none yet. */
  Outcome = 29,
  /** Probes before the prober gave up, -1 when it did not. */
  GiveUpAfter = 30,
  /** count, min, median, max of each sample. */
  Idle = 31, Interval = 35, Rtt = 39,
}
export const ENDPOINT_FIELDS = 20;

/** Doubles per snapshot row (512 bytes). */
export const SNAPSHOT_DOUBLES = 64;


/** Copies what the report of `flow` needs into `row` from `off`. Run once per retired, reported flow. */
export function snapshotFlow(flow: Flow, proberA: ProberState | null, proberB: ProberState | null, digits: number, row: Float64Array, off: number): void {
  row[off + F.Id] = flow.id;
  row[off + F.Digits] = digits;
  row[off + F.Key] = flow.ipVersion | flow.vlanOuter << 4 | flow.vlanInner << 16;
  row[off + F.PortA] = flow.portA;
  row[off + F.PortB] = flow.portB;
  for (let i = 0; i < 4; i++) {
    row[off + F.A0 + i] = flow.addrWord(true, i);
    row[off + F.B0 + i] = flow.addrWord(false, i);
  }
  row[off + F.ClientIsA] = flow.clientIsA ? 1 : 0;
  row[off + F.Midstream] = flow.midstream ? 1 : 0;
  row[off + F.FirstFrame] = flow.firstFrame;
  row[off + F.LastFrame] = flow.lastFrame;
  row[off + F.FirstTime] = flow.firstTime;
  row[off + F.LastTime] = flow.lastTime;
  row[off + F.Packets] = flow.packets;
  row[off + F.MaxGap] = flow.maxGap;
  row[off + F.ZeroWindowProbes] = flow.zeroWindowProbes;
  row[off + F.End] = END_NAMES.indexOf(flow.end);
  snapshotProber(proberA, row, off);
  snapshotProber(proberB, row, off + ENDPOINT_FIELDS);
}

function snapshotProber(pr: ProberState | null, row: Float64Array, off: number): void {
  if (pr === null || pr.probes === 0) { row[off + F.Probes] = 0; return; }
  row[off + F.Probes] = pr.probes;
  row[off + F.Acked] = pr.acked;
  row[off + F.Resets] = pr.resets;
  row[off + F.Icmp] = pr.icmp;
  row[off + F.ProbeBytes] = pr.probeBytes;
  row[off + F.MaxUnanswered] = pr.maxUnanswered;
  row[off + F.Outcome] = pr.outcome === null ? -1 : OUTCOMES.indexOf(pr.outcome);
  row[off + F.GiveUpAfter] = pr.giveUpAfter ?? -1;
  snapshotSample(pr.idle, row, off + F.Idle);
  snapshotSample(pr.interval, row, off + F.Interval);
  snapshotSample(pr.rtt, row, off + F.Rtt);
}

function snapshotSample(s: Sample, row: Float64Array, off: number): void {
  row[off] = s.count;
  if (s.count === 0) return;
  row[off + 1] = s.min;
  row[off + 2] = s.median();
  row[off + 3] = s.max;
}

/** The id of the snapshot at `off`. */
export const snapshotId = (row: Float64Array, off: number): number => row[off + F.Id];

/**
 * `scaled`, which is `ns` in seconds or milliseconds, rounded to `digits` decimals where the last
 * one is a microsecond (seconds to 6, milliseconds to 3): Number(scaled.toFixed(digits)). A whole
 * number of microseconds, which every value of a µs capture is, needs no text: µs / 10^digits is
 * the double nearest that decimal, the one Number() parses (checked over 10 M values against both
 * ways of scaling used here). toFixed took 10 % of rendering the 1 GiB bench capture's JSON.
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
  const probes = row[off + F.Probes];
  if (probes === 0) return null;
  const acked = row[off + F.Acked], resets = row[off + F.Resets], icmp = row[off + F.Icmp];
  return {
    prober: role,
    probes,
    acked,
    unanswered: probes - acked - resets - icmp,
    resets,
    icmp,
    probeBytes: row[off + F.ProbeBytes],
    idleSeconds: spread(row, off + F.Idle, NS_TO_S, 6),
    intervalSeconds: spread(row, off + F.Interval, NS_TO_S, 6),
    rttMs: spread(row, off + F.Rtt, NS_TO_MS, 3),
    maxUnanswered: row[off + F.MaxUnanswered],
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
  const outcome = row[off + F.Outcome];
  return outcome < 0 ? 'unanswered' : OUTCOMES[outcome];
}

/** The keepalive settings and stack defaults matching the prober whose fields start at `off`. */
export function proberSettings(row: Float64Array, off: number): InferredSettings {
  const idle = row[off + F.Idle] === 0 ? null : sampleValue(row, off + F.Idle, 2, NS_TO_S, 6);
  const interval = row[off + F.Interval] === 0 ? null : sampleValue(row, off + F.Interval, 2, NS_TO_S, 6);
  const giveUpAfter = row[off + F.GiveUpAfter];
  return inferSettings(idle, interval, giveUpAfter < 0 ? null : giveUpAfter, row[off + F.ProbeBytes]);
}

/** Whether the flow at `off` would be reported without --all-flows: either end probed, or zero-window probes were seen. */
export function rowHasActivity(row: Float64Array, off: number): boolean {
  return row[off + F.Probes] !== 0 || row[off + ENDPOINT_FIELDS + F.Probes] !== 0 || row[off + F.ZeroWindowProbes] !== 0;
}

/** `ip:port` of endpoint a (isA) or b of the snapshot at `off`. */
export function endpointName(row: Float64Array, off: number, isA: boolean): string {
  const w = off + (isA ? F.A0 : F.B0), port = row[off + (isA ? F.PortA : F.PortB)];
  // IPv4 straight from its word, with no Buffer: the 1 GiB bench capture's JSON took 6 ms less.
  if ((row[off + F.Key] & 0xf) === 4) return formatIpv4Endpoint(row[w], port);
  const addr = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) addr.writeInt32BE(row[w + i], i * 4);
  return formatEndpoint(addr, port);
}

/** The report of the snapshot at `off`; `epochSec` is the analysis's epoch second (Nanos count from it). */
export function buildFlowReport(row: Float64Array, off: number, epochSec: number): FlowReport {
  const clientIsA = row[off + F.ClientIsA] === 1;
  const keepalive: KeepaliveReport[] = [];
  const c = proberReport(row, off + (clientIsA ? 0 : ENDPOINT_FIELDS), 'client');
  if (c) keepalive.push(c);
  const s = proberReport(row, off + (clientIsA ? ENDPOINT_FIELDS : 0), 'server');
  if (s) keepalive.push(s);
  const key = row[off + F.Key];
  const vlan: number[] = [];
  if ((key >>> 4) & 0xfff) vlan.push((key >>> 4) & 0xfff);
  if ((key >>> 16) & 0xfff) vlan.push((key >>> 16) & 0xfff);
  const digits = row[off + F.Digits];
  return {
    id: row[off + F.Id],
    client: endpointName(row, off, clientIsA),
    server: endpointName(row, off, !clientIsA),
    vlan,
    firstFrame: row[off + F.FirstFrame] as FrameNo,
    lastFrame: row[off + F.LastFrame] as FrameNo,
    firstTime: isoTime(epochSec, row[off + F.FirstTime] as Nanos, digits),
    lastTime: isoTime(epochSec, row[off + F.LastTime] as Nanos, digits),
    midstream: row[off + F.Midstream] === 1,
    packets: row[off + F.Packets],
    maxIdleSeconds: roundToUs(row[off + F.MaxGap], nanosToSeconds(row[off + F.MaxGap]), 6),
    zeroWindowProbes: row[off + F.ZeroWindowProbes],
    end: END_NAMES[row[off + F.End]],
    keepalive,
  };
}
