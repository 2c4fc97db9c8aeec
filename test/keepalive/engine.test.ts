import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, handshake, C, S } from './scenario';

const u = (n: number): number => n >>> 0;

test('healthy peer: each probe at snd_una − 1 is answered; idle counts from the answer', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  const p1 = c.tcp(10.005, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A', win: 502 });
  const a1 = c.tcp(10.006, { ...S, seq: sNxt, ack: cNxt, flags: 'A', win: 509 });
  const p2 = c.tcp(20.006, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A', win: 502 });
  const a2 = c.tcp(20.0075, { ...S, seq: sNxt, ack: cNxt, flags: 'A', win: 509 });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), [p1, p2]);
  assert.deepEqual(c.framesOf('probe-ack'), [a1, a2]);
  const ka = r.flows[0].keepalive;
  assert.equal(ka.length, 1);
  assert.equal(ka[0].prober, 'client');
  assert.equal(ka[0].outcome, 'alive');
  assert.equal(ka[0].acked, 2);
  assert.equal(ka[0].unanswered, 0);
  // First idle from the server's data at 0.004 s, the second from the ACK at 10.006 s.
  assert.deepEqual(ka[0].idleSeconds, { min: 10, median: 10.0005, max: 10.001 });
  assert.equal(ka[0].intervalSeconds, null);
  assert.deepEqual(ka[0].rttMs, { min: 1, median: 1.25, max: 1.5 });
  assert.equal(r.flows[0].client, '10.0.0.1:40000');
  assert.equal(r.flows[0].midstream, false);
});

test('cut path with Linux defaults: 9 unanswered probes 75 s apart, then the prober RSTs', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  const probes: number[] = [];
  for (let k = 0; k < 9; k++) probes.push(c.tcp(7200.3 + 75 * k, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A', win: 502 }));
  const rst = c.tcp(7200.3 + 75 * 9, { ...C, seq: cNxt, ack: sNxt, flags: 'RA', win: 502 });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), probes);
  assert.deepEqual(c.framesOf('keepalive-timeout'), [rst]);
  const ka = r.flows[0].keepalive[0];
  assert.equal(ka.outcome, 'timeout');
  assert.equal(ka.unanswered, 9);
  assert.equal(ka.maxUnanswered, 9);
  assert.deepEqual(ka.intervalSeconds, { min: 75, median: 75, max: 75 });
  assert.deepEqual(ka.settings.count, 9);
  assert.equal(ka.settings.matches, 'linux');
  assert.ok(ka.settings.middleboxes.some((m) => m.includes('AWS NLB')));
  assert.equal(r.flows[0].end, 'rst');
});

test('Windows defaults: 1-byte probes 1 s apart, 10 unanswered, recognised as windows', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  for (let k = 0; k < 10; k++) c.tcp(7200.1 + k, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A', win: 502, payload: 1 });
  c.tcp(7210.1, { ...C, seq: cNxt, ack: sNxt, flags: 'RA', win: 0 });
  const ka = c.finish().flows[0].keepalive[0];
  assert.equal(ka.probes, 10);
  assert.equal(ka.probeBytes, 1);
  assert.equal(ka.settings.matches, 'windows');
});

test('sequence numbers wrap modulo 2^32 without losing the probe', () => {
  const c = new Conversation();
  // ISN + 1 + 100 bytes passes 2^32: snd_una is small, the probe sits at 2^32 − 1 or just below.
  const { cNxt, sNxt } = handshake(c, 0xffffffc0, 0xfffffffe);
  assert.ok(cNxt < 0x100 && sNxt < 0x100);
  const p = c.tcp(30, { ...C, seq: u(cNxt - 1), ack: sNxt, flags: 'A', win: 502 });
  const a = c.tcp(30.001, { ...S, seq: sNxt, ack: cNxt, flags: 'A', win: 509 });
  // And a probe exactly at 0xffffffff: snd_una = 0.
  const c2 = new Conversation();
  c2.tcp(0, { ...C, seq: 0xffffff9a, flags: 'S' });
  c2.tcp(0.001, { ...S, seq: 7, ack: 0xffffff9b, flags: 'SA' });
  c2.tcp(0.002, { ...C, seq: 0xffffff9b, ack: 8, flags: 'PA', payload: 101 });
  c2.tcp(0.003, { ...S, seq: 8, ack: 0, flags: 'A' });
  const p2 = c2.tcp(20, { ...C, seq: 0xffffffff, ack: 8, flags: 'A' });
  c.finish(); c2.finish();
  assert.deepEqual(c.framesOf('probe'), [p]);
  assert.deepEqual(c.framesOf('probe-ack'), [a]);
  assert.deepEqual(c2.framesOf('probe'), [p2]);
});

test('a 1-byte resend of the last data byte is a retransmission, not a probe', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  // A 1-byte write (a keystroke); its ACK is lost before the capture point, so the byte comes again at RTO.
  c.tcp(5, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 1 });
  c.tcp(5.21, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 1 });
  c.tcp(5.212, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
  // Spurious: the ACK was seen, yet the byte is re-sent 0.3 s after the data.
  c.tcp(5.5, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 1 });
  assert.deepEqual(c.framesOf('probe'), []);
  // A genuine 1-byte probe comes only after the connection was idle.
  const p = c.tcp(35.5, { ...C, seq: cNxt, ack: sNxt, flags: 'A', payload: 1 });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [p]);
});

test('an ICMP error quoting the probe answers it; a peer RST answers with reset', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  const p = c.tcp(60, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const i = c.icmp(60.002, { src: '10.0.0.254', dst: '10.0.0.1', type: 3, code: 1, quoted: { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' } });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), [p]);
  assert.deepEqual(c.framesOf('probe-icmp'), [i]);
  assert.equal(r.flows[0].keepalive[0].icmp, 1);
  assert.equal(r.flows[0].keepalive[0].outcome, 'icmp');

  const d = new Conversation();
  const h = handshake(d, 1000, 5000);
  d.tcp(60, { ...C, seq: h.cNxt - 1, ack: h.sNxt, flags: 'A' });
  const rst = d.tcp(60.001, { ...S, seq: h.sNxt, flags: 'R' });
  const rd = d.finish();
  assert.deepEqual(d.framesOf('probe-reset'), [rst]);
  assert.equal(rd.flows[0].keepalive[0].outcome, 'reset');
  assert.equal(rd.flows[0].keepalive[0].resets, 1);
});

test('a probe-shaped segment towards a zero window is a zero-window probe, not a keepalive', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(1, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 1000 });
  c.tcp(1.001, { ...S, seq: sNxt, ack: cNxt + 1000, flags: 'A', win: 0 });
  const z1 = c.tcp(1.21, { ...C, seq: cNxt + 999, ack: sNxt, flags: 'A' });
  c.tcp(1.211, { ...S, seq: sNxt, ack: cNxt + 1000, flags: 'A', win: 0 });
  const z2 = c.tcp(1.62, { ...C, seq: cNxt + 999, ack: sNxt, flags: 'A' });
  c.tcp(1.621, { ...S, seq: sNxt, ack: cNxt + 1000, flags: 'A', win: 0 });
  const r = c.finish();
  assert.deepEqual(c.framesOf('zero-window-probe'), [z1, z2]);
  assert.deepEqual(c.framesOf('probe'), []);
  assert.equal(r.flows[0].zeroWindowProbes, 2);
  assert.equal(r.flows[0].keepalive.length, 0);
});

test('capture started mid-idle: probes are confirmed by the peer\'s ACK and reported late', () => {
  const c = new Conversation();
  const p1 = c.tcp(0, { ...C, seq: 777, ack: 999, flags: 'A' });
  const a1 = c.tcp(0.05, { ...S, seq: 999, ack: 778, flags: 'A' });
  const p2 = c.tcp(60, { ...C, seq: 777, ack: 999, flags: 'A' });
  const a2 = c.tcp(60.05, { ...S, seq: 999, ack: 778, flags: 'A' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), [p1, p2]);
  assert.deepEqual(c.framesOf('probe-ack'), [a1, a2]);
  assert.equal(c.events[0].type === 'probe' && c.events[0].late, true);
  assert.equal(r.flows[0].midstream, true);
  assert.equal(r.flows[0].server, '10.0.0.2:80');
  assert.deepEqual(r.flows[0].keepalive[0].idleSeconds, { min: 59.95, median: 59.95, max: 59.95 });
});

test('mid-idle with a dead peer: repeated identical empty segments are probes', () => {
  const c = new Conversation();
  const f = [0, 75, 150].map((t) => c.tcp(t, { ...C, seq: 4242, ack: 999, flags: 'A' }));
  const rst = c.tcp(225, { ...C, seq: 4243, ack: 999, flags: 'RA' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe'), f);
  assert.deepEqual(c.framesOf('keepalive-timeout'), [rst]);
  assert.deepEqual(r.flows[0].keepalive[0].intervalSeconds, { min: 75, median: 75, max: 75 });
  // An ordinary ACK (at snd_nxt, acknowledged as such) is not a probe.
  const d = new Conversation();
  d.tcp(0, { ...C, seq: 4242, ack: 999, flags: 'A' });
  d.tcp(0.01, { ...S, seq: 999, ack: 4242, flags: 'PA', payload: 10 });
  d.finish();
  assert.deepEqual(d.framesOf('probe'), []);
});

test('both ends probe on their own schedules and each is reported', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(2, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(2.001, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  c.tcp(3, { ...S, seq: sNxt - 1, ack: cNxt, flags: 'A' });
  c.tcp(3.001, { ...C, seq: cNxt, ack: sNxt, flags: 'A' });
  const r = c.finish();
  const roles = r.flows[0].keepalive.map((k) => `${k.prober}:${k.probes}:${k.acked}`);
  assert.deepEqual(roles, ['client:1:1', 'server:1:1']);
  // The client's probe at 2 s does not restart the server's clock (Linux ignores it): idle runs from 0.005 s.
  assert.deepEqual(r.flows[0].keepalive[1].idleSeconds, { min: 2.995, median: 2.995, max: 2.995 });
});

test('the same 5-tuple on two VLANs is two connections', () => {
  const c = new Conversation();
  for (const vlan of [10, 20]) {
    c.tcp(0, { ...C, vlan: [vlan], seq: 1, flags: 'S' });
    c.tcp(0.001, { ...S, vlan: [vlan], seq: 9, ack: 2, flags: 'SA' });
  }
  const r = c.finish();
  assert.equal(r.summary.flows, 2);
});

test('a new SYN on a closed 4-tuple starts a new flow; the flow cap evicts and counts', () => {
  const c = new Conversation({ allFlows: true });
  c.tcp(0, { ...C, seq: 1, flags: 'S' });
  c.tcp(0.1, { ...C, seq: 2, flags: 'R' });
  c.tcp(1, { ...C, seq: 100, flags: 'S' });
  const r = c.finish();
  assert.equal(r.flows.length, 2);
  assert.deepEqual(r.flows.map((f) => f.end), ['rst', 'open']);

  const d = new Conversation({ maxFlows: 2, allFlows: true });
  for (let k = 0; k < 5; k++) d.tcp(k, { ...C, sport: 1000 + k, seq: 1, flags: 'S' });
  const rd = d.finish();
  assert.equal(rd.summary.evictedFlows, 3);
  assert.equal(rd.flows.filter((f) => f.end === 'evicted').length, 3);
  assert.ok(rd.warnings.some((w) => w.includes('evicted')));
});

test('timestamps stepping backwards warn with the frame and never give negative durations', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000, 100);
  c.tcp(50, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(50.001, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  const r = c.finish();
  assert.ok(r.warnings.some((w) => w.includes('backwards') && w.includes('frame 7')), r.warnings.join('; '));
  // The flow's own packets step back: its durations run on its latest time (the handshake's last segment at 100.005 s): the probe
  // "at 50 s" counts as 100.005 s, 0.001 s after the server's data at 100.004 s, and its ACK comes 0 ms later.
  const ka = r.flows[0].keepalive[0];
  assert.deepEqual(ka.idleSeconds, { min: 0.001, median: 0.001, max: 0.001 });
  assert.deepEqual(ka.rttMs, { min: 0, median: 0, max: 0 });
});

test('a retired flow is reported field for field, whether its report stayed in memory or went through the temporary file', () => {
  // Linux defaults on a dead path, double-tagged, the client an IPv6 host: every field of the
  // report comes from the row the engine keeps for a retired flow (keepalive/report.ts).
  const run = (reportsInMemory: number) => {
    const a = '2001:db8::1', b = '2001:db8:0:1::2';
    const c = new Conversation({ reportsInMemory, allFlows: true }, { vlan: [100, 200] });
    const cl = { ...C, src: a, dst: b }, sv = { ...S, src: b, dst: a };
    c.tcp(0, { ...cl, seq: 1000, flags: 'S', win: 64240, opts: { wscale: 7 } });
    c.tcp(0.001, { ...sv, seq: 5000, ack: 1001, flags: 'SA', win: 65160, opts: { wscale: 7 } });
    c.tcp(0.002, { ...cl, seq: 1001, ack: 5001, flags: 'PA', win: 502, payload: 100 });
    c.tcp(0.004, { ...sv, seq: 5001, ack: 1101, flags: 'PA', win: 509, payload: 100 });
    c.tcp(0.005, { ...cl, seq: 1101, ack: 5101, flags: 'A', win: 502 });
    for (let k = 0; k < 9; k++) c.tcp(7200.3 + 75 * k, { ...cl, seq: 1100, ack: 5101, flags: 'A', win: 502 });
    c.tcp(7875.3, { ...cl, seq: 1101, ack: 5101, flags: 'RA', win: 502 });
    // Two more flows (reported with allFlows), so that a store of one row per run has runs to merge.
    c.tcp(7875.4, { ...C, sport: 40001, seq: 1, flags: 'S' });
    c.tcp(7875.5, { ...C, sport: 40002, seq: 1, flags: 'S' });
    return c.finish();
  };
  const r = run(2048);
  assert.deepEqual(r.flows.map((f) => f.id), [0, 1, 2]);
  const { keepalive: [ka], ...flow } = r.flows[0];
  assert.deepEqual(flow, {
    id: 0, client: '[2001:db8::1]:40000', server: '[2001:db8:0:1::2]:80', vlan: [100, 200],
    firstFrame: 1, lastFrame: 15, firstTime: '2023-11-14T22:13:20.000000000Z', lastTime: '2023-11-15T00:24:35.300000000Z',
    midstream: false, packets: 15, maxIdleSeconds: 7200.295, zeroWindowProbes: 0, end: 'rst',
    // The first probe came 7200.3 − 0.005 s after the client's last ACK; its RST|ACK ended it
    // 9 × 75 s after that probe.
    fate: { how: 'keepalive-timeout', by: 'client', afterIdleSeconds: 7200.295, retransmissions: 0, gaveUpAfterSeconds: 675,
      silentAtEndSeconds: null, clue: null,
      evidence: ['client gave up after 9 unanswered keepalive probes (first after 7200.3 s idle) 675.0 s after the first'] },
  });
  assert.deepEqual({ ...ka, settings: { ...ka.settings, middleboxes: ka.settings.middleboxes.length } }, {
    prober: 'client', probes: 9, acked: 0, unanswered: 9, resets: 0, icmp: 0, probeBytes: 0,
    idleSeconds: { min: 7200.296, median: 7200.296, max: 7200.296 }, intervalSeconds: { min: 75, median: 75, max: 75 },
    rttMs: null, maxUnanswered: 9, outcome: 'timeout',
    settings: { idleSeconds: 7200.296, intervalSeconds: 75, count: 9, matches: 'linux', middleboxes: 5, deadPeerDetectedAfterSeconds: 7200.296 + 75 * 9 },
  });
  const spilled = run(1);
  assert.equal(spilled.reports.spilled, true);
  assert.deepEqual(spilled.flows, r.flows);
});
