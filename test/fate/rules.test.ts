import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRst, type RstFacts } from '../../src/fate/rst';
import { decideFate, type EndpointFateFacts, type FlowFateFacts } from '../../src/fate/decide';
import { buildPaths, type PathFlow } from '../../src/path/paths';
import { MIDDLEBOX_TIMEOUTS, timeoutsInBracket } from '../../src/path/catalogue';
import type { Fate } from '../../src/fate/model';

// A RST in the server's name answering the client's data (seq 5000, ack 9000): the shape of a
// stateless host's reply, with the server's earlier packets at TTL 63 and IP IDs 0x26dc.. rising.
const base: RstFacts = {
  sender: 'server', ipv6: false, ttl: 63, senderTtlMin: 63, senderTtlMax: 63, ipId: 0,
  senderIpIdLast: 0x26df, senderIpIdSequential: true, peerIpIdLast: 0xcb13, hasAck: false,
  seq: 9000, ack: 0, answeredAck: 9000, peerNextSeq: 5100,
};

test('RST: TTL above every earlier packet of the endpoint is injected, by the TTL clue', () => {
  const j = judgeRst({ ...base, ttl: 64 });
  assert.equal(j.injected, true);
  assert.equal(j.clue, 'ttl');
  assert.match(j.evidence[0], /TTL 64 is above the 63/);
});

test('RST: same TTL, ID 0, seq = the answered ACK is the real endpoint (restart shape)', () => {
  const j = judgeRst(base);
  assert.equal(j.injected, false);
  assert.equal(j.clue, null);
});

test('RST: a TTL a hop or two below is a path change, more is injected', () => {
  assert.equal(judgeRst({ ...base, ttl: 61 }).injected, false);
  assert.equal(judgeRst({ ...base, ttl: 60 }).clue, 'ttl');
});

test('RST: IP ID copying the other side, or off the endpoint counter, is injected by the IP ID clue', () => {
  assert.equal(judgeRst({ ...base, ipId: 0xcb13 }).clue, 'ip-id');
  assert.equal(judgeRst({ ...base, ipId: 0x9000 }).clue, 'ip-id');
  assert.equal(judgeRst({ ...base, ipId: 0x26e0 }).injected, false);
  // A host with random IDs gives no IP ID evidence.
  assert.equal(judgeRst({ ...base, ipId: 0x9000, senderIpIdSequential: false }).injected, false);
  // IPv6 has no IP ID.
  assert.equal(judgeRst({ ...base, ipv6: true, ipId: 0x9000 }).injected, false);
});

test('RST: seq that is not the answered ACK, or a RST|ACK acknowledging the wrong byte, is injected by the ACK clue', () => {
  assert.equal(judgeRst({ ...base, seq: 9001 }).clue, 'ack');
  assert.equal(judgeRst({ ...base, hasAck: true, seq: 9000, ack: 5100 }).injected, false);
  assert.equal(judgeRst({ ...base, hasAck: true, seq: 9000, ack: 5000 }).clue, 'ack');
});

test('RST: the first clue in order TTL, IP ID, ACK decides', () => {
  const j = judgeRst({ ...base, ttl: 64, ipId: 0xcb13, seq: 1 });
  assert.equal(j.clue, 'ttl');
  assert.equal(j.evidence.length, 3);
});

test('RST: without earlier packets of the endpoint the TTL cannot decide', () => {
  const j = judgeRst({ ...base, senderTtlMin: -1, senderTtlMax: -1, ttl: 64 });
  assert.equal(j.injected, false);
  assert.match(j.evidence[0], /no earlier packet/);
});

const quiet: EndpointFateFacts = { pendingAfterIdleSeconds: null, pendingTriedSeconds: null, pendingRetransmissions: 0, backoff: false, sentFin: false, keepaliveGaveUp: null };
const flow = (o: Partial<FlowFateFacts>): FlowFateFacts =>
  ({ end: 'open', client: quiet, server: quiet, rst: null, firstFin: null, icmp: null, silentAtEndSeconds: 3, ...o });

test('fate: open flow reports its silence at the end', () => {
  const f = decideFate(flow({}));
  assert.deepEqual([f.how, f.by, f.afterIdleSeconds, f.silentAtEndSeconds], ['open', null, null, 3]);
});

test('fate: FIN both ways is closed by the first FIN', () => {
  const f = decideFate(flow({ end: 'fin', firstFin: 'server', client: { ...quiet, sentFin: true }, server: { ...quiet, sentFin: true } }));
  assert.deepEqual([f.how, f.by, f.silentAtEndSeconds], ['closed', 'server', null]);
});

test('fate: evicted', () => {
  assert.equal(decideFate(flow({ end: 'evicted' })).how, 'evicted');
});

test('fate: injected and real RSTs after idle', () => {
  const client = { ...quiet, pendingAfterIdleSeconds: 11 };
  const inj = decideFate(flow({ end: 'rst', client, rst: { from: 'server', judgement: judgeRst({ ...base, ttl: 64 }) } }));
  assert.deepEqual([inj.how, inj.by, inj.afterIdleSeconds, inj.clue], ['injected-reset', 'middlebox', 11, 'ttl']);
  const real = decideFate(flow({ end: 'rst', client, rst: { from: 'server', judgement: judgeRst(base) } }));
  assert.deepEqual([real.how, real.by, real.afterIdleSeconds], ['reset', 'server', 11]);
  // No idle before: a RST in the middle of traffic.
  const busy = decideFate(flow({ end: 'rst', client: { ...quiet, pendingAfterIdleSeconds: 0.01 }, rst: { from: 'server', judgement: judgeRst(base) } }));
  assert.equal(busy.afterIdleSeconds, null);
});

test('fate: keepalive give-up and blackhole retransmissions', () => {
  const ka = decideFate(flow({ end: 'rst', client: { ...quiet, pendingAfterIdleSeconds: 11, keepaliveGaveUp: { probes: 3, idleSeconds: 11.1 } },
    rst: { from: 'client', judgement: judgeRst({ ...base, sender: 'client', senderTtlMin: 64, senderTtlMax: 64, ttl: 64, hasAck: true, ack: 5100 }) } }));
  assert.deepEqual([ka.how, ka.by, ka.afterIdleSeconds], ['keepalive-timeout', 'client', 11.1]);
  const bh = decideFate(flow({ client: { ...quiet, pendingAfterIdleSeconds: 11, pendingRetransmissions: 5, backoff: true } }));
  assert.deepEqual([bh.how, bh.by, bh.afterIdleSeconds, bh.retransmissions], ['retransmission-timeout', 'client', 11, 5]);
  // Two retransmissions and the capture ends: not yet a blackhole.
  assert.equal(decideFate(flow({ client: { ...quiet, pendingAfterIdleSeconds: 11, pendingRetransmissions: 2 } })).how, 'open');
});

test('fate: ICMP after the last answer, from a router', () => {
  const f = decideFate(flow({ client: { ...quiet, pendingAfterIdleSeconds: 30 }, icmp: { about: 'client', fromPeer: false, type: 3, code: 1 } }));
  assert.deepEqual([f.how, f.by, f.afterIdleSeconds], ['icmp', 'middlebox', 30]);
});

const fate = (how: Fate['how'], afterIdleSeconds: number | null = null): Fate =>
  ({ how, by: null, afterIdleSeconds, retransmissions: 0, gaveUpAfterSeconds: null, silentAtEndSeconds: null, clue: null, evidence: [] });
const pf = (o: Partial<PathFlow>): PathFlow => ({ id: 1, serverAddress: '10.0.2.2', serverPort: 443, fate: fate('open'),
  survivedIdleSeconds: null, keepaliveIdleSeconds: null, keepaliveAnswered: false, ...o });

test('paths: bracket from survived and fatal gaps, verdicts, catalogue entries, one line', () => {
  const [p] = buildPaths([
    pf({ survivedIdleSeconds: 300 }), pf({ survivedIdleSeconds: 120 }), pf({ survivedIdleSeconds: 200 }), pf({ survivedIdleSeconds: 10 }),
    pf({ fate: fate('injected-reset', 360), keepaliveIdleSeconds: 7200 }), pf({ fate: fate('injected-reset', 400) }),
  ], 'address');
  assert.deepEqual(p.idleTimeoutSeconds, { above: 300, atMost: 360 });
  assert.equal(p.conflicting, false);
  assert.deepEqual([p.flows, p.survived, p.died], [6, 4, 2]);
  assert.ok(p.matches.some((m) => m.startsWith('AWS NLB (TCP listener) 350 s')));
  assert.ok(p.verdicts.includes('keepalive-too-long') && p.verdicts.includes('no-keepalive'));
  assert.equal(p.keepIdleAtMostSeconds, 300);
  assert.equal(p.summary, '10.0.2.2: idle timeout between 300 s and 360 s (4 survived, 2 died by injected RST); ' +
    'keepalive idle 7200 s is too long, use <= 300 s; fits ' + p.matches.join(', '));
});

test('paths: a survived gap longer than a fatal one is conflicting; --paths-by port splits', () => {
  const flows = [pf({ survivedIdleSeconds: 500, serverPort: 80 }), pf({ fate: fate('retransmission-timeout', 100) })];
  const [p] = buildPaths(flows, 'address');
  assert.equal(p.conflicting, true);
  assert.deepEqual(p.matches, []);
  assert.match(p.summary, /conflicting/);
  const byPort = buildPaths(flows, 'port');
  assert.deepEqual(byPort.map((x) => x.server), ['10.0.2.2:80', '10.0.2.2:443']);
  assert.deepEqual(buildPaths([pf({ serverAddress: 'fd00::2', survivedIdleSeconds: 5 })], 'port')[0].server, '[fd00::2]:443');
});

test('paths: keepalive that holds; paths without idle evidence are left out', () => {
  const [p] = buildPaths([pf({ survivedIdleSeconds: 4, keepaliveIdleSeconds: 4, keepaliveAnswered: true }),
    pf({ fate: fate('keepalive-timeout', 12), keepaliveIdleSeconds: 12 })], 'address');
  assert.deepEqual(p.verdicts, ['keepalive-too-long', 'keepalive-holds']);
  assert.equal(buildPaths([pf({})], 'address').length, 0);
});

test('catalogue: every entry has a source; the bracket picks the defaults inside it', () => {
  for (const m of MIDDLEBOX_TIMEOUTS) assert.ok(m.source.length > 0, m.name);
  assert.deepEqual(timeoutsInBracket(1000, 1300).map((m) => m.seconds), [1200]);
  assert.deepEqual(timeoutsInBracket(null, 60).map((m) => m.name), ['AWS ALB', 'AWS Classic LB']);
  assert.ok(timeoutsInBracket(7200, 7440).some((m) => m.name.startsWith('RFC 5382')));
});
