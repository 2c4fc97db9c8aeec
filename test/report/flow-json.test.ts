// The JSON report's flows are written as bytes straight from their snapshot rows (flow-json.ts).
// That text must be exactly what stringifying the report object gives: checked here on every
// bundled capture (all flows) and on made-up rows for the shapes real captures here lack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile } from '../../src/analysis';
import { buildFlowReport, ENDPOINT_FIELDS, SnapshotField, SNAPSHOT_DOUBLES } from '../../src/keepalive/report';
import { FLOW_JSON_MAX_BYTES, writeFlowJson, writeNumber } from '../../src/report/flow-json';
import { nest, renderJson } from '../../src/report/json';
import type { AnalyzedInput } from '../../src/report/inputs';
import { publicCaptures } from '../capture/public-captures';

const FIXTURES = path.join(__dirname, '../../../fixtures');

/** The flow's text as the object path writes it: the report stringified at its depth, capture first. */
function expected(row: Float64Array, off: number, epochSec: number, capture: number): string {
  return `{\n      "capture": ${capture},${nest(buildFlowReport(row, off, epochSec), 2).slice(1)}`;
}

function written(row: Float64Array, off: number, epochSec: number, capture: number): string {
  const buf = Buffer.alloc(FLOW_JSON_MAX_BYTES);
  const end = writeFlowJson(buf, 0, row, off, epochSec, capture);
  assert.ok(end <= FLOW_JSON_MAX_BYTES, `${end} bytes`);
  return buf.toString('utf8', 0, end);
}

function captureFiles(): string[] {
  const own = fs.readdirSync(FIXTURES).filter((n) => /\.pcap(ng)?$/.test(n)).map((n) => path.join(FIXTURES, n));
  const pub = publicCaptures();
  return 'files' in pub ? [...own, ...pub.files] : own;
}

test('every flow of every bundled capture is written as its stringified report', async () => {
  let flows = 0, withProbes = 0;
  for (const file of captureFiles()) {
    const { result } = await analyzeFile(file, { allFlows: true });
    result.reports.eachRow((row, off) => {
      flows++;
      if (row[off + SnapshotField.Probes] !== 0 || row[off + ENDPOINT_FIELDS + SnapshotField.Probes] !== 0) withProbes++;
      assert.equal(written(row, off, result.epochSecond, 3), expected(row, off, result.epochSecond, 3), `${file} flow ${row[off + SnapshotField.Id]}`);
    });
  }
  // Enough of both kinds that the comparison means something.
  assert.ok(flows > 100 && withProbes > 10, `${flows} flows, ${withProbes} probing`);
});

/** A snapshot row of a flow whose both ends probed, to be varied per case. */
function madeUpRow(): Float64Array {
  const row = new Float64Array(SNAPSHOT_DOUBLES);
  row[SnapshotField.Id] = 41; row[SnapshotField.Digits] = 6; row[SnapshotField.Key] = 4; row[SnapshotField.PortA] = 50123; row[SnapshotField.PortB] = 443;
  row[SnapshotField.A0] = (10 << 24) | 1; row[SnapshotField.B0] = ((192 << 24) | (168 << 16) | 7) | 0;
  row[SnapshotField.ClientIsA] = 1; row[SnapshotField.FirstFrame] = 1; row[SnapshotField.LastFrame] = 4_000_000_000; row[SnapshotField.FirstTime] = 12_000;
  row[SnapshotField.LastTime] = 7_325_123_456_000; row[SnapshotField.Packets] = 99; row[SnapshotField.MaxGap] = 7_200_104_512_000; row[SnapshotField.End] = 1;
  for (const e of [0, ENDPOINT_FIELDS]) {
    row[e + SnapshotField.Probes] = 9; row[e + SnapshotField.Acked] = 2; row[e + SnapshotField.Resets] = 1; row[e + SnapshotField.Icmp] = 1; row[e + SnapshotField.ProbeBytes] = 1;
    row[e + SnapshotField.MaxUnanswered] = 5; row[e + SnapshotField.Outcome] = 3; row[e + SnapshotField.GiveUpAfter] = 9;
    row.set([3, 7_200_004_000_000, 7_200_104_512_000, 7_300_000_000_000], e + SnapshotField.Idle);
    row.set([6, 75_000_000_000, 75_012_000_000, 76_500_000_000], e + SnapshotField.Interval);
    row.set([2, 210_000, 1_234_000, 98_765_000], e + SnapshotField.Rtt);
  }
  return row;
}

test('made-up rows: IPv6, VLAN tags, nanosecond times, odd durations, empty samples, far years', () => {
  const cases: [string, (row: Float64Array) => void, number][] = [
    ['both ends probing, middlebox notes', () => {}, 1_700_000_000],
    ['server is endpoint a', (r) => { r[SnapshotField.ClientIsA] = 0; r[SnapshotField.Midstream] = 1; }, 1_700_000_000],
    ['only the server probes', (r) => { r[SnapshotField.Probes] = 0; }, 1_700_000_000],
    ['no probes, zero-window only', (r) => { r[SnapshotField.Probes] = 0; r[ENDPOINT_FIELDS + SnapshotField.Probes] = 0; r[SnapshotField.ZeroWindowProbes] = 3; }, 0],
    ['IPv6 with both VLAN tags', (r) => {
      r[SnapshotField.Key] = 6 | (100 << 4) | (4094 << 16);
      r.set([0x20010db8, 0, 0, 1], SnapshotField.A0); r.set([0xfe800000 | 0, 0, 0x02000000, 0x0000ffff], SnapshotField.B0);
    }, 1_700_000_000],
    ['inner VLAN tag only', (r) => { r[SnapshotField.Key] = 4 | (7 << 16); }, 1_700_000_000],
    ['nanosecond capture, durations not whole µs', (r) => {
      r[SnapshotField.Digits] = 9; r[SnapshotField.FirstTime] = 123_456_789; r[SnapshotField.MaxGap] = 1_234_567_891;
      r.set([1, 3_000_000_001, 3_000_000_001, 3_000_000_001], SnapshotField.Idle);
      r.set([2, 1_500, 2_499_999, 7_777_777_777], SnapshotField.Rtt);
    }, 1_700_000_000],
    ['empty samples, outcome still open, no give-up', (r) => {
      r[SnapshotField.Idle] = 0; r[SnapshotField.Interval] = 0; r[SnapshotField.Rtt] = 0; r[SnapshotField.Outcome] = -1; r[SnapshotField.GiveUpAfter] = -1; r[SnapshotField.ProbeBytes] = 0;
    }, 1_700_000_000],
    ['timestamps without fraction digits', (r) => { r[SnapshotField.Digits] = 0; }, 1_700_000_000],
    ['a year past 9999', () => {}, 253_402_300_800],
    ['a time before 1970', (r) => { r[SnapshotField.FirstTime] = -1_500_000_000; }, 0],
    ['evicted, huge counts', (r) => { r[SnapshotField.End] = 3; r[SnapshotField.Packets] = 2 ** 40 + 1; r[SnapshotField.Id] = 2 ** 31; }, 1_700_000_000],
  ];
  for (const [name, change, epoch] of cases) {
    const row = madeUpRow();
    change(row);
    assert.equal(written(row, 0, epoch, 0), expected(row, 0, epoch, 0), name);
  }
});

test('the longest possible flow fits in FLOW_JSON_MAX_BYTES', () => {
  const row = madeUpRow();
  row[SnapshotField.Key] = 6 | (4095 << 4) | (4095 << 16);
  // Address words are stored signed, as the flow record holds them.
  row.set([0x20010db8, 0x12345678, 0x9abcdef0 | 0, 0x12345678], SnapshotField.A0);
  row.set([0x20010db8, 0x12345678, 0x9abcdef0 | 0, 0x12345679], SnapshotField.B0);
  row[SnapshotField.Digits] = 9;
  for (const e of [0, ENDPOINT_FIELDS]) row.set([3, 1234.567891234e9, 1234.567891234e9, 1e18 + 1], e + SnapshotField.Idle);
  const text = written(row, 0, 1_700_000_000, 2 ** 31);
  assert.equal(text, expected(row, 0, 1_700_000_000, 2 ** 31));
  assert.ok(text.length < FLOW_JSON_MAX_BYTES / 2, `${text.length} bytes`);
});

test('writeNumber writes what JSON.stringify writes', () => {
  const values: number[] = [0, -0, 1, -1, 7, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e21, 1e-7,
    5e-7, 1e-6, 0.1, 0.5, 1.5, -2.25, 123.456, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 999999999.999999];
  let x = 12345;
  const next = (): number => { x = (x * 1103515245 + 12345) % 2 ** 31; return x; };
  for (let i = 0; i < 200_000; i++) {
    const us = next() * 4096 + (next() % 4096);
    values.push(us / 1e6, us / 1e3, us, us * 1000 / 1e9, (us * 1000 + 1) / 1e9, next() / 7, -us / 1e6, us * 1e9);
  }
  const buf = Buffer.alloc(64);
  for (const v of values) {
    const end = writeNumber(buf, 0, v);
    assert.equal(buf.toString('latin1', 0, end), JSON.stringify(v), String(v));
  }
});

test('a report whose flows are rows is the same text as one whose flows are report objects', async () => {
  const inputs: [AnalyzedInput, AnalyzedInput][] = [];
  const files = [path.join(FIXTURES, 'both-probe.pcap'), path.join(FIXTURES, 'healthy.pcap'), path.join(FIXTURES, 'many-flows.pcap')];
  for (const [index, file] of files.entries()) {
    const { capture, result } = await analyzeFile(file, { allFlows: index !== 1 });
    const objects = result.reports.toArray();
    const rows = { epochSecond: result.epochSecond, each: (visit: (r: Float64Array, o: number) => void) => result.reports.eachRow(visit) };
    inputs.push([
      { index, capture, result, flows: Object.assign([...objects], { rows }), events: [] },
      { index, capture, result, flows: objects, events: [] },
    ]);
  }
  assert.ok(inputs.every(([a]) => a.flows.length > 0));
  const fromRows = renderJson(inputs.map(([a]) => a), false);
  assert.equal(fromRows, renderJson(inputs.map(([, b]) => b), false));
  assert.equal(JSON.parse(fromRows).flows.length, inputs.reduce((n, [a]) => n + a.flows.length, 0));
});
