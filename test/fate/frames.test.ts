// Fates and path brackets from generated frames: each conversation is stated in TCP terms (with
// the TTLs and IP IDs each side sends), and the expectations follow from what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { C, Conversation, S, handshake } from '../keepalive/scenario';
import type { TcpSpec } from '../support/frames';

/** Sides whose IP IDs count up from `first` per segment, with the given TTL (as seen at the capture point). */
function side(base: TcpSpec, ttl: number, first: number): (spec: TcpSpec) => TcpSpec {
  let id = first;
  return (spec) => ({ ...base, ttl, ipId: id++, ...spec });
}

/** Handshake and one exchange with counting IP IDs; the client is 2 hops closer than the server (TTL 64 vs 60). */
function open(c: Conversation, at = 0, ports: Partial<TcpSpec> = {}) {
  const cl = side({ ...C, ...ports }, 64, 1000), sv = side({ ...S, ...(ports.sport ? { dport: ports.sport } : {}) }, 60, 30000);
  c.tcp(at, cl({ seq: 100, flags: 'S' }));
  c.tcp(at + 0.001, sv({ seq: 500, ack: 101, flags: 'SA' }));
  c.tcp(at + 0.002, cl({ seq: 101, ack: 501, flags: 'PA', payload: 10 }));
  c.tcp(at + 0.003, sv({ seq: 501, ack: 111, flags: 'PA', payload: 10 }));
  c.tcp(at + 0.004, cl({ seq: 111, ack: 511, flags: 'A' }));
  return { cl, sv };
}

test('injected RST: the TTL clue (the RST crossed fewer hops than the server\'s packets)', () => {
  const c = new Conversation();
  const { cl } = open(c);
  c.tcp(30, cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.tcp(30.0001, { ...S, ttl: 63, ipId: 0, seq: 511, flags: 'R', win: 0 });
  const [f] = c.finish().flows;
  assert.deepEqual([f.fate.how, f.fate.by, f.fate.clue], ['injected-reset', 'middlebox', 'ttl']);
  assert.ok(Math.abs(f.fate.afterIdleSeconds! - (30 - 0.004)) < 1e-6);
});

test('injected RST: the IP ID clue, when the TTL fits (copied from the client, or off the server\'s counter)', () => {
  for (const [ipId, why] of [[1003, /copies the other side/], [7, /does not follow/]] as const) {
    const c = new Conversation();
    const { cl } = open(c);
    c.tcp(30, cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 })); // the client's IP ID 1003
    c.tcp(30.0001, { ...S, ttl: 60, ipId, seq: 511, flags: 'R', win: 0 });
    const [f] = c.finish().flows;
    assert.deepEqual([f.fate.how, f.fate.clue], ['injected-reset', 'ip-id']);
    assert.match(f.fate.evidence.join('\n'), why);
  }
});

test('injected RST: the ACK clue, when TTL and IP ID fit (seq is not the ACK number of the segment it answers)', () => {
  const c = new Conversation();
  const { cl } = open(c);
  c.tcp(30, cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.tcp(30.0001, { ...S, ttl: 60, ipId: 0, seq: 9999, flags: 'R', win: 0 });
  const [f] = c.finish().flows;
  assert.deepEqual([f.fate.how, f.fate.clue], ['injected-reset', 'ack']);
  // The server's own RST|ACK acknowledging something the client never sent: the ACK clue too.
  const d = new Conversation();
  const s2 = open(d);
  d.tcp(30, s2.cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  d.tcp(30.0001, s2.sv({ seq: 511, ack: 115, flags: 'RA' }));
  assert.equal(d.finish().flows[0].fate.clue, 'ack');
});

test('a real RST (stateless host: same TTL, ID 0, seq = the answered ACK, no ACK flag) stays reset, after idle', () => {
  const c = new Conversation();
  const { cl } = open(c);
  c.tcp(30, cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.tcp(30.0001, { ...S, ttl: 60, ipId: 0, seq: 511, flags: 'R', win: 0 });
  const [f] = c.finish().flows;
  assert.deepEqual([f.fate.how, f.fate.by, f.fate.clue], ['reset', 'server', null]);
  assert.ok(Math.abs(f.fate.afterIdleSeconds! - 29.996) < 1e-6);
});

test('closed: FIN both ways, by the first to send it', () => {
  const c = new Conversation({ allFlows: true });
  const { cl, sv } = open(c);
  c.tcp(1, sv({ seq: 511, ack: 111, flags: 'FA' }));
  c.tcp(1.001, cl({ seq: 111, ack: 512, flags: 'FA' }));
  c.tcp(1.002, sv({ seq: 512, ack: 112, flags: 'A' }));
  const [f] = c.finish().flows;
  assert.deepEqual([f.fate.how, f.fate.by, f.fate.afterIdleSeconds], ['closed', 'server', null]);
});

test('icmp: a router\'s error about the client\'s data after idle, and nothing after it', () => {
  const c = new Conversation();
  const { cl } = open(c);
  c.tcp(40, cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.icmp(40.01, { src: '10.0.9.1', dst: C.src, type: 3, code: 1, quoted: { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 } });
  const [f] = c.finish().flows;
  assert.deepEqual([f.fate.how, f.fate.by], ['icmp', 'middlebox']);
  assert.ok(Math.abs(f.fate.afterIdleSeconds! - 39.996) < 1e-6);
  assert.match(f.fate.evidence[0], /type 3 code 1/);
});

test('icmp: an error from the server\'s own address is by the server, not a middlebox', () => {
  const c = new Conversation();
  const { cl } = open(c);
  c.tcp(40, cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.icmp(40.01, { src: S.src, dst: C.src, type: 3, code: 3, quoted: { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 } });
  const [f] = c.finish().flows;
  assert.deepEqual([f.fate.how, f.fate.by], ['icmp', 'server']);
  assert.match(f.fate.evidence[0], /type 3 code 3 .*from the peer/);
});

test('retransmission timeout: data after idle resent with back-off, then the sender\'s RST', () => {
  const c = new Conversation();
  const { cl } = open(c);
  const resend = [0, 0.2, 0.6, 1.4, 3.0];
  for (const dt of resend) c.tcp(60 + dt, cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.tcp(66.2, cl({ seq: 121, ack: 511, flags: 'RA' }));
  const [f] = c.finish().flows;
  assert.deepEqual([f.fate.how, f.fate.by, f.fate.retransmissions], ['retransmission-timeout', 'client', resend.length - 1]);
  assert.ok(Math.abs(f.fate.afterIdleSeconds! - 59.996) < 1e-6);
  assert.match(f.fate.evidence.join('\n'), /growing intervals/);
  assert.match(f.fate.evidence.join('\n'), /gave up with a RST/);
});

test('evicted, and open with its silence at the end of the capture (also in maxIdleSeconds)', () => {
  const c = new Conversation({ maxFlows: 1, allFlows: true });
  open(c);
  open(c, 1, { sport: 40001 });
  c.tcp(50, { ...C, sport: 40001, seq: 111, ack: 511, flags: 'A' });
  const r = c.finish();
  assert.equal(r.flows[0].fate.how, 'evicted');
  const f = r.flows[1];
  assert.deepEqual([f.fate.how, f.fate.silentAtEndSeconds], ['open', 0]);
  const d = new Conversation({ allFlows: true });
  open(d);
  open(d, 0, { sport: 40001 });
  d.tcp(50, { ...C, sport: 40001, seq: 111, ack: 511, flags: 'A' });
  const first = d.finish().flows[0];
  assert.equal(first.fate.how, 'open');
  assert.ok(Math.abs(first.fate.silentAtEndSeconds! - 49.996) < 1e-6);
  assert.ok(first.maxIdleSeconds >= first.fate.silentAtEndSeconds!);
});

test('paths: a flow that survived a longer gap than another died after makes the bracket conflicting', () => {
  const c = new Conversation();
  const a = open(c, 0);
  const b = open(c, 0, { sport: 40001 });
  c.tcp(50, b.cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.tcp(50.0001, { ...S, dport: 40001, ttl: 64, ipId: 0, seq: 511, flags: 'R', win: 0 });
  c.tcp(100, a.cl({ seq: 111, ack: 511, flags: 'PA', payload: 10 }));
  c.tcp(100.001, a.sv({ seq: 511, ack: 121, flags: 'A' }));
  const r = c.finish();
  assert.equal(r.paths.length, 1);
  const p = r.paths[0];
  assert.equal(p.server, S.src);
  assert.equal(p.conflicting, true);
  assert.ok(p.idleTimeoutSeconds.above! > p.idleTimeoutSeconds.atMost!);
  // Without --all-flows only the flow that died after idle is listed.
  assert.deepEqual(r.flows.map((f) => f.fate.how), ['injected-reset']);
});
