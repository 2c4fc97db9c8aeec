// What answers a probe (README "Answers"): RFC 1122 §4.2.3.6 — the peer answers a keepalive with
// an ACK of its current snd_nxt, which is the probe's seq + 1; a RST answers whatever it carries;
// an ICMP error answers the probe whose sequence number it quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Answer, answerTo, icmpAnswers } from '../../src/keepalive/answers';

const P = 1_000_000;
const rows: readonly { rule: string; probeSeq: number; rst: boolean; hasAck: boolean; ack: number; want: Answer }[] = [
  { rule: 'ACK of probe.seq + 1', probeSeq: P, rst: false, hasAck: true, ack: P + 1, want: Answer.Ack },
  { rule: 'ACK of probe.seq (old)', probeSeq: P, rst: false, hasAck: true, ack: P, want: Answer.None },
  { rule: 'ACK of probe.seq + 2', probeSeq: P, rst: false, hasAck: true, ack: P + 2, want: Answer.None },
  { rule: 'ack field without the ACK flag', probeSeq: P, rst: false, hasAck: false, ack: P + 1, want: Answer.None },
  { rule: 'RST', probeSeq: P, rst: true, hasAck: false, ack: 0, want: Answer.Reset },
  { rule: 'RST with ACK of probe.seq + 1', probeSeq: P, rst: true, hasAck: true, ack: P + 1, want: Answer.Reset },
  { rule: 'ACK of probe.seq + 1 across the 2^32 wrap', probeSeq: -1, rst: false, hasAck: true, ack: 0, want: Answer.Ack },
];
for (const r of rows) {
  test(`answers: ${r.rule}`, () => assert.equal(answerTo(r.probeSeq, r.rst, r.hasAck, r.ack), r.want));
}

const icmpRows: readonly { rule: string; probeSeq: number; quoted: number; want: boolean }[] = [
  { rule: 'quotes the probe\'s seq', probeSeq: P, quoted: P, want: true },
  { rule: 'quotes seq + 1', probeSeq: P, quoted: P + 1, want: false },
  { rule: 'quotes seq − 1', probeSeq: P, quoted: P - 1, want: false },
  // The decoder gives the quoted seq unsigned; the engine keeps seq32 (signed) numbers.
  { rule: 'unsigned quote of a seq ≥ 2^31', probeSeq: 0x90000000 | 0, quoted: 0x90000000, want: true },
];
for (const r of icmpRows) {
  test(`ICMP answers: ${r.rule}`, () => assert.equal(icmpAnswers(r.probeSeq, r.quoted), r.want));
}
