// The detection rules of README "How detection decides", one table per rule, each row a small
// conversation fed through the real Analysis. Every row names the rule's boundary from both
// sides, so that a rule moved by one unit (a window, a comparison, a dropped form) fails a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, handshake, C, S } from './scenario';

const u = (n: number): number => n >>> 0;

// Rule: a 1-byte segment at snd_una − 1 within 1 s of the sender's last data is a retransmission.
const retransmissionRows: readonly { gap: number; probe: boolean }[] = [
  { gap: 0.2, probe: false },
  { gap: 0.6, probe: false },
  { gap: 0.99, probe: false },
  { gap: 1.01, probe: true },
  { gap: 30, probe: true },
];
for (const row of retransmissionRows) {
  test(`1-byte segment at snd_una − 1, ${row.gap} s after the sender's last data: ${row.probe ? 'probe' : 'retransmission'}`, () => {
    const c = new Conversation();
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    c.tcp(5, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 1 });
    c.tcp(5.001, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
    const f = c.tcp(5 + row.gap, { ...C, seq: cNxt, ack: sNxt, flags: 'A', payload: 1 });
    const r = c.finish();
    assert.deepEqual(c.framesOf('probe'), row.probe ? [f] : []);
    assert.equal(r.summary.probes, row.probe ? 1 : 0);
  });
}

// Rule: nothing in flight (snd_nxt == snd_una), else a segment at snd_una − 1 is old data.
const inFlightRows: readonly { inFlight: number; len: number; probe: boolean }[] = [
  { inFlight: 0, len: 0, probe: true },
  { inFlight: 0, len: 1, probe: true },
  { inFlight: 1, len: 0, probe: false },
  { inFlight: 1, len: 1, probe: false },
  { inFlight: 2, len: 0, probe: false },
  { inFlight: 500, len: 1, probe: false },
];
for (const row of inFlightRows) {
  test(`${row.len}-byte segment at snd_una − 1 with ${row.inFlight} byte(s) in flight: ${row.probe ? 'probe' : 'not a probe'}`, () => {
    const c = new Conversation();
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    // The server acknowledged cNxt; the client then sends `inFlight` bytes that are never ACKed.
    if (row.inFlight > 0) c.tcp(5, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: row.inFlight });
    const f = c.tcp(20, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A', payload: row.len });
    c.finish();
    assert.deepEqual(c.framesOf('probe'), row.probe ? [f] : []);
    assert.deepEqual(c.framesOf('zero-window-probe'), []);
  });
}

// Rule: towards a zero window, both the Linux form (snd_una − 1, no data) and the one-new-byte form
// (at snd_nxt) are zero-window probes; with an open window the new byte is ordinary data.
const zeroWindowRows: readonly { form: string; seqOffset: number; len: number; peerWindow: number; zwp: boolean }[] = [
  { form: 'Linux (snd_una − 1, 0 bytes)', seqOffset: -1, len: 0, peerWindow: 0, zwp: true },
  { form: 'one new byte at snd_nxt', seqOffset: 0, len: 1, peerWindow: 0, zwp: true },
  { form: 'one new byte at snd_nxt, window open', seqOffset: 0, len: 1, peerWindow: 509, zwp: false },
  { form: 'empty segment at snd_nxt', seqOffset: 0, len: 0, peerWindow: 0, zwp: false },
];
for (const row of zeroWindowRows) {
  test(`zero-window probe form: ${row.form}, peer window ${row.peerWindow}: ${row.zwp ? 'zero-window probe' : 'ordinary'}`, () => {
    const c = new Conversation();
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    c.tcp(1, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 1000 });
    c.tcp(1.001, { ...S, seq: sNxt, ack: cNxt + 1000, flags: 'A', win: row.peerWindow });
    const f = c.tcp(1.3, { ...C, seq: cNxt + 1000 + row.seqOffset, ack: sNxt, flags: 'A', payload: row.len });
    const r = c.finish();
    assert.deepEqual(c.framesOf('zero-window-probe'), row.zwp ? [f] : []);
    assert.deepEqual(c.framesOf('probe'), []);
    assert.equal(r.summary.zeroWindowProbes, row.zwp ? 1 : 0);
    const ev = c.events.find((e) => e.type === 'zero-window-probe');
    if (row.zwp) assert.equal(ev?.type === 'zero-window-probe' && ev.payloadBytes, row.len);
  });
}

// Rule: an ICMP error answers the probe only when it quotes the probe's own sequence number.
const icmpRows: readonly { quotedOffset: number; answers: boolean }[] = [
  { quotedOffset: 0, answers: true },
  { quotedOffset: 1, answers: false },
  { quotedOffset: -1, answers: false },
  { quotedOffset: 1000, answers: false },
];
for (const row of icmpRows) {
  test(`ICMP error quoting probe seq ${row.quotedOffset >= 0 ? '+' : ''}${row.quotedOffset}: ${row.answers ? 'answers the probe' : 'ignored'}`, () => {
    const c = new Conversation();
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    const p = c.tcp(60, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
    const i = c.icmp(60.002, { src: '10.0.0.254', dst: '10.0.0.1', type: 3, code: 1,
      quoted: { ...C, seq: u(cNxt - 1 + row.quotedOffset), ack: sNxt, flags: 'A' } });
    const r = c.finish();
    assert.deepEqual(c.framesOf('probe'), [p]);
    assert.deepEqual(c.framesOf('probe-icmp'), row.answers ? [i] : []);
    const ka = r.flows[0].keepalive[0];
    assert.equal(ka.icmp, row.answers ? 1 : 0);
    assert.equal(ka.unanswered, row.answers ? 0 : 1);
    assert.equal(ka.outcome, row.answers ? 'icmp' : 'unanswered');
  });
}

test('an ICMP error about another flow\'s segment with the same sequence number answers nothing', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(60, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.icmp(60.002, { src: '10.0.0.254', dst: '10.0.0.1', type: 3, code: 1, quoted: { ...C, sport: 40001, seq: cNxt - 1, ack: sNxt, flags: 'A' } });
  c.finish();
  assert.deepEqual(c.framesOf('probe-icmp'), []);
});

// Rule: an answer is the peer's ACK of probe.seq + 1, or its RST; anything else leaves the probe waiting.
const answerRows: readonly { what: string; spec: (cNxt: number, sNxt: number) => object; event: string | null }[] = [
  { what: 'ACK of seq + 1', spec: (cNxt, sNxt) => ({ ...S, seq: sNxt, ack: cNxt, flags: 'A' }), event: 'probe-ack' },
  { what: 'ACK of seq', spec: (cNxt, sNxt) => ({ ...S, seq: sNxt, ack: cNxt - 1, flags: 'A' }), event: null },
  { what: 'ACK of seq + 2', spec: (cNxt, sNxt) => ({ ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' }), event: null },
  { what: 'RST', spec: (_cNxt, sNxt) => ({ ...S, seq: sNxt, flags: 'R' }), event: 'probe-reset' },
  { what: 'segment without ACK flag', spec: (cNxt, sNxt) => ({ ...S, seq: sNxt, ack: cNxt, flags: 'P', payload: 5 }), event: null },
];
for (const row of answerRows) {
  test(`peer's ${row.what} after a probe: ${row.event ?? 'no answer'}`, () => {
    const c = new Conversation();
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    c.tcp(60, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
    const a = c.tcp(60.01, row.spec(cNxt, sNxt));
    c.finish();
    const answers = c.events.filter((e) => e.type === 'probe-ack' || e.type === 'probe-reset' || e.type === 'probe-icmp');
    assert.deepEqual(answers.map((e) => [e.type, e.frame]), row.event === null ? [] : [[row.event, a]]);
    if (row.event !== null) {
      const e = answers[0];
      assert.ok(e.type === 'probe-ack' || e.type === 'probe-reset');
      assert.equal(e.rttMs, 10);
      assert.equal(e.from, '10.0.0.2:80');
      assert.equal(e.to, '10.0.0.1:40000');
    }
  });
}

test('series: unanswered probes extend one series; an answer starts the next, with idle from the answer', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  const p = (at: number): number => c.tcp(at, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  p(100); p(110); p(120);
  c.tcp(120.5, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  p(220.5); p(235.5);
  const r = c.finish();
  const probes = c.events.filter((e) => e.type === 'probe');
  assert.deepEqual(probes.map((e) => e.type === 'probe' && e.series), [1, 2, 3, 1, 2]);
  assert.deepEqual(probes.map((e) => e.type === 'probe' && e.idleSeconds), [99.996, null, null, 100, null]);
  const ka = r.flows[0].keepalive[0];
  assert.equal(ka.probes, 5);
  assert.equal(ka.acked, 1);
  assert.equal(ka.unanswered, 4);
  assert.equal(ka.maxUnanswered, 2);
  assert.equal(ka.outcome, 'unanswered');
  assert.deepEqual(ka.intervalSeconds, { min: 10, median: 10, max: 15 });
  assert.deepEqual(ka.idleSeconds, { min: 99.996, median: 99.998, max: 100 });
});

test('give-up: the prober\'s FIN after unanswered probes is a timeout via fin, counting the series', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  for (const at of [30, 40, 50]) c.tcp(at, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const fin = c.tcp(60, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
  const r = c.finish();
  const t = c.events.filter((e) => e.type === 'keepalive-timeout');
  assert.deepEqual(t.map((e) => e.type === 'keepalive-timeout' && [e.frame, e.probes, e.via]), [[fin, 3, 'fin']]);
  assert.equal(r.flows[0].keepalive[0].settings.count, 3);
  assert.equal(r.flows[0].keepalive[0].outcome, 'timeout');
});

test('data resuming after probes closes the series without a timeout', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(30, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(40, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 10 });
  const r = c.finish();
  assert.deepEqual(c.framesOf('keepalive-timeout'), []);
  const ka = r.flows[0].keepalive[0];
  assert.equal(ka.outcome, 'unanswered');
  assert.equal(ka.maxUnanswered, 1);
  assert.equal(ka.settings.count, null);
});

test('the flow cap evicts the least recently active flow, not the newest', () => {
  const c = new Conversation({ maxFlows: 2, allFlows: true });
  const syn = (at: number, sport: number): number => c.tcp(at, { ...C, sport, seq: 1, flags: 'S' });
  syn(0, 1000);
  syn(1, 1001);
  c.tcp(2, { ...C, sport: 1000, seq: 2, flags: 'A' }); // 1000 is now more recent than 1001
  syn(3, 1002); // evicts 1001
  syn(4, 1003); // evicts 1000 (last seen at 2), not 1002 (at 3)
  const r = c.finish();
  const end = Object.fromEntries(r.flows.map((f) => [f.client, f.end]));
  assert.deepEqual(end, {
    '10.0.0.1:1000': 'evicted', '10.0.0.1:1001': 'evicted', '10.0.0.1:1002': 'open', '10.0.0.1:1003': 'open',
  });
  assert.equal(r.summary.evictedFlows, 2);
  // Evicted in the order they went quiet: 1001 first, then 1000.
  const lastFrame = Object.fromEntries(r.flows.map((f) => [f.client, f.lastFrame]));
  assert.deepEqual([lastFrame['10.0.0.1:1000'], lastFrame['10.0.0.1:1001']], [3, 2]);
});

test('the flow cap evicts closed flows before open ones', () => {
  const c = new Conversation({ maxFlows: 2, allFlows: true });
  c.tcp(0, { ...C, sport: 1000, seq: 1, flags: 'S' });
  c.tcp(1, { ...C, sport: 1001, seq: 1, flags: 'S' });
  c.tcp(2, { ...C, sport: 1001, seq: 2, flags: 'R' }); // 1001 is the most recent, but closed
  c.tcp(3, { ...C, sport: 1002, seq: 1, flags: 'S' });
  const r = c.finish();
  const end = Object.fromEntries(r.flows.map((f) => [f.client, f.end]));
  // The evicted flow's report says so, whatever closed it.
  assert.deepEqual(end, { '10.0.0.1:1000': 'open', '10.0.0.1:1001': 'evicted', '10.0.0.1:1002': 'open' });
  assert.equal(r.summary.evictedFlows, 1);
});

// Rule: a flow silent longer than the idle timeout is retired; the next segment starts a new flow.
const idleTimeoutRows: readonly { timeout: number | undefined; gap: number; flows: number }[] = [
  { timeout: 100, gap: 99, flows: 1 },
  { timeout: 100, gap: 101, flows: 2 },
  { timeout: undefined, gap: 8999, flows: 1 },
  { timeout: undefined, gap: 9001, flows: 2 },
];
for (const row of idleTimeoutRows) {
  test(`idle timeout ${row.timeout ?? 'default 9000'} s, silence of ${row.gap} s: ${row.flows} flow(s)`, () => {
    const c = new Conversation({ allFlows: true, ...(row.timeout === undefined ? {} : { idleTimeoutSeconds: row.timeout }) });
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    c.tcp(0.005 + row.gap, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 10 });
    const r = c.finish();
    assert.equal(r.flows.length, row.flows);
    assert.equal(r.summary.flows, row.flows);
    assert.equal(r.summary.expiredFlows, row.flows - 1);
    assert.deepEqual(r.flows.map((f) => f.packets), row.flows === 1 ? [7] : [6, 1]);
    if (row.flows === 2) assert.equal(r.flows[1].midstream, true);
  });
}

test('a probe after the idle timeout belongs to a new, mid-stream flow (its idle is not measured)', () => {
  const c = new Conversation({ idleTimeoutSeconds: 60 });
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(100, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(100.001, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  const r = c.finish();
  assert.equal(r.flows.length, 1);
  assert.equal(r.flows[0].firstFrame, 7);
  assert.equal(r.flows[0].midstream, true);
  assert.equal(r.flows[0].keepalive[0].idleSeconds, null);
});
