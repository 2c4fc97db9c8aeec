// A flow's fate from its snapshot row (snapshot.ts): the record's fate facts (flow/store.ts)
// turned into the facts decide.ts and rst.ts judge, and what the flow tells about its path.
import { END_NAMES } from '../flow/flow';
import { EndpointBit, FateBit, FlowBit, Layout } from '../flow/store';
import { addressOf, ENDPOINT_FIELDS, SnapshotField } from './snapshot';
import { OUTCOMES } from './model';
import type { PathFlow } from '../path/paths';
import { decideFate, IDLE_GAP_SECONDS, type EndpointFateFacts, type FlowFateFacts } from '../fate/decide';
import type { Fate } from '../fate/model';
import { judgeRst } from '../fate/rst';

const TIMEOUT = OUTCOMES.indexOf('timeout');
const us = (ns: number): number => Math.round(ns / 1e3) / 1e6;

function lostIdle(row: Float64Array, pr: number): number | null {
  const ns = row[pr + SnapshotField.LostIdle];
  return ns >= 0 ? us(ns) : null;
}

function endpointFacts(row: Float64Array, off: number, isA: boolean, fb: number, bits: number): EndpointFateFacts {
  const pending = (fb & (isA ? FateBit.PendingA : FateBit.PendingB)) !== 0;
  // A run after a gap under IDLE_GAP_SECONDS did not store it (flow/store.ts FateBit.PendIdleA): 0 stands for it.
  const gap = !pending ? null : (fb & (isA ? FateBit.PendIdleA : FateBit.PendIdleB)) !== 0
    ? us(row[off + (isA ? SnapshotField.PendGapA : SnapshotField.PendGapB)]) : 0;
  // Nothing came back after the run began, so the flow's last segment is this side's last try.
  const tried = gap === null || gap === 0 ? null
    : us(row[off + SnapshotField.LastTime] - row[off + (isA ? SnapshotField.PendStartA : SnapshotField.PendStartB)]);
  const pr = off + (isA ? 0 : ENDPOINT_FIELDS);
  const gaveUp = row[pr + SnapshotField.Probes] > 0 && row[pr + SnapshotField.Outcome] === TIMEOUT && row[pr + SnapshotField.GiveUpAfter] >= 0;
  return {
    pendingAfterIdleSeconds: gap,
    pendingTriedSeconds: tried,
    pendingRetransmissions: pending ? (fb >>> (isA ? FateBit.RetxShiftA : FateBit.RetxShiftB)) & 0xff : 0,
    backoff: (fb & (isA ? FateBit.BackoffA : FateBit.BackoffB)) !== 0,
    sentFin: (bits & (isA ? FlowBit.FinA : FlowBit.FinB)) !== 0,
    // After lost answers nothing is pending on the wire: the idle is the one before the series.
    keepaliveGaveUp: gaveUp
      ? { probes: row[pr + SnapshotField.GiveUpAfter], idleSeconds: gap ?? lostIdle(row, pr), answersLost: row[pr + SnapshotField.AnswersLost] }
      : null,
  };
}

/** The fate of the flow whose snapshot starts at `off`; without its evidence text unless `explain`. */
export function fateOf(row: Float64Array, off: number, explain = true): Fate {
  const clientIsA = row[off + SnapshotField.ClientIsA] === 1;
  const role = (isA: boolean): 'client' | 'server' => (isA === clientIsA ? 'client' : 'server');
  const fb = row[off + SnapshotField.FateBits] | 0, bits = row[off + SnapshotField.Bits] | 0;
  const a = endpointFacts(row, off, true, fb, bits), b = endpointFacts(row, off, false, fb, bits);
  let rst: FlowFateFacts['rst'] = null;
  if ((fb & FateBit.RstSeen) !== 0) {
    const fromA = (fb & FateBit.RstFromB) === 0;
    const sShift = fromA ? 0 : 16, pShift = fromA ? 16 : 0;
    const range = ((row[off + SnapshotField.TtlRange] | 0) >>> sShift) & 0xffff;
    const ids = row[off + SnapshotField.IpId] | 0, rstIp = row[off + SnapshotField.RstIp] | 0;
    const sb = fromA ? Layout.EA : Layout.EB, pb = fromA ? Layout.EB : Layout.EA;
    const senderLastId = (ids >>> sShift) & 0xffff, peerLastId = (ids >>> pShift) & 0xffff;
    rst = {
      from: role(fromA),
      judgement: judgeRst({
        sender: role(fromA), ipv6: (row[off + SnapshotField.Key] & 0xf) === 6, ttl: rstIp & 0xff,
        senderTtlMin: range === 0 ? -1 : range & 0xff, senderTtlMax: range === 0 ? -1 : range >>> 8,
        ipId: (rstIp >>> 8) & 0xffff, senderIpIdLast: senderLastId === 0 ? -1 : senderLastId,
        senderIpIdSequential: (fb & (fromA ? FateBit.IpIdJumpA : FateBit.IpIdJumpB)) === 0,
        peerIpIdLast: peerLastId === 0 ? -1 : peerLastId, hasAck: (fb & FateBit.RstHasAck) !== 0,
        seq: row[off + SnapshotField.RstSeq], ack: row[off + SnapshotField.RstAck],
        answeredAck: (bits & (EndpointBit.AckedKnown << sb)) !== 0 ? row[off + (fromA ? SnapshotField.AckedA : SnapshotField.AckedB)] : null,
        peerNextSeq: (bits & (EndpointBit.NextSeqKnown << pb)) !== 0 ? row[off + (fromA ? SnapshotField.NextSeqB : SnapshotField.NextSeqA)] : null,
      }),
    };
  }
  const icmp = (fb & FateBit.Icmp) === 0 ? null : {
    about: role((fb & FateBit.IcmpAboutB) === 0), fromPeer: (fb & FateBit.IcmpFromPeer) !== 0,
    type: (row[off + SnapshotField.IcmpKind] >>> 8) & 0xff, code: row[off + SnapshotField.IcmpKind] & 0xff,
  };
  const silent = row[off + SnapshotField.SilentAtEnd];
  return decideFate({
    end: END_NAMES[row[off + SnapshotField.End]],
    client: clientIsA ? a : b, server: clientIsA ? b : a, rst,
    firstFin: (fb & FateBit.FinFirstSeen) === 0 ? null : role((fb & FateBit.FinFirstB) === 0),
    icmp, silentAtEndSeconds: silent < 0 ? null : us(silent),
  }, explain);
}

/** What the flow at `off` with fate `fate` tells about its path; null when nothing (no idle gap survived, no death after idle). */
export function pathFlowOf(row: Float64Array, off: number, fate: Fate): PathFlow | null {
  const survived = row[off + SnapshotField.SurvivedGap] / 1e9;
  if (survived < IDLE_GAP_SECONDS && fate.afterIdleSeconds === null) return null;
  const clientIsA = row[off + SnapshotField.ClientIsA] === 1;
  let kaIdle: number | null = null, answered = false;
  for (const e of [0, ENDPOINT_FIELDS]) {
    if (row[off + e + SnapshotField.Probes] === 0) continue;
    if (row[off + e + SnapshotField.Acked] > 0) answered = true;
    const idle = off + e + SnapshotField.Idle;
    if (row[idle] > 0 && (kaIdle === null || row[idle + 3] / 1e9 > kaIdle)) kaIdle = us(row[idle + 3]);
  }
  return {
    id: row[off + SnapshotField.Id], serverAddress: addressOf(row, off, !clientIsA),
    serverPort: row[off + (clientIsA ? SnapshotField.PortB : SnapshotField.PortA)], fate,
    survivedIdleSeconds: survived >= IDLE_GAP_SECONDS ? us(row[off + SnapshotField.SurvivedGap]) : null,
    keepaliveIdleSeconds: kaIdle, keepaliveAnswered: answered,
  };
}

/** Deaths after idle are reported without --all-flows, keepalive or not. */
export const diedAfterIdle = (fate: Fate): boolean =>
  fate.afterIdleSeconds !== null && fate.how !== 'open' && fate.how !== 'closed' && fate.how !== 'evicted';
