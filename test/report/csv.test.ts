import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowReport } from '../../src/keepalive/model';
import { CSV_COLUMNS, csvField, csvRecord, flowRows } from '../../src/report/csv';
import type { FrameNo } from '../../src/units';
import { parseCsv } from './csv-parse';
import { openFate } from './fixtures';

test('fields are quoted exactly when RFC 4180 requires it', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\r'), '"cr\r"');
  assert.equal(csvField('[2001:db8::1]:80'), '[2001:db8::1]:80');
  assert.equal(csvField(null), '');
  assert.equal(csvField(0.25), '0.25');
  assert.equal(csvField(false), 'false');
});

test('records end with CRLF and survive a strict reader', () => {
  const rec = csvRecord(['x', 'a,"b"', null, 3]);
  assert.equal(rec, 'x,"a,""b""",,3\r\n');
  assert.deepEqual(parseCsv(rec), [['x', 'a,"b"', '', '3']]);
});

const flow = (over: Partial<FlowReport>): FlowReport => ({
  id: 7, client: '10.0.0.1:40000', server: '10.0.0.2:443', vlan: [100, 20], firstFrame: 1 as FrameNo, lastFrame: 99 as FrameNo,
  firstTime: '2023-11-14T22:13:20.000000Z', lastTime: '2023-11-14T22:15:20.000000Z', midstream: false, packets: 99,
  maxIdleSeconds: 60.5, zeroWindowProbes: 0, end: 'open', fate: openFate, keepalive: [], ...over,
});

test('one row per probing endpoint with nested fields flattened', () => {
  const f = flow({
    keepalive: [
      {
        prober: 'client', probes: 3, acked: 2, unanswered: 1, resets: 0, icmp: 0, probeBytes: 0,
        idleSeconds: { min: 60, median: 60.5, max: 61 }, intervalSeconds: null, rttMs: { min: 0.2, median: 0.3, max: 0.4 },
        maxUnanswered: 1, outcome: 'alive',
        settings: { idleSeconds: 60, intervalSeconds: null, count: null, matches: 'custom', middleboxes: ['just under a 61 s timeout', 'x, "y"'], deadPeerDetectedAfterSeconds: null },
      },
      {
        prober: 'server', probes: 1, acked: 1, unanswered: 0, resets: 0, icmp: 0, probeBytes: 1,
        idleSeconds: null, intervalSeconds: null, rttMs: null, maxUnanswered: 0, outcome: 'alive',
        settings: { idleSeconds: null, intervalSeconds: null, count: null, matches: null, middleboxes: [], deadPeerDetectedAfterSeconds: null },
      },
    ],
  });
  const rows = parseCsv(flowRows(2, 'a "b".pcap', f));
  assert.equal(rows.length, 2);
  for (const r of rows) assert.equal(r.length, CSV_COLUMNS.length);
  const rec = (r: string[]): Record<string, string> => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]]));
  const a = rec(rows[0]), b = rec(rows[1]);
  assert.equal(a.capture, '2');
  assert.equal(a.file, 'a "b".pcap');
  assert.equal(a.flow, '7');
  assert.equal(a.vlan, '100.20');
  assert.equal(a.midstream, 'false');
  assert.equal(a.prober, 'client');
  assert.equal(a.idle_min_s, '60');
  assert.equal(a.idle_median_s, '60.5');
  assert.equal(a.idle_max_s, '61');
  assert.equal(a.interval_min_s, '');
  assert.equal(a.rtt_max_ms, '0.4');
  assert.equal(a.settings_idle_s, '60');
  assert.equal(a.settings_count, '');
  assert.equal(a.settings_match, 'custom');
  assert.equal(a.middleboxes, 'just under a 61 s timeout; x, "y"');
  assert.equal(b.prober, 'server');
  assert.equal(b.probe_bytes, '1');
  assert.equal(b.settings_match, '');
  assert.equal(b.max_idle_s, '60.5');
});

test('a flow without probes is one row with the endpoint columns empty', () => {
  const rows = parseCsv(flowRows(0, 'x.pcap', flow({ zeroWindowProbes: 2 })));
  assert.equal(rows.length, 1);
  const r = rows[0];
  assert.equal(r[CSV_COLUMNS.indexOf('zero_window_probes')], '2');
  for (let i = CSV_COLUMNS.indexOf('prober'); i < CSV_COLUMNS.length; i++) assert.equal(r[i], '', CSV_COLUMNS[i]);
});
