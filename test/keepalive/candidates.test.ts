// Mid-idle candidates (README "Captures started mid-idle"): a 0-byte candidate at X is a probe when
// the peer ACKs X + 1 (RFC 1122 §4.2.3.6: the ACK of a probe is for the byte after it) or the
// sender's own data or RST starts at X + 1, and when the same empty segment repeats with nothing
// from the peer in between. An ACK of X says the candidate was an ordinary ACK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_TIME } from '../../src/flow/flow';
import { confirmedByAck, confirmedBySeq, repeatsLast } from '../../src/keepalive/candidates';
import type { Nanos } from '../../src/units';
import { newProber } from '../support/prober';

const X = 70000;
const cand = (seq: number, len: number, time = 1e9, ack = 9) =>
  ({ frame: 1, time: time as Nanos, recordTime: time as Nanos, seq, ack, len });

const evidence: readonly { rule: string; len: number; by: 'ack' | 'seq'; at: number; want: boolean }[] = [
  { rule: 'peer ACKs X + 1', len: 0, by: 'ack', at: X + 1, want: true },
  { rule: 'peer ACKs X', len: 0, by: 'ack', at: X, want: false },
  { rule: 'peer ACKs X + 2', len: 0, by: 'ack', at: X + 2, want: false },
  { rule: 'sender\'s data starts at X + 1', len: 0, by: 'seq', at: X + 1, want: true },
  { rule: 'sender\'s data starts at X', len: 0, by: 'seq', at: X, want: false },
  // A 1-byte segment at X followed by the peer's ACK of X + 1 is explained as data.
  { rule: '1-byte candidate, peer ACKs X + 1', len: 1, by: 'ack', at: X + 1, want: false },
];
for (const r of evidence) {
  test(`candidates: ${r.rule}: ${r.want ? 'probe' : 'not a probe'}`, () => {
    const pr = newProber();
    pr.addCandidate(cand(X, r.len));
    assert.equal((r.by === 'ack' ? confirmedByAck : confirmedBySeq)(pr, r.at), r.want);
  });
}

// The first candidate is at 1 s; the repeat at `at` (3 s unless said).
const repeats: readonly { rule: string; seq: number; ack: number; len: number; lastRecv: number; at?: number; want: boolean }[] = [
  { rule: 'same empty segment, nothing received', seq: X, ack: 9, len: 0, lastRecv: UNKNOWN_TIME, want: true },
  // No retry interval is below 1 s: a repeat sooner is a retransmission or a copy (#22 rule 2).
  { rule: 'same empty segment 0.3 s later', seq: X, ack: 9, len: 0, lastRecv: UNKNOWN_TIME, at: 1.3e9, want: false },
  { rule: 'same empty segment 1 s later', seq: X, ack: 9, len: 0, lastRecv: UNKNOWN_TIME, at: 2e9, want: true },
  { rule: 'same empty segment, received before the first', seq: X, ack: 9, len: 0, lastRecv: 0.5e9, want: true },
  { rule: 'same empty segment, received after the first', seq: X, ack: 9, len: 0, lastRecv: 1.5e9, want: false },
  { rule: 'different ack', seq: X, ack: 10, len: 0, lastRecv: UNKNOWN_TIME, want: false },
  { rule: 'different seq', seq: X + 1, ack: 9, len: 0, lastRecv: UNKNOWN_TIME, want: false },
  { rule: 'different length', seq: X, ack: 9, len: 1, lastRecv: UNKNOWN_TIME, want: false },
];
for (const r of repeats) {
  test(`candidates: repeat: ${r.rule}`, () => {
    const pr = newProber();
    pr.addCandidate(cand(X, 0));
    assert.equal(repeatsLast(pr, r.seq, r.ack, r.len, r.lastRecv as Nanos, (r.at ?? 3e9) as Nanos), r.want);
  });
}

test('candidates: an empty segment at X then one byte at X, peer ACKs X + 1: the ACK is for the data, no probe', () => {
  const pr = newProber();
  pr.addCandidate(cand(X, 0));
  pr.addCandidate(cand(X, 1, 1.2e9));
  assert.equal(confirmedByAck(pr, X + 1), false);
});

test('candidates: the record\'s bit follows the list', () => {
  const pr = newProber();
  pr.addCandidate(cand(X, 0));
  pr.addCandidate(cand(X + 5, 0));
  assert.deepEqual(pr.takeCandidates(X).map((c) => c.seq), [X]);
  assert.equal(pr.candidates.length, 0);
  assert.equal(confirmedByAck(pr, X + 1), false);
});
