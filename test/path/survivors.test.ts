// The engine's fast way for a retired flow that only survived an idle gap to reach its path: by
// the server's address words, without making the path's name. It must land on the same path as a
// listed flow of that server, keep servers whose words hash alike apart, and split by port only
// under --paths-by port. And a fate decided for a path (no evidence text) has every other field of
// the full decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathAccumulator, type PathFlow } from '../../src/path/paths';
import { decideFate, type EndpointFateFacts, type FlowFateFacts } from '../../src/fate/decide';
import type { Fate } from '../../src/fate/model';
import { judgeRst } from '../../src/fate/rst';

const fate = (how: Fate['how'], afterIdleSeconds: number | null = null): Fate =>
  ({ how, by: null, afterIdleSeconds, retransmissions: 0, gaveUpAfterSeconds: null, silentAtEndSeconds: null, clue: null, evidence: [] });
const listed = (serverAddress: string, serverPort: number, o: Partial<PathFlow> = {}): PathFlow => ({ id: 1, serverAddress, serverPort,
  fate: fate('open'), survivedIdleSeconds: null, keepaliveIdleSeconds: null, keepaliveAnswered: false, ...o });

/** 10.0.2.2 as the packet's bytes in one word, and fd00::2:5 as four. */
const V4 = (10 << 24) | (2 << 8) | 2;
const V6 = [0xfd000000 | 0, 0, 0, 0x00020005];

test('survivors: an IPv4 and an IPv6 server reached by words share the path of their listed flows', () => {
  const acc = new PathAccumulator('address');
  acc.add(listed('fd00::2:5', 443, { fate: fate('injected-reset', 30) }));
  acc.addSurvivorAt(false, V4, 0, 0, 0, 443, 12, true);
  acc.addSurvivorAt(true, V6[0], V6[1], V6[2], V6[3], 443, 20, true);
  acc.addSurvivorAt(true, V6[0], V6[1], V6[2], V6[3], 8443, 25, false);
  acc.add(listed('10.0.2.2', 80, { survivedIdleSeconds: 15 }));
  const paths = acc.reports();
  // In order of first evidence, one path per address.
  assert.deepEqual(paths.map((p) => p.server), ['fd00::2:5', '10.0.2.2']);
  const [v6, v4] = paths;
  assert.deepEqual({ flows: v6.flows, survived: v6.survived, died: v6.died }, { flows: 3, survived: 1, died: 1 });
  assert.deepEqual(v6.idleTimeoutSeconds, { above: 25, atMost: 30 });
  assert.deepEqual({ flows: v4.flows, survived: v4.survived }, { flows: 2, survived: 2 });
  assert.deepEqual(v4.idleTimeoutSeconds, { above: 15, atMost: null });
});

test('survivors: under --paths-by port each port is a path, named as a listed flow names it', () => {
  const acc = new PathAccumulator('port');
  acc.addSurvivorAt(false, V4, 0, 0, 0, 443, 12, true);
  acc.addSurvivorAt(false, V4, 0, 0, 0, 80, 13, true);
  acc.addSurvivorAt(true, V6[0], V6[1], V6[2], V6[3], 443, 20, true);
  acc.add(listed('10.0.2.2', 443, { survivedIdleSeconds: 40 }));
  acc.add(listed('fd00::2:5', 443, { survivedIdleSeconds: 50 }));
  const byName = new Map(acc.reports().map((p) => [p.server, p]));
  assert.deepEqual([...byName.keys()], ['10.0.2.2:443', '10.0.2.2:80', '[fd00::2:5]:443']);
  assert.equal(byName.get('10.0.2.2:443')!.flows, 2);
  assert.equal(byName.get('10.0.2.2:443')!.idleTimeoutSeconds.above, 40);
  assert.equal(byName.get('10.0.2.2:80')!.flows, 1);
  assert.equal(byName.get('[fd00::2:5]:443')!.idleTimeoutSeconds.above, 50);
});

test('survivors: servers whose words hash alike stay apart', () => {
  const acc = new PathAccumulator('address');
  // Addresses that differ only in the top bits of one word (the hash keeps 30 bits of each step),
  // an IPv4 address against the IPv6 one that has it as word 0, and words in other places: each is
  // its own path, and a second survivor of each finds it again.
  const v4 = [V4, V4 | (1 << 30), V4 | (2 << 30), V4 | (3 << 30)];
  const v6 = [0x3d000000, 0x7d000000, 0xbd000000 | 0, 0xfd000000 | 0].map((w0) => [w0, 0, 0, 0x00020005]);
  v6.push([0xfd000000 | 0, 1 << 30, 0, 0x00020005], [0xfd000000 | 0, 0, 2 << 30, 0x00020005], [0xfd000000 | 0, 0, 0, 0x40020005]);
  for (let round = 0; round < 2; round++) {
    v4.forEach((w, i) => acc.addSurvivorAt(false, w, 0, 0, 0, 443, 10 + i + round * 100, true));
    v6.forEach((w, i) => acc.addSurvivorAt(true, w[0], w[1], w[2], w[3], 443, 20 + i + round * 100, true));
    acc.addSurvivorAt(true, V4, 0, 0, 0, 443, 30 + round * 100, true);
    acc.addSurvivorAt(true, 0, 0, 0, 7, 443, 31 + round * 100, true);
    acc.addSurvivorAt(true, 7, 0, 0, 0, 443, 32 + round * 100, true);
  }
  const s = new Map(acc.reports().map((p) => [p.server, p]));
  const expect: [string, number][] = [['10.0.2.2', 10], ['74.0.2.2', 11], ['138.0.2.2', 12], ['202.0.2.2', 13],
    ['3d00::2:5', 20], ['7d00::2:5', 21], ['bd00::2:5', 22], ['fd00::2:5', 23], ['fd00:0:4000::2:5', 24], ['fd00::8000:0:2:5', 25],
    ['fd00::4002:5', 26], ['a00:202::', 30], ['::7', 31], ['0:7::', 32]];
  assert.deepEqual([...s.keys()], expect.map(([name]) => name));
  for (const [name, gap] of expect) {
    assert.deepEqual({ name, flows: s.get(name)!.flows, above: s.get(name)!.idleTimeoutSeconds.above }, { name, flows: 2, above: gap + 100 });
  }
});

const side = (o: Partial<EndpointFateFacts> = {}): EndpointFateFacts => ({ pendingAfterIdleSeconds: null, pendingTriedSeconds: null,
  pendingRetransmissions: 0, backoff: false, sentFin: false, keepaliveGaveUp: null, ...o });
const flow = (o: Partial<FlowFateFacts>): FlowFateFacts => ({ end: 'open', client: side(), server: side(), rst: null, firstFin: null,
  icmp: null, silentAtEndSeconds: null, ...o });
const rst = judgeRst({ sender: 'server', ipv6: false, ttl: 64, senderTtlMin: 63, senderTtlMax: 63, ipId: 0, senderIpIdLast: -1,
  senderIpIdSequential: true, peerIpIdLast: -1, hasAck: false, seq: 1, ack: 0, answeredAck: 1, peerNextSeq: null });

test('fate without evidence: every rule gives the same fields as the explained decision, and no text', () => {
  const cases: FlowFateFacts[] = [
    flow({ end: 'evicted' }),
    flow({ end: 'rst', client: side({ keepaliveGaveUp: { probes: 9, idleSeconds: 7200 }, pendingTriedSeconds: 675 }) }),
    flow({ client: side({ pendingAfterIdleSeconds: 400, pendingRetransmissions: 5, backoff: true, pendingTriedSeconds: 30 }) }),
    flow({ end: 'rst', client: side({ pendingAfterIdleSeconds: 400 }), rst: { from: 'server', judgement: rst } }),
    flow({ end: 'rst', rst: { from: 'server', judgement: { ...rst, injected: false, clue: null } } }),
    flow({ end: 'fin', firstFin: 'server' }),
    flow({ icmp: { about: 'client', fromPeer: false, type: 3, code: 1 }, client: side({ pendingAfterIdleSeconds: 5 }) }),
    flow({ client: side({ sentFin: true }), silentAtEndSeconds: 12.5 }),
  ];
  const hows = new Set<string>();
  for (const f of cases) {
    const full = decideFate(f), bare = decideFate(f, false);
    hows.add(full.how);
    assert.ok(full.evidence.length > 0, `${full.how} explains itself`);
    assert.deepEqual(bare, { ...full, evidence: [] });
  }
  assert.deepEqual([...hows].sort(), ['closed', 'evicted', 'icmp', 'injected-reset', 'keepalive-timeout', 'open', 'reset', 'retransmission-timeout']);
});
