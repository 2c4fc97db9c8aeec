// What the engine tells as it goes and sums up at the end: each event's frame, times and endpoints
// (a late probe keeps its own frame and time; a record whose timestamp stepped back keeps its own),
// the summary's outcome counts, the cap on unconfirmed candidates, and who is the client when the
// capture starts at a SYN|ACK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, handshake, T0, C, S } from './scenario';

const iso = (at: number): string => new Date((T0 + at) * 1000).toISOString().replace('Z', '').padEnd(23, '0') + '000000Z';

test('events name their frame, time, time since the first record, flow and endpoints', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000, 2);
  const p = c.tcp(12.25, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const a = c.tcp(12.5, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  c.finish();
  const [probe, ack] = c.events;
  assert.deepEqual({ ...probe }, {
    type: 'probe', frame: p, time: iso(12.25), relTime: 10.25, flow: 0, from: '10.0.0.1:40000', to: '10.0.0.2:80',
    payloadBytes: 0, idleSeconds: 10.246, series: 1, late: false,
  });
  assert.deepEqual({ ...ack }, {
    type: 'probe-ack', frame: a, time: iso(12.5), relTime: 10.5, flow: 0, from: '10.0.0.2:80', to: '10.0.0.1:40000',
    probeFrame: p, rttMs: 250,
  });
});

test('a probe confirmed late keeps its own frame and time; a record whose time stepped back keeps its own', () => {
  const c = new Conversation();
  const p1 = c.tcp(5, { ...C, seq: 777, ack: 999, flags: 'A' });
  c.tcp(100, { ...C, sport: 40001, seq: 1, flags: 'S' }); // another flow moves the clock on
  const p2 = c.tcp(80, { ...C, seq: 777, ack: 999, flags: 'A' }); // stepped back: counted at 100, shown at 80
  c.finish();
  const probes = c.events.filter((e) => e.type === 'probe');
  assert.deepEqual(probes.map((e) => [e.frame, e.time, e.relTime, e.type === 'probe' && e.late]),
    [[p1, iso(5), 0, true], [p2, iso(80), 75, true]]);
});

test('the summary counts each prober\'s outcome once, and the flows that probed', () => {
  const c = new Conversation({ allFlows: true });
  const at = (k: number) => 10 * k;
  const ports = [40001, 40002, 40003, 40004, 40005, 40006];
  // alive, reset, icmp, timeout, unanswered, and a flow that never probes.
  for (const [k, sport] of ports.entries()) {
    const cl = { ...C, sport }, sv = { ...S, dport: sport };
    c.tcp(at(k), { ...cl, seq: 100, flags: 'S' });
    c.tcp(at(k) + 0.001, { ...sv, seq: 500, ack: 101, flags: 'SA' });
    c.tcp(at(k) + 0.002, { ...cl, seq: 101, ack: 501, flags: 'A' });
  }
  const probe = (k: number, t: number) => c.tcp(t, { ...C, sport: ports[k], seq: 100, ack: 501, flags: 'A' });
  probe(0, 100); c.tcp(100.001, { ...S, dport: ports[0], seq: 501, ack: 101, flags: 'A' });
  probe(1, 101); c.tcp(101.001, { ...S, dport: ports[1], seq: 501, flags: 'R' });
  probe(2, 102); c.icmp(102.001, { src: '10.0.9.1', dst: C.src, type: 3, code: 1, quoted: { ...C, sport: ports[2], seq: 100, ack: 501, flags: 'A' } });
  probe(3, 103); probe(3, 113); c.tcp(123, { ...C, sport: ports[3], seq: 101, ack: 501, flags: 'RA' });
  probe(4, 104);
  const r = c.finish();
  assert.deepEqual(r.summary.outcomes, { alive: 1, reset: 1, icmp: 1, timeout: 1, unanswered: 1 });
  assert.equal(r.summary.flowsWithKeepalive, 5);
  assert.equal(r.summary.probes, 6);
  assert.equal(r.summary.flows, 6);
  assert.deepEqual(r.flows.map((f) => f.keepalive.map((k) => k.outcome)), [['alive'], ['reset'], ['icmp'], ['timeout'], ['unanswered'], []]);
});

// Unconfirmed candidates are kept up to 16 per side; past that the oldest goes.
for (const n of [15, 16, 17]) {
  test(`${n} different probe-shaped segments before the peer's ACK confirms the first: ${n <= 16 ? 'a late probe' : 'forgotten'}`, () => {
    const c = new Conversation();
    const first = c.tcp(0, { ...C, seq: 1000, ack: 999, flags: 'A' });
    for (let k = 1; k < n; k++) c.tcp(k, { ...C, seq: 1000 + 2 * k, ack: 999, flags: 'A' });
    c.tcp(30, { ...S, seq: 999, ack: 1001, flags: 'A' });
    c.finish();
    assert.deepEqual(c.framesOf('probe'), n <= 16 ? [first] : []);
  });
}

test('a capture starting at the SYN|ACK: its receiver is the client, and the flow is not mid-stream', () => {
  const c = new Conversation({ allFlows: true });
  c.tcp(0, { ...S, seq: 500, ack: 101, flags: 'SA' });
  c.tcp(0.001, { ...C, seq: 101, ack: 501, flags: 'A' });
  const [f] = c.finish().flows;
  assert.deepEqual([f.client, f.server, f.midstream], ['10.0.0.1:40000', '10.0.0.2:80', false]);
  // A SYN from the higher port's side: still the client, whatever the ports say.
  const d = new Conversation({ allFlows: true });
  d.tcp(0, { ...S, seq: 500, flags: 'S' });
  const [g] = d.finish().flows;
  assert.deepEqual([g.client, g.server, g.midstream], ['10.0.0.2:80', '10.0.0.1:40000', false]);
});

test('the silence at the end of the capture counts in the longest idle of every flow still open', () => {
  const c = new Conversation({ allFlows: true });
  c.tcp(0, { ...C, seq: 1, flags: 'S' });
  c.tcp(1, { ...C, seq: 1, flags: 'S' }); // retransmitted SYN: a 1 s gap
  c.tcp(3, { ...C, sport: 40001, seq: 1, flags: 'S' });
  c.tcp(4, { ...C, sport: 40001, seq: 1, flags: 'S' });
  c.tcp(50, { ...C, sport: 40002, seq: 1, flags: 'S' });
  const r = c.finish();
  // Flow 0 was last seen at 1, flow 1 at 4; the capture ends at 50.
  assert.deepEqual(r.flows.map((f) => f.maxIdleSeconds), [49, 46, 0]);
  assert.deepEqual(r.flows.map((f) => f.fate.silentAtEndSeconds), [49, 46, 0]);
});

test('a SYN with the old ISN after the flow was reset starts a new connection; before, it is a retransmission', () => {
  const c = new Conversation({ allFlows: true });
  c.tcp(0, { ...C, seq: 1, flags: 'S' });
  c.tcp(1, { ...C, seq: 1, flags: 'S' }); // retransmitted: same flow
  c.tcp(2, { ...S, seq: 9, flags: 'R' });
  c.tcp(3, { ...C, seq: 1, flags: 'S' }); // the same ISN again, but the flow was reset: a new one
  const r = c.finish();
  assert.deepEqual(r.flows.map((f) => [f.firstFrame, f.packets, f.end]), [[1, 3, 'rst'], [4, 1, 'open']]);
});
