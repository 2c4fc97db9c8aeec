// An ordinary ACK followed by the first data byte is not a probe pair (issue #22, rule 2). In a
// capture that starts mid-stream: a pure ACK at seq X, then a 1-byte data segment at X, then the
// peer's ACK of X + 1. The 1-byte segment at X explains the peer's ACK as the ACK of data. A
// repeat confirms candidates only 1 s or more apart: no retry interval is shorter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, C, S } from './scenario';

test('mid-stream: pure ACK at X, one data byte at X, peer ACKs X + 1: no probes, no answers', () => {
  const c = new Conversation();
  const X = 70000, Y = 900000;
  c.tcp(100, { ...C, seq: X, ack: Y, flags: 'A' });
  c.tcp(100.2, { ...C, seq: X, ack: Y, flags: 'PA', payload: 1 });
  c.tcp(100.25, { ...S, seq: Y, ack: X + 1, flags: 'A' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), []);
  assert.deepEqual(c.framesOf('probe-ack'), []);
  assert.equal(r.summary.probes, 0);
});

test('mid-stream: an empty segment at X, peer ACKs X + 1: still a late probe and its answer', () => {
  const c = new Conversation();
  const X = 70000, Y = 900000;
  const probe = c.tcp(100, { ...C, seq: X, ack: Y, flags: 'A' });
  const ack = c.tcp(100.05, { ...S, seq: Y, ack: X + 1, flags: 'A' });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [probe]);
  assert.deepEqual(c.framesOf('probe-ack'), [ack]);
});

test('mid-stream: the same empty segment repeated 0.2 s apart is no probe pair (no retry interval is below 1 s)', () => {
  const c = new Conversation();
  const X = 70000, Y = 900000;
  c.tcp(100, { ...C, seq: X, ack: Y, flags: 'A' });
  c.tcp(100.2, { ...C, seq: X, ack: Y, flags: 'A' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), []);
  assert.equal(r.summary.probes, 0);
});
