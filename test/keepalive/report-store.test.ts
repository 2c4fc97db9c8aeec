// The report store: past its in-memory limit, reports go to a temporary file and come back in
// flow-id order, field for field, on every pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import type { FlowReport } from '../../src/keepalive/model';
import { ReportStore } from '../../src/keepalive/report-store';
import type { FrameNo } from '../../src/units';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');

function report(id: number): FlowReport {
  return {
    id, client: `192.0.2.${id % 250}:${40000 + id}`, server: '[2001:db8::1]:443', vlan: id % 3 === 0 ? [100, id % 4095] : [],
    firstFrame: (id * 10 + 1) as FrameNo, lastFrame: (id * 10 + 9) as FrameNo,
    firstTime: '2023-11-14T22:13:20.123456789Z', lastTime: '2023-11-15T00:13:23.5Z', midstream: id % 2 === 0,
    packets: id * 7, maxIdleSeconds: id / 3, zeroWindowProbes: 0, end: id % 5 === 0 ? 'rst' : 'fin',
    keepalive: id % 4 === 0 ? [] : [{
      prober: 'client', probes: 9, acked: 0, unanswered: 9, resets: 0, icmp: 0, probeBytes: id % 2,
      idleSeconds: { min: 0.1 + id, median: 7200.000001, max: 1e-9 * id }, intervalSeconds: null, rttMs: null,
      maxUnanswered: 9, outcome: 'timeout',
      settings: { idleSeconds: 7200, intervalSeconds: 75, count: 9, matches: 'linux', middleboxes: ['just under “ünïcode” 350 s'] },
    }],
  };
}

test('past its limit the store spills to a file and yields every report, in id order, on each pass', () => {
  const ids = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000); // every id once, shuffled
  const store = new ReportStore(10);
  for (const id of ids) store.add(report(id));
  assert.equal(store.spilled, true);
  assert.equal(store.length, 5000);
  for (let pass = 0; pass < 2; pass++) {
    let expected = 0;
    for (const r of store) {
      assert.deepEqual(r, report(expected), `report ${expected}, pass ${pass}`);
      expected++;
    }
    assert.equal(expected, 5000);
  }
  store.dispose();
});

test('below its limit the store keeps objects and still yields them in id order', () => {
  const store = new ReportStore(100);
  for (const id of [5, 3, 9, 1]) store.add(report(id));
  assert.equal(store.spilled, false);
  assert.deepEqual(store.toArray().map((r) => r.id), [1, 3, 5, 9]);
});

test('an analysis whose reports spill reports exactly what one held in memory reports', async () => {
  const file = join(FIXTURES, 'many-flows.pcap');
  const inMemory = await analyzeFile(file, { allFlows: true });
  const spilled = await analyzeFile(file, { allFlows: true, reportsInMemory: 1 });
  assert.equal(spilled.result.reports.spilled, true);
  assert.equal(inMemory.result.reports.spilled, false);
  assert.ok(inMemory.result.reports.length > 2, 'the fixture has several flows');
  assert.deepEqual(spilled.result.flows, inMemory.result.flows);
});
