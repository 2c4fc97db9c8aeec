// The layout of a snapshot row: what a retired flow's report is built from (report.ts builds the
// report, fate-row.ts the fate), and the reader of its endpoints.
import { formatIpv4, formatIpv6Words } from '../flow/address';
import { FlowDouble, FlowWord, Layout, type FlowStore } from '../flow/store';

/** Fields of a snapshot row (Float64 each). Endpoint b's fields are a's + ENDPOINT_FIELDS. */
export const enum SnapshotField {
  Id = 0,
  /** Timestamp digits of the capture when the flow was retired (reports show that resolution). */
  Digits = 1,
  /** ipVersion | vlanOuter << 4 | vlanInner << 16 | tenantKind << 28, as the store's FlowWord.Key. */
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
  /** ACKs seen on the wire that never reached the prober (series.ts). */
  AnswersLost = 43,
  /** Idle before the series that gave up after lost answers, ns; -1 when there is none. */
  LostIdle = 44,
  /** The flow record's fate words and doubles (flow/store.ts), copied as they are; fate-row.ts reads them. */
  TtlRange = 67, IpId = 68, FateBits = 69, RstIp = 70, RstSeq = 71, RstAck = 72, PendGapA = 73, PendGapB = 74,
  SurvivedGap = 75, IcmpKind = 76, NextSeqA = 77, NextSeqB = 78, AckedA = 79, AckedB = 80,
  /** Silence at the end of the capture, ns; -1 when the flow was retired before the end. */
  SilentAtEnd = 81,
  /** The record's FlowWord.Bits. */
  Bits = 82,
  /** The id of the evicted flow this one continues (--max-flows), -1 none. */
  Continues = 83,
  /** The tunnel's tenant identifier. */
  Tenant = 84,
  /** Flow.closeBits. */
  CloseBits = 85,
  /** FlowDouble.PendStartA/B: when each side's waiting run after an idle gap began, ns. */
  PendStartA = 86, PendStartB = 87,
}
export const ENDPOINT_FIELDS = 22;

/** Doubles per snapshot row (704 bytes). */
export const SNAPSHOT_DOUBLES = 88;

/** Copies the flow record's fate facts into `row` from `off`; `silentNs` is the silence at the capture's end, -1 if retired earlier. */
export function snapshotFate(store: FlowStore, slot: number, silentNs: number, row: Float64Array, off: number): void {
  const i32 = store.i32, f64 = store.f64, w = slot * Layout.Words, d = slot * Layout.Doubles;
  row[off + SnapshotField.TtlRange] = i32[w + FlowWord.TtlRange];
  row[off + SnapshotField.IpId] = i32[w + FlowWord.IpId];
  row[off + SnapshotField.FateBits] = i32[w + FlowWord.Fate];
  row[off + SnapshotField.RstIp] = i32[w + FlowWord.RstIp];
  row[off + SnapshotField.RstSeq] = i32[w + FlowWord.RstSeq];
  row[off + SnapshotField.RstAck] = i32[w + FlowWord.RstAck];
  row[off + SnapshotField.PendGapA] = f64[d + FlowDouble.PendGapA];
  row[off + SnapshotField.PendGapB] = f64[d + FlowDouble.PendGapB];
  row[off + SnapshotField.SurvivedGap] = f64[d + FlowDouble.SurvivedGap];
  row[off + SnapshotField.PendStartA] = f64[d + FlowDouble.PendStartA];
  row[off + SnapshotField.PendStartB] = f64[d + FlowDouble.PendStartB];
  row[off + SnapshotField.IcmpKind] = i32[w + FlowWord.Icmp];
  row[off + SnapshotField.NextSeqA] = i32[w + FlowWord.NextSeqA];
  row[off + SnapshotField.NextSeqB] = i32[w + FlowWord.NextSeqB];
  row[off + SnapshotField.AckedA] = i32[w + FlowWord.AckedA];
  row[off + SnapshotField.AckedB] = i32[w + FlowWord.AckedB];
  row[off + SnapshotField.SilentAtEnd] = silentNs;
  row[off + SnapshotField.Bits] = i32[w + FlowWord.Bits];
}


/** The address of endpoint a (isA) or b of the snapshot at `off`, as text (IPv6 in RFC 5952 form, no brackets). */
export function addressOf(row: Float64Array, off: number, isA: boolean): string {
  const w = off + (isA ? SnapshotField.A0 : SnapshotField.B0);
  // IPv4 straight from its word, with no Buffer (bench/README.md).
  if ((row[off + SnapshotField.Key] & 0xf) === 4) return formatIpv4(row[w]);
  return formatIpv6Words(row[w], row[w + 1], row[w + 2], row[w + 3]);
}

/** `ip:port` of endpoint a (isA) or b of the snapshot at `off`. */
export function endpointName(row: Float64Array, off: number, isA: boolean): string {
  const address = addressOf(row, off, isA), port = row[off + (isA ? SnapshotField.PortA : SnapshotField.PortB)];
  return (row[off + SnapshotField.Key] & 0xf) === 4 ? `${address}:${port}` : `[${address}]:${port}`;
}
