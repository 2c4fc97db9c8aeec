// --max-flows below the flows open at once: an open flow evicted is remembered by its key until it
// would have expired, and when its packets come back the new flow "continues" it. A SYN starts a
// connection of its own; a closed flow evicted only lingered. The notice comes once; the warning
// names the --max-flows that would have held every flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, C, S } from './scenario';

interface Run {
  readonly c: Conversation;
  readonly notices: string[];
}

function capped(maxFlows: number, idleTimeoutSeconds?: number): Run {
  const notices: string[] = [];
  const c = new Conversation({ maxFlows, allFlows: true, onNotice: (l) => notices.push(l), ...(idleTimeoutSeconds === undefined ? {} : { idleTimeoutSeconds }) });
  return { c, notices };
}

/** Ports 1000 + i; one data segment from the client opens each flow (mid-stream). */
const data = (r: Run, at: number, i: number, from: 'client' | 'server' = 'client') =>
  r.c.tcp(at, from === 'client' ? { ...C, sport: 1000 + i, seq: 100 + at * 1000, ack: 500, flags: 'PA', payload: 10 }
    : { ...S, dport: 1000 + i, seq: 500, ack: 100 + at * 1000, flags: 'PA', payload: 10 });

test('an evicted open flow that comes back continues it, from either end; the notice names it once', () => {
  for (const from of ['client', 'server'] as const) {
    const r = capped(2);
    data(r, 0, 0); // flow 0
    data(r, 1, 1); // flow 1
    data(r, 2, 2); // flow 2: evicts flow 0
    const back = data(r, 3, 0, from); // flow 3 continues 0, evicts 1
    data(r, 4, 1); // flow 4 continues 1, evicts 2
    const res = r.c.finish();
    assert.deepEqual(res.flows.map((f) => [f.id, f.end, f.continues ?? null]),
      [[0, 'evicted', null], [1, 'evicted', null], [2, 'evicted', null], [3, 'open', 0], [4, 'open', 1]], from);
    assert.equal(res.summary.evictedFlows, 3);
    assert.equal(r.notices.length, 1);
    // Flow 3's own creation evicted flow 1: two open flows evicted so far. Three open at once: flows
    // 2 and 3 held, flow 1 remembered.
    assert.equal(r.notices[0], `--max-flows 2 is below the number of flows open at once: flow 0, evicted, came back at frame ${back} ` +
      '(2 open flows evicted so far, at least 3 open at once); flows that come back are reported with "continues"');
    // Flows 0–2 were open together (flow 2 was still remembered when 4 came back): 3 would have held them.
    assert.ok(res.warnings.includes('3 flow(s) evicted because more than the flow cap were open at once; ' +
      '2 came back and are reported as continuing flows ("continues"); --max-flows 3 or more would have held them'), res.warnings.join('\n'));
  }
});

test('an IPv6 flow comes back by all four words of its addresses', () => {
  const r = capped(1);
  const v6 = (at: number, src: string, dst: string) => r.c.tcp(at, { ...C, src, dst, seq: 1, ack: 1, flags: 'A' });
  v6(0, '2001:db8::1', '2001:db8::2'); // flow 0
  v6(1, '2001:db8::1', '2001:db8::3'); // flow 1 evicts 0
  v6(2, '2001:db8::1', '2001:db9::2'); // flow 2: another address, evicts 1
  v6(3, '2001:db8:0:0:1::1', '2001:db8::2'); // flow 3: word 2 differs
  v6(4, '2001:db8::1:0:1', '2001:db8::2'); // flow 4: word 3 differs
  v6(5, '2001:db8::1', '2001:db8::2'); // flow 5 continues 0
  const res = r.c.finish();
  assert.deepEqual(res.flows.map((f) => f.continues ?? null), [null, null, null, null, null, 0]);
});

test('a SYN on an evicted flow\'s tuple starts a new connection; a closed flow evicted is not remembered', () => {
  const r = capped(1);
  r.c.tcp(0, { ...C, sport: 1000, seq: 1, flags: 'S' }); // flow 0
  r.c.tcp(1, { ...C, sport: 1000, seq: 2, flags: 'R' }); // flow 0 closes
  data(r, 2, 1); // flow 1 evicts the closed flow 0
  r.c.tcp(3, { ...C, sport: 1000, seq: 2, ack: 1, flags: 'A' }); // flow 2, evicts 1: flow 0 was not remembered
  r.c.tcp(4, { ...C, sport: 1001, seq: 1, flags: 'S' }); // flow 3, evicts 2: a SYN continues nothing
  data(r, 5, 0); // flow 4, evicts 3, continues 2
  const res = r.c.finish();
  assert.deepEqual(res.flows.map((f) => [f.id, f.end, f.continues ?? null]),
    [[0, 'evicted', null], [1, 'evicted', null], [2, 'evicted', null], [3, 'evicted', null], [4, 'open', 2]]);
  assert.equal(res.summary.evictedFlows, 4);
  assert.equal(r.notices.length, 1);
});

// An evicted flow is remembered for the idle timeout after its last packet, no longer.
const rememberRows: readonly { back: number; continues: boolean }[] = [
  { back: 99, continues: true },
  { back: 100, continues: true },
  { back: 100.5, continues: false },
  { back: 300, continues: false },
];
for (const row of rememberRows) {
  test(`an evicted flow back ${row.back} s after its last packet (idle timeout 100 s): ${row.continues ? 'continues' : 'a new flow'}`, () => {
    const r = capped(1, 100);
    data(r, 0, 0); // flow 0, last packet at 0
    data(r, 1, 1); // flow 1 evicts 0
    data(r, row.back, 0); // flow 2
    const res = r.c.finish();
    const f = res.flows.find((x) => x.id === 2);
    assert.equal(f?.continues ?? null, row.continues ? 0 : null);
    assert.equal(r.notices.length, row.continues ? 1 : 0);
  });
}

test('the most flows open at once counts the evicted flows still remembered, not those forgotten', () => {
  const r = capped(1, 100);
  data(r, 0, 0); // flow 0
  data(r, 1, 1); // flow 1 evicts 0: 2 open at once
  data(r, 150, 2); // flow 1 expired, flow 0 forgotten (150 s after its last packet): flow 2 alone
  data(r, 151, 3); // flow 3 evicts 2: 2 at once
  const back = data(r, 152, 2); // flow 4 evicts 3, continues 2: 2 at once (4, and 3 remembered)
  const res = r.c.finish();
  assert.deepEqual(res.flows.filter((f) => f.continues !== undefined).map((f) => [f.id, f.continues]), [[4, 2]]);
  assert.deepEqual(res.flows.map((f) => f.end), ['evicted', 'open', 'evicted', 'evicted', 'open']);
  assert.equal(res.summary.expiredFlows, 1);
  assert.deepEqual(r.notices, [`--max-flows 1 is below the number of flows open at once: flow 2, evicted, came back at frame ${back} ` +
    '(3 open flows evicted so far, at least 2 open at once); flows that come back are reported with "continues"']);
  assert.ok(res.warnings.includes('3 flow(s) evicted because more than the flow cap were open at once; ' +
    '1 came back and are reported as continuing flows ("continues"); --max-flows 2 or more would have held them'), res.warnings.join('\n'));
});
