// A retired flow's snapshot row (keepalive/snapshot.ts) read as the facts the fate rules judge
// (fate-row.ts): which side is which, the RST's fingerprint fields, the waiting runs, and what the
// flow tells its path. Rows are written field by field here, as snapshotFlow/snapshotFate would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diedAfterIdle, fateOf, pathFlowOf } from '../../src/keepalive/fate-row';
import { ENDPOINT_FIELDS, SNAPSHOT_DOUBLES, SnapshotField } from '../../src/keepalive/snapshot';
import { EndpointBit, FateBit, FlowBit, Layout } from '../../src/flow/store';
import { OUTCOMES } from '../../src/keepalive/model';
import type { Fate, FateHow } from '../../src/fate/model';

const S = 1e9;
/** 10.0.0.1:40000 (a) and 10.0.2.2:443 (b), a the client, open, no prober; `set` fills in the rest. */
function row(set: (r: Float64Array) => void): Float64Array {
  const r = new Float64Array(SNAPSHOT_DOUBLES);
  r[SnapshotField.Id] = 7;
  r[SnapshotField.Key] = 4;
  r[SnapshotField.A0] = (10 << 24) | 1; r[SnapshotField.B0] = (10 << 24) | (2 << 8) | 2;
  r[SnapshotField.PortA] = 40000; r[SnapshotField.PortB] = 443;
  r[SnapshotField.ClientIsA] = 1;
  r[SnapshotField.SilentAtEnd] = -1;
  for (const e of [0, ENDPOINT_FIELDS]) { r[e + SnapshotField.Outcome] = -1; r[e + SnapshotField.GiveUpAfter] = -1; r[e + SnapshotField.LostIdle] = -1; }
  set(r);
  return r;
}
const END = { open: 0, rst: 1, fin: 2, evicted: 3 };

test('fate row: silence at the end is reported only for a flow still open at the end (-1: retired earlier)', () => {
  assert.equal(fateOf(row(() => undefined), 0).silentAtEndSeconds, null);
  assert.equal(fateOf(row((r) => { r[SnapshotField.SilentAtEnd] = 0; }), 0).silentAtEndSeconds, 0);
  assert.equal(fateOf(row((r) => { r[SnapshotField.SilentAtEnd] = 12.5 * S; }), 0).silentAtEndSeconds, 12.5);
});

test('fate row: the side still waiting after an idle gap, its gap and how long it kept trying', () => {
  for (const clientIsA of [1, 0]) {
    const f = fateOf(row((r) => {
      r[SnapshotField.ClientIsA] = clientIsA;
      // a sent after 400 s of silence, retransmitted 3 times with back-off, until 30 s later.
      r[SnapshotField.FateBits] = FateBit.PendingA | FateBit.PendIdleA | FateBit.BackoffA | (3 << FateBit.RetxShiftA);
      r[SnapshotField.PendGapA] = 400 * S; r[SnapshotField.PendStartA] = 1000 * S; r[SnapshotField.LastTime] = 1030 * S;
    }), 0);
    assert.deepEqual([f.how, f.by, f.afterIdleSeconds, f.retransmissions, f.gaveUpAfterSeconds],
      ['retransmission-timeout', clientIsA ? 'client' : 'server', 400, 3, 30]);
    assert.match(f.evidence[0], /with growing intervals/);
  }
  // Waiting, but the run began without an idle gap: no death after idle.
  const short = fateOf(row((r) => { r[SnapshotField.FateBits] = FateBit.PendingB | (5 << FateBit.RetxShiftB); }), 0);
  assert.equal(short.how, 'open');
  // Idle bits without the pending bit are no run (the engine clears them together).
  const stale = fateOf(row((r) => { r[SnapshotField.FateBits] = FateBit.PendIdleA | (4 << FateBit.RetxShiftA); r[SnapshotField.PendGapA] = 400 * S; }), 0);
  assert.deepEqual([stale.how, stale.afterIdleSeconds], ['open', null]);
});

test('fate row: a prober that gave up, its probes, and the idle before its series (the run, else the lost-answer idle)', () => {
  const prober = (r: Float64Array, e: number): void => {
    r[e + SnapshotField.Probes] = 9; r[e + SnapshotField.Outcome] = OUTCOMES.indexOf('timeout'); r[e + SnapshotField.GiveUpAfter] = 9;
  };
  const viaRun = fateOf(row((r) => {
    prober(r, ENDPOINT_FIELDS);
    r[SnapshotField.ClientIsA] = 0; // b is the client
    r[SnapshotField.FateBits] = FateBit.PendingB | FateBit.PendIdleB;
    r[SnapshotField.PendGapB] = 7200 * S; r[SnapshotField.PendStartB] = 100 * S; r[SnapshotField.LastTime] = 775 * S;
  }), 0);
  assert.deepEqual([viaRun.how, viaRun.by, viaRun.afterIdleSeconds, viaRun.gaveUpAfterSeconds], ['keepalive-timeout', 'client', 7200, 675]);
  const lost = fateOf(row((r) => {
    prober(r, 0);
    r[SnapshotField.AnswersLost] = 2; r[SnapshotField.LostIdle] = 60 * S;
  }), 0);
  assert.deepEqual([lost.how, lost.by, lost.afterIdleSeconds], ['keepalive-timeout', 'client', 60]);
  assert.match(lost.evidence[0], /2 ACKs seen here never reached it/);
  // A lost-answer idle of 0 is known (0 s) but no idle gap; -1 is unknown.
  assert.equal(fateOf(row((r) => { prober(r, 0); r[SnapshotField.LostIdle] = 0; }), 0).evidence[0].includes('(first after 0.0 s idle)'), true);
  assert.equal(fateOf(row((r) => { prober(r, 0); }), 0).evidence[0].includes('first after'), false);
  // A run still waiting but begun without an idle gap: no idle and no time trying are known.
  const noIdle = fateOf(row((r) => {
    prober(r, 0);
    r[SnapshotField.FateBits] = FateBit.PendingA; r[SnapshotField.PendStartA] = 100 * S; r[SnapshotField.LastTime] = 775 * S;
  }), 0);
  assert.deepEqual([noIdle.how, noIdle.afterIdleSeconds, noIdle.gaveUpAfterSeconds], ['keepalive-timeout', null, null]);
  // An outcome other than timeout, or no give-up count, is no give-up.
  assert.equal(fateOf(row((r) => { prober(r, 0); r[SnapshotField.Outcome] = OUTCOMES.indexOf('reset'); }), 0).how, 'open');
  assert.equal(fateOf(row((r) => { prober(r, 0); r[SnapshotField.GiveUpAfter] = -1; }), 0).how, 'open');
  assert.equal(fateOf(row((r) => { prober(r, 0); r[SnapshotField.GiveUpAfter] = 0; }), 0).how, 'keepalive-timeout');
});

/** A RST from b (the server) answering a's segment after 30 s idle; b's packets at TTL 63, IP IDs up to 0x100. */
const rstRow = (set: (r: Float64Array) => void = () => undefined): Float64Array => row((r) => {
  r[SnapshotField.End] = END.rst;
  r[SnapshotField.FateBits] = FateBit.RstSeen | FateBit.RstFromB | FateBit.PendingA | FateBit.PendIdleA;
  r[SnapshotField.PendGapA] = 30 * S;
  r[SnapshotField.TtlRange] = (63 | (63 << 8)) << 16;
  r[SnapshotField.IpId] = 0x100 << 16 | 0x2000;
  r[SnapshotField.RstIp] = 63 | (0x101 << 8);
  r[SnapshotField.RstSeq] = 5000;
  r[SnapshotField.Bits] = (EndpointBit.AckedKnown << Layout.EB) | (EndpointBit.NextSeqKnown << Layout.EA);
  r[SnapshotField.AckedB] = 5000; r[SnapshotField.NextSeqA] = 9000;
  set(r);
});

test('fate row: the RST fingerprint takes the sender\'s TTL range, IP IDs and the ACK numbers it must match', () => {
  const real = fateOf(rstRow(), 0);
  assert.deepEqual([real.how, real.by, real.afterIdleSeconds, real.clue], ['reset', 'server', 30, null]);
  // TTL above the server's: a middlebox closer to the capture.
  assert.deepEqual([fateOf(rstRow((r) => { r[SnapshotField.RstIp] = 64 | (0x101 << 8); }), 0).how, fateOf(rstRow((r) => { r[SnapshotField.RstIp] = 64 | (0x101 << 8); }), 0).clue], ['injected-reset', 'ttl']);
  // No earlier packet of the server: the TTL cannot decide.
  const noRange = fateOf(rstRow((r) => { r[SnapshotField.TtlRange] = 63 | (63 << 8); r[SnapshotField.RstIp] = 64 | (0x101 << 8); }), 0);
  assert.equal(noRange.how, 'reset');
  assert.match(noRange.evidence.join(' '), /no earlier packet of server/);
  // IP ID copying the client's last one, and one off the server's counter.
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.RstIp] = 63 | (0x2000 << 8); }), 0).clue, 'ip-id');
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.RstIp] = 63 | (0x9000 << 8); }), 0).clue, 'ip-id');
  // Unknown IDs (0) on either side give no IP ID evidence.
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.IpId] = 0x2000; r[SnapshotField.RstIp] = 63 | (0x9000 << 8); }), 0).how, 'reset');
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.IpId] = 0x100 << 16; r[SnapshotField.RstIp] = 63 | (0x100 << 8); }), 0).clue, 'ip-id');
  // The server's IDs jumped before: its counter says nothing.
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.FateBits] += FateBit.IpIdJumpB; r[SnapshotField.RstIp] = 63 | (0x9000 << 8); }), 0).how, 'reset');
  // IPv6 has no IP ID.
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.Key] = 6; r[SnapshotField.RstIp] = 63 | (0x9000 << 8); }), 0).how, 'reset');
  // seq must be the ACK number the server last sent (known): otherwise made up.
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.RstSeq] = 4999; }), 0).clue, 'ack');
  assert.equal(fateOf(rstRow((r) => { r[SnapshotField.RstSeq] = 4999; r[SnapshotField.Bits] = 0; }), 0).how, 'reset');
  // RST|ACK must acknowledge the client's next seq (known).
  const withAck = (ack: number, bits: number) => fateOf(rstRow((r) => {
    r[SnapshotField.FateBits] += FateBit.RstHasAck; r[SnapshotField.RstAck] = ack; r[SnapshotField.Bits] = bits;
  }), 0);
  assert.equal(withAck(9000, EndpointBit.NextSeqKnown << Layout.EA).how, 'reset');
  assert.equal(withAck(8999, EndpointBit.NextSeqKnown << Layout.EA).clue, 'ack');
  assert.equal(withAck(8999, 0).how, 'reset');
  // From the client (a), the client's own range is the one compared.
  const fromA = fateOf(rstRow((r) => {
    r[SnapshotField.FateBits] = FateBit.RstSeen | FateBit.PendingB | FateBit.PendIdleB; r[SnapshotField.PendGapB] = 20 * S;
    r[SnapshotField.TtlRange] = 64 | (64 << 8); r[SnapshotField.IpId] = 0x3000; r[SnapshotField.RstIp] = 64 | (0x3001 << 8);
    r[SnapshotField.Bits] = 0;
  }), 0);
  assert.deepEqual([fromA.how, fromA.by, fromA.afterIdleSeconds], ['reset', 'client', 20]);
});

test('fate row: an ICMP error names the side it was about and whether the peer sent it; the first FIN its sender', () => {
  const icmp = (bits: number) => fateOf(row((r) => {
    r[SnapshotField.FateBits] = FateBit.Icmp | bits | FateBit.PendingA | FateBit.PendIdleA | FateBit.PendingB | FateBit.PendIdleB;
    r[SnapshotField.PendGapA] = 11 * S; r[SnapshotField.PendGapB] = 22 * S;
    r[SnapshotField.IcmpKind] = (3 << 8) | 3;
  }), 0);
  assert.deepEqual([icmp(0).how, icmp(0).by, icmp(0).afterIdleSeconds], ['icmp', 'middlebox', 11]);
  assert.deepEqual([icmp(FateBit.IcmpAboutB).by, icmp(FateBit.IcmpAboutB).afterIdleSeconds], ['middlebox', 22]);
  assert.equal(icmp(FateBit.IcmpFromPeer).by, 'server');
  assert.equal(icmp(FateBit.IcmpFromPeer | FateBit.IcmpAboutB).by, 'client');
  assert.match(icmp(0).evidence[0], /ICMP type 3 code 3 about client's segment from a router/);
  const fin = (bits: number) => fateOf(row((r) => { r[SnapshotField.End] = END.fin; r[SnapshotField.FateBits] = bits; }), 0);
  assert.equal(fin(FateBit.FinFirstSeen).by, 'client');
  assert.equal(fin(FateBit.FinFirstSeen | FateBit.FinFirstB).by, 'server');
  assert.equal(fin(0).by, null);
  const half = (bits: number) => fateOf(row((r) => { r[SnapshotField.Bits] = bits; }), 0).evidence[0];
  assert.equal(half(FlowBit.FinA), 'half-closed by client');
  assert.equal(half(FlowBit.FinB), 'half-closed by server');
  assert.equal(half(0), undefined);
});

test('path flow: only a survived gap of 1 s or more, or a death after idle, tells the path; the server side and port', () => {
  const survived = (ns: number, clientIsA = 1) => pathFlowOf(row((r) => { r[SnapshotField.SurvivedGap] = ns; r[SnapshotField.ClientIsA] = clientIsA; }), 0,
    fateOf(row(() => undefined), 0));
  assert.equal(survived(0.999999 * S), null);
  assert.deepEqual(survived(1 * S), { id: 7, serverAddress: '10.0.2.2', serverPort: 443, fate: fateOf(row(() => undefined), 0),
    survivedIdleSeconds: 1, keepaliveIdleSeconds: null, keepaliveAnswered: false });
  assert.deepEqual([survived(90 * S, 0)!.serverAddress, survived(90 * S, 0)!.serverPort], ['10.0.0.1', 40000]);
  // A death after idle tells the path even without a survived gap, whose field is then null.
  const dead = row((r) => {
    r[SnapshotField.FateBits] = FateBit.PendingA | FateBit.PendIdleA | (3 << FateBit.RetxShiftA); r[SnapshotField.PendGapA] = 400 * S;
    r[SnapshotField.SurvivedGap] = 0.5 * S;
  });
  const pf = pathFlowOf(dead, 0, fateOf(dead, 0))!;
  assert.deepEqual([pf.fate.how, pf.survivedIdleSeconds], ['retransmission-timeout', null]);
  // IPv6 server address words, written as RFC 5952 text.
  const v6 = pathFlowOf(row((r) => {
    r[SnapshotField.Key] = 6; r[SnapshotField.SurvivedGap] = 5 * S;
    r[SnapshotField.B0] = 0xfd000000 | 0; r[SnapshotField.B0 + 1] = 0; r[SnapshotField.B0 + 2] = 0; r[SnapshotField.B0 + 3] = 0x00020002;
  }), 0, fateOf(row(() => undefined), 0))!;
  assert.equal(v6.serverAddress, 'fd00::2:2');
});

test('path flow: the keepalive idle is the longer prober\'s longest idle; answered when any probe was ACKed', () => {
  /** Probers on a and/or b: probes, ACKed, idle samples (count, max s). */
  const flow = (a: [number, number, number, number] | null, b: [number, number, number, number] | null) => {
    const r = row((x) => {
      x[SnapshotField.SurvivedGap] = 10 * S;
      for (const [e, p] of [[0, a], [ENDPOINT_FIELDS, b]] as const) {
        if (p === null) continue;
        x[e + SnapshotField.Probes] = p[0]; x[e + SnapshotField.Acked] = p[1];
        x[e + SnapshotField.Idle] = p[2]; x[e + SnapshotField.Idle + 3] = p[3] * S;
      }
    });
    const pf = pathFlowOf(r, 0, fateOf(r, 0))!;
    return [pf.keepaliveIdleSeconds, pf.keepaliveAnswered];
  };
  assert.deepEqual(flow(null, null), [null, false]);
  assert.deepEqual(flow([3, 0, 1, 30], null), [30, false]);
  assert.deepEqual(flow(null, [3, 2, 1, 50]), [50, true]);
  assert.deepEqual(flow([3, 1, 1, 30], [3, 0, 1, 50]), [50, true]);
  assert.deepEqual(flow([3, 0, 1, 70], [3, 0, 1, 50]), [70, false]);
  // Probes but no idle sample (a series that began mid-capture): no idle known.
  assert.deepEqual(flow([2, 0, 0, 0], null), [null, false]);
  // No probes: whatever the other fields hold, no prober.
  assert.deepEqual(flow([0, 4, 1, 30], null), [null, false]);
});

test('fate row: a row is read where it starts, not at the array\'s start', () => {
  const first = row((r) => { r[SnapshotField.Id] = 1; });
  const second = row((r) => {
    r[SnapshotField.Id] = 2; r[SnapshotField.SurvivedGap] = 9 * S; r[SnapshotField.End] = END.fin; r[SnapshotField.FateBits] = FateBit.FinFirstSeen;
  });
  const both = new Float64Array(2 * SNAPSHOT_DOUBLES);
  both.set(first, 0); both.set(second, SNAPSHOT_DOUBLES);
  const f = fateOf(both, SNAPSHOT_DOUBLES);
  assert.deepEqual([f.how, f.by], ['closed', 'client']);
  const pf = pathFlowOf(both, SNAPSHOT_DOUBLES, f)!;
  assert.deepEqual([pf.id, pf.serverAddress, pf.serverPort, pf.survivedIdleSeconds], [2, '10.0.2.2', 443, 9]);
});

test('died after idle: a fate after an idle gap that is a death, not open, closed or evicted', () => {
  const fate = (how: FateHow, afterIdleSeconds: number | null): Fate => ({ how, by: null, afterIdleSeconds, retransmissions: 0,
    gaveUpAfterSeconds: null, silentAtEndSeconds: null, clue: null, evidence: [] });
  const hows: FateHow[] = ['closed', 'reset', 'injected-reset', 'keepalive-timeout', 'retransmission-timeout', 'icmp', 'open', 'evicted'];
  for (const how of hows) {
    assert.equal(diedAfterIdle(fate(how, null)), false, `${how} without idle`);
    assert.equal(diedAfterIdle(fate(how, 12)), !['open', 'closed', 'evicted'].includes(how), `${how} after idle`);
  }
});
