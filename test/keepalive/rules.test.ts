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

// Issue #22 rule 1: a FIN counts one in snd_nxt. While it is unacknowledged it is in flight, so a
// segment at its sequence number is no probe (RFC 9293 MUST-26); once ACKed, the same segment is a
// probe (half-close: test/keepalive/half-close.test.ts).
test('after its FIN, before the FIN is ACKed, a sender\'s pure ACK at the FIN\'s sequence number is no probe', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(1, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
  c.tcp(30, { ...C, seq: cNxt, ack: sNxt, flags: 'A' }); // seq = snd_una, the FIN still in flight
  c.finish();
  assert.deepEqual(c.framesOf('probe'), []);
});

test('after its FIN was ACKed, a sender\'s pure ACK at the FIN\'s sequence number is a probe (half-close)', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(1, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
  c.tcp(1.001, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
  const p = c.tcp(30, { ...C, seq: cNxt, ack: sNxt, flags: 'A' }); // seq = snd_una − 1: the FIN's
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [p]);
});

test('one direction only: the sender\'s next sequence number alone makes a probe at once (not late)', () => {
  const c = new Conversation();
  c.tcp(0, { ...C, seq: 100, ack: 900, flags: 'PA', payload: 100 });
  c.tcp(0.5, { ...C, seq: 100, ack: 900, flags: 'PA', payload: 50 }); // a retransmission does not move snd_nxt back
  const p = c.tcp(30, { ...C, seq: 199, ack: 900, flags: 'A' });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [p]);
  assert.deepEqual(c.events.map((e) => e.type === 'probe' && e.late), [false]);
});

test('an older ACK arriving late does not move snd_una back', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(1, { ...S, seq: sNxt, ack: cNxt - 50, flags: 'A' });
  const p = c.tcp(30, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [p]);
});

test('a scaled window of one unit is open: the probe-shaped segment is a keepalive, not a zero-window probe', () => {
  const c = new Conversation();
  c.tcp(0, { ...C, seq: 1000, flags: 'S', win: 64240, opts: { wscale: 7 } });
  c.tcp(0.001, { ...S, seq: 5000, ack: 1001, flags: 'SA', win: 65160, opts: { wscale: 7 } });
  c.tcp(0.002, { ...C, seq: 1001, ack: 5001, flags: 'PA', win: 502, payload: 100 });
  c.tcp(0.003, { ...S, seq: 5001, ack: 1101, flags: 'A', win: 1 }); // 1 × 2^7 = 128 bytes
  const p = c.tcp(30, { ...C, seq: 1100, ack: 5001, flags: 'A', win: 502 });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [p]);
  assert.deepEqual(c.framesOf('zero-window-probe'), []);
});

test('a retransmitted SYN (same ISN) stays one flow; a SYN with a new ISN starts another', () => {
  const c = new Conversation({ allFlows: true });
  c.tcp(0, { ...C, seq: 1, flags: 'S' });
  c.tcp(1, { ...C, seq: 1, flags: 'S' });
  c.tcp(2, { ...C, seq: 7777, flags: 'S' });
  const r = c.finish();
  assert.deepEqual(r.flows.map((f) => [f.firstFrame, f.packets, f.midstream]), [[1, 2, false], [3, 1, false]]);
});

const midstreamRows: readonly { first: 'client' | 'server'; sport: number; dport: number; client: string; server: string }[] = [
  { first: 'client', sport: 40000, dport: 80, client: '10.0.0.1:40000', server: '10.0.0.2:80' },
  { first: 'server', sport: 40000, dport: 80, client: '10.0.0.1:40000', server: '10.0.0.2:80' },
  { first: 'client', sport: 5000, dport: 5000, client: '10.0.0.1:5000', server: '10.0.0.2:5000' },
];
for (const row of midstreamRows) {
  test(`mid-stream flow first seen from the ${row.first}, ports ${row.sport}/${row.dport}: the lower port is the server`, () => {
    const c = new Conversation({ allFlows: true });
    const cl = { src: '10.0.0.1', dst: '10.0.0.2', sport: row.sport, dport: row.dport };
    const sv = { src: '10.0.0.2', dst: '10.0.0.1', sport: row.dport, dport: row.sport };
    c.tcp(0, { ...(row.first === 'client' ? cl : sv), seq: 10, ack: 20, flags: 'A' });
    const r = c.finish();
    assert.deepEqual([r.flows[0].client, r.flows[0].server, r.flows[0].midstream], [row.client, row.server, true]);
  });
}

test('an ICMP answer names the peer and the prober, its RTT and the ICMP type and code', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(60, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.icmp(60.002, { src: '10.0.0.254', dst: '10.0.0.1', type: 3, code: 1, quoted: { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' } });
  // Linux keeps probing after an ICMP error (facts §2.6): the next probe continues the series.
  c.tcp(70, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const r = c.finish();
  const e = c.events.find((x) => x.type === 'probe-icmp');
  assert.ok(e && e.type === 'probe-icmp');
  assert.deepEqual([e.from, e.to, e.rttMs, e.icmpType, e.icmpCode, e.probeFrame], ['10.0.0.2:80', '10.0.0.1:40000', 2, 3, 1, 7]);
  const ka = r.flows[0].keepalive[0];
  assert.deepEqual([ka.probes, ka.icmp, ka.unanswered, ka.maxUnanswered, ka.outcome], [2, 1, 1, 1, 'unanswered']);
  assert.deepEqual(c.events.filter((x) => x.type === 'probe').map((x) => x.type === 'probe' && x.series), [1, 2]);
});

const probeBytesRows: readonly (readonly number[])[] = [[0, 0], [1, 0], [0, 1], [1, 1]];
for (const sizes of probeBytesRows) {
  test(`probes of ${sizes.join(' then ')} byte(s): probeBytes is the larger, ${Math.max(...sizes)}`, () => {
    const c = new Conversation();
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    sizes.forEach((len, k) => c.tcp(30 + 10 * k, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A', payload: len }));
    const ka = c.finish().flows[0].keepalive[0];
    assert.equal(ka.probes, sizes.length);
    assert.equal(ka.probeBytes, Math.max(...sizes));
  });
}

test('a flow ends with FIN only when both sides sent one', () => {
  for (const both of [false, true]) {
    const c = new Conversation({ allFlows: true });
    const { cNxt, sNxt } = handshake(c, 1000, 5000);
    c.tcp(1, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
    if (both) c.tcp(1.001, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'FA' });
    assert.equal(c.finish().flows[0].end, both ? 'fin' : 'open');
  }
});

test('the prober\'s RST after an answered probe is no timeout', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(30, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(30.001, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  c.tcp(40, { ...C, seq: cNxt, ack: sNxt, flags: 'RA' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('keepalive-timeout'), []);
  assert.equal(r.flows[0].keepalive[0].outcome, 'alive');
  assert.equal(r.flows[0].keepalive[0].settings.count, null);
});

test('the prober\'s own pure ACK between unanswered probes does not end the series', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(30, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(35, { ...C, seq: cNxt, ack: sNxt, flags: 'A' });
  c.tcp(40, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  const r = c.finish();
  assert.deepEqual(c.events.filter((x) => x.type === 'probe').map((x) => x.type === 'probe' && x.series), [1, 2]);
  assert.deepEqual(r.flows[0].keepalive[0].intervalSeconds, { min: 10, median: 10, max: 10 });
});

const repeatRows: readonly { what: string; second: { seq: number; ack: number; len: number }; probes: boolean }[] = [
  { what: 'identical', second: { seq: 4242, ack: 999, len: 0 }, probes: true },
  { what: 'another ACK number', second: { seq: 4242, ack: 1000, len: 0 }, probes: false },
  { what: 'another sequence number', second: { seq: 4243, ack: 999, len: 0 }, probes: false },
  { what: 'one byte instead of none', second: { seq: 4242, ack: 999, len: 1 }, probes: false },
];
for (const row of repeatRows) {
  test(`mid-idle: an empty segment followed by a ${row.what} one, nothing from the peer: ${row.probes ? 'probes' : 'no probes'}`, () => {
    const c = new Conversation();
    const a = c.tcp(0, { ...C, seq: 4242, ack: 999, flags: 'A' });
    const b = c.tcp(75, { ...C, seq: row.second.seq, ack: row.second.ack, flags: 'A', payload: row.second.len });
    c.finish();
    assert.deepEqual(c.framesOf('probe'), row.probes ? [a, b] : []);
  });
}

test('mid-idle: a repeat after the peer spoke is not confirmed by repetition', () => {
  const c = new Conversation();
  c.tcp(0, { ...C, seq: 4242, ack: 999, flags: 'A' });
  c.tcp(10, { ...S, seq: 999, flags: 'P', payload: 5 }); // the peer speaks (no ACK: proves nothing either way)
  c.tcp(75, { ...C, seq: 4242, ack: 999, flags: 'A' });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), []);
});

test('IPv6 flows that differ only in the last word of an address, and IPv4 flows that differ only in one address, are apart', () => {
  const c = new Conversation({ allFlows: true });
  const v6 = (dst: string) => ({ src: '2001:db8::1', dst, sport: 40000, dport: 80 });
  c.tcp(0, { ...v6('2001:db8::2'), seq: 1, flags: 'S' });
  c.tcp(1, { ...v6('2001:db8::3'), seq: 1, flags: 'S' });
  c.tcp(2, { ...v6('2001:db8:1::2'), seq: 1, flags: 'S' });
  c.tcp(3, { src: '2001:db8::2', dst: '2001:db8::1', sport: 80, dport: 40000, seq: 9, ack: 2, flags: 'SA' });
  c.tcp(4, { ...C, seq: 1, flags: 'S' });
  c.tcp(5, { ...C, dst: '10.0.0.3', seq: 1, flags: 'S' });
  c.tcp(6, { ...C, src: '10.0.0.9', seq: 1, flags: 'S' });
  c.tcp(7, { ...S, seq: 9, ack: 2, flags: 'SA' });
  const r = c.finish();
  assert.deepEqual(r.flows.map((f) => `${f.client} ${f.server} ${f.packets}`), [
    '[2001:db8::1]:40000 [2001:db8::2]:80 2', '[2001:db8::1]:40000 [2001:db8::3]:80 1', '[2001:db8::1]:40000 [2001:db8:1::2]:80 1',
    '10.0.0.1:40000 10.0.0.2:80 2', '10.0.0.1:40000 10.0.0.3:80 1', '10.0.0.9:40000 10.0.0.2:80 1',
  ]);
});

test('5000 flows at once, more than the table\'s first 4096 buckets: each segment finds its own flow', () => {
  const c = new Conversation({ allFlows: true });
  const n = 5000;
  const host = (k: number): string => `10.1.${k >> 8}.${k & 0xff}`;
  for (let k = 0; k < n; k++) c.tcp(k * 0.001, { ...C, src: host(k), sport: 1024 + (k % 50000), seq: k, flags: 'S' });
  for (let k = n - 1; k >= 0; k -= 3) c.tcp(20 + k * 0.001, { ...S, dst: host(k), dport: 1024 + (k % 50000), seq: 7, ack: k + 1, flags: 'SA' });
  // r.flows builds every report on each read: read it once.
  const flows = c.finish().flows;
  assert.equal(flows.length, n);
  for (let k = 0; k < n; k++) assert.equal(flows[k].packets, (n - 1 - k) % 3 === 0 ? 2 : 1, `flow ${k}`);
});
