// The application closes right after a probe (issue #22, rule 3): a FIN is a give-up only when
// the probe's answer could have come and did not. An ACK of probe.seq + 1 after the prober's FIN
// still answers the probe (RFC 1122 §4.2.3.6: the answer acknowledges the byte after the probe).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, handshake, C, S } from './scenario';

test('probe, the prober\'s FIN 66 µs later, then the peer\'s ACK of probe.seq + 1: answered, no timeout', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  const probe = c.tcp(7200, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(7200.000066, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
  const answer = c.tcp(7200.0003, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  c.tcp(7200.0004, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), [probe]);
  assert.deepEqual(c.framesOf('probe-ack'), [answer]);
  assert.deepEqual(c.framesOf('keepalive-timeout'), []);
  assert.equal(r.flows[0].keepalive[0].outcome, 'alive');
  assert.equal(r.summary.outcomes.timeout, 0);
});

test('probes unanswered, then the prober\'s FIN and the peer\'s ACK of the FIN only: a give-up via FIN', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(7200, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(7275, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const fin = c.tcp(7350, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
  c.tcp(7350.001, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('keepalive-timeout'), [fin]);
  const ev = c.events.find((e) => e.type === 'keepalive-timeout');
  assert.ok(ev?.type === 'keepalive-timeout' && ev.via === 'fin' && ev.probes === 2);
  assert.equal(r.flows[0].keepalive[0].outcome, 'timeout');
  assert.equal(r.flows[0].keepalive[0].settings.count, 2);
});

test('probe then the prober\'s FIN with nothing after it in the capture: a give-up via FIN', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(7200, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const fin = c.tcp(7275, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('keepalive-timeout'), [fin]);
  assert.equal(r.flows[0].keepalive[0].outcome, 'timeout');
});

test('probe then the prober\'s RST: a give-up at once', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(7200, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const rst = c.tcp(7275, { ...C, seq: cNxt, ack: sNxt, flags: 'RA' });
  c.finish();
  assert.deepEqual(c.framesOf('keepalive-timeout'), [rst]);
});
