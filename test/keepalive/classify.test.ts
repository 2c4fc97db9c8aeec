// classifySmallSegment's rules as a table (README "How detection decides"). Each row states the
// sender's state and the segment; the expected class follows from the rule the row names:
// RFC 1122 §4.2.3.6 (a keepalive is seq = snd_una − 1 with 0 or 1 byte), RFC 9293 MUST-26 (only
// with nothing in flight), Linux's zero-window probe built the same way (peer window 0), the
// one-new-byte zero-window form at snd_nxt, and the 1 s retransmission window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifySmallSegment, SegmentClass, SmallSegmentFacts } from '../../src/keepalive/classify';

const UNA = 5000;
const facts = (o: Partial<SmallSegmentFacts>): SmallSegmentFacts =>
  Object.assign(new SmallSegmentFacts(), { ackedKnown: true, acked: UNA, nextSeqKnown: true, nextSeq: UNA, peerWindow: 65535, ...o });

const rows: readonly { rule: string; f: Partial<SmallSegmentFacts>; want: SegmentClass }[] = [
  { rule: '0 bytes at snd_una − 1, idle', f: { seq: UNA - 1, len: 0 }, want: SegmentClass.Keepalive },
  { rule: '1 byte at snd_una − 1, idle', f: { seq: UNA - 1, len: 1 }, want: SegmentClass.Keepalive },
  { rule: '0 bytes at snd_una (an ordinary ACK)', f: { seq: UNA, len: 0 }, want: SegmentClass.Normal },
  { rule: '1 byte at snd_una (new data)', f: { seq: UNA, len: 1 }, want: SegmentClass.Normal },
  { rule: '0 bytes at snd_una − 2', f: { seq: UNA - 2, len: 0 }, want: SegmentClass.Normal },
  { rule: 'snd_una − 1 across the 2^32 wrap', f: { seq: -1, acked: 0, nextSeq: 0, len: 0 }, want: SegmentClass.Keepalive },
  { rule: 'snd_una unknown: snd_nxt stands in', f: { ackedKnown: false, seq: UNA - 1, len: 0 }, want: SegmentClass.Keepalive },
  { rule: 'neither known: a candidate', f: { ackedKnown: false, nextSeqKnown: false, seq: 7, len: 0 }, want: SegmentClass.Candidate },
  // A FIN counts one in snd_nxt: after a half-close whose FIN was ACKed, seq = FIN's seq = snd_una − 1.
  { rule: 'after an ACKed FIN, at the FIN\'s seq', f: { seq: UNA - 1, len: 0 }, want: SegmentClass.Keepalive },
  { rule: 'FIN not yet ACKed (in flight), at the FIN\'s seq', f: { acked: UNA - 1, nextSeq: UNA, seq: UNA - 1, len: 0 }, want: SegmentClass.Normal },
  // MUST-26: keepalive only with nothing in flight.
  { rule: '1 byte in flight, 0-byte at snd_una − 1', f: { nextSeq: UNA + 1, seq: UNA - 1, len: 0 }, want: SegmentClass.Normal },
  { rule: '1 byte in flight, 1-byte at snd_una − 1', f: { nextSeq: UNA + 1, seq: UNA - 1, len: 1 }, want: SegmentClass.Retransmission },
  { rule: 'snd_nxt unknown: in-flight not judged', f: { nextSeqKnown: false, seq: UNA - 1, len: 0 }, want: SegmentClass.Keepalive },
  // The 1 s rule applies to 1-byte segments only.
  { rule: '1 byte at snd_una − 1 within 1 s of data', f: { seq: UNA - 1, len: 1, recentData: true }, want: SegmentClass.Retransmission },
  { rule: '0 bytes at snd_una − 1 within 1 s of data', f: { seq: UNA - 1, len: 0, recentData: true }, want: SegmentClass.Keepalive },
  // Zero window.
  { rule: 'peer window 0, snd_una − 1 (Linux form)', f: { peerWindow: 0, seq: UNA - 1, len: 0 }, want: SegmentClass.ZeroWindowProbe },
  { rule: 'peer window 0, one new byte at snd_nxt', f: { peerWindow: 0, seq: UNA, len: 1 }, want: SegmentClass.ZeroWindowProbe },
  { rule: 'peer window 0, empty at snd_nxt', f: { peerWindow: 0, seq: UNA, len: 0 }, want: SegmentClass.Normal },
  { rule: 'peer window 1, snd_una − 1', f: { peerWindow: 1, seq: UNA - 1, len: 0 }, want: SegmentClass.Keepalive },
  { rule: 'peer window unknown (-1), snd_una − 1', f: { peerWindow: -1, seq: UNA - 1, len: 0 }, want: SegmentClass.Keepalive },
  { rule: 'peer window 0, one new byte, snd_nxt unknown', f: { peerWindow: 0, nextSeqKnown: false, acked: UNA + 10, seq: UNA, len: 1 }, want: SegmentClass.Normal },
];

for (const row of rows) {
  test(`classify: ${row.rule}`, () => {
    const f = facts(row.f);
    f.seq |= 0; f.acked |= 0; f.nextSeq |= 0;
    assert.equal(classifySmallSegment(f), row.want);
  });
}
