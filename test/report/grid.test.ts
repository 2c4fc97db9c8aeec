// The flows table is drawn by report/grid.ts, not by the `table` package (too slow for big
// captures); these tests hold it to the exact text `table` draws for the same rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { getBorderCharacters, table } from 'table';
import { analyzeFile } from '../../src/analysis';
import type { FlowReport } from '../../src/keepalive/model';
import { flowRows, flowsTable } from '../../src/report/table';
import { textWidth } from '../../src/report/grid';
import { makeFlow, probing } from './fixtures';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures');
const HEADER = ['flow (client → server)', 'prober', 'probes', 'ack/unans/rst', 'idle before probing', 'interval', 'RTT', 'outcome', 'settings match', 'longest silence'];

function byTablePackage(flows: FlowReport[]): string {
  const rows: string[][] = [HEADER];
  for (const f of flows) rows.push(...flowRows(f));
  return table(rows, {
    border: getBorderCharacters('norc'),
    drawHorizontalLine: (i, size) => i === 0 || i === 1 || i === size,
    columns: { 2: { alignment: 'right' } },
  });
}

test('grid: same text as the table package for hand-made flows', () => {
  const flows = [
    makeFlow(),
    makeFlow({ id: 22, client: '[fd00::1]:1', server: '10.0.0.1:22', vlan: [100, 7], midstream: true, zeroWindowProbes: 3, end: 'rst', keepalive: [] }),
    makeFlow({ id: 3, keepalive: [probing, { ...probing, prober: 'server', probeBytes: 1, icmp: 2, outcome: 'timeout',
      settings: { ...probing.settings, matches: null, middleboxes: ['at or above AWS ALB/CLB idle timeout 60 s', 'x'] } }] }),
  ];
  assert.equal(flowsTable(flows), byTablePackage(flows));
});

test('grid: same text as the table package for every flow of real captures', async () => {
  for (const name of ['many-flows.pcap', 'both-probe.pcap', 'zero-window.pcap', 'ipv6-healthy.pcap', 'public/tcp_zerowindowdead.pcapng']) {
    const { result } = await analyzeFile(path.join(FIXTURES, name), { allFlows: true });
    const flows = result.flows;
    assert.ok(flows.length > 0, name);
    assert.equal(flowsTable(flows), byTablePackage(flows), name);
  }
});

test('grid: width counts code points, so arrows and dashes take one column', () => {
  assert.equal(textWidth('a → b – c × 2'), 13);
  assert.equal(textWidth(''), 0);
});
