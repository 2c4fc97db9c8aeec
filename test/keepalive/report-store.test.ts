// The report store: past a run's worth of rows, they go to a temporary file as sorted runs and come
// back merged in flow-id order, field for field, on every pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import type { FlowReport } from '../../src/keepalive/model';
import { ReportStore } from '../../src/keepalive/report-store';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');

/** A row of the test's own width: its id and three values derived from it, one fractional. */
const WIDTH = 4;
const fields = (id: number): number[] => [id, id * 7, -id, id / 3];
const readRow = (rows: Float64Array, off: number): FlowReport =>
  ({ id: rows[off], rest: Array.from(rows.subarray(off + 1, off + WIDTH)) }) as unknown as FlowReport;
const expected = (id: number): unknown => ({ id, rest: fields(id).slice(1) });

function fill(store: ReportStore, ids: readonly number[]): void {
  for (const id of ids) {
    const off = store.append();
    store.rows.set(fields(id), off);
  }
}

// Every id once, shuffled: 5000 rows in runs of 10 (500 sorted runs to merge) plus 3 still gathering.
const SHUFFLED = Array.from({ length: 5003 }, (_, i) => (i * 7919) % 5003);

test('past a run the store writes sorted runs to a file and merges them back in id order, on each pass', () => {
  const store = new ReportStore(WIDTH, readRow, 10);
  fill(store, SHUFFLED);
  assert.equal(store.spilled, true);
  assert.equal(store.length, 5003);
  for (let pass = 0; pass < 2; pass++) {
    let next = 0;
    for (const r of store) {
      assert.deepEqual(r, expected(next), `row ${next}, pass ${pass}`);
      next++;
    }
    assert.equal(next, 5003);
  }
  store.dispose();
});

test('without a writable temporary directory the runs stay in memory and read back the same', () => {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = '/nonexistent/keepalive-test';
  try {
    const store = new ReportStore(WIDTH, readRow, 10);
    fill(store, SHUFFLED);
    assert.equal(store.spilled, false);
    assert.deepEqual(store.toArray(), SHUFFLED.map((_, i) => expected(i)));
  } finally {
    if (saved === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = saved;
  }
});

test('below one run the store keeps its rows in memory and still yields them in id order', () => {
  const store = new ReportStore(WIDTH, readRow, 100);
  fill(store, [5, 3, 9, 1]);
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

test('a run longer than the read buffer comes back through several reads, field for field; eachRow sees the same rows', () => {
  // Runs of 200 rows: read 64 at a time (three full reads and one of 8); 1037 rows make 5 runs and 37 gathering.
  const ids = Array.from({ length: 1037 }, (_, i) => (i * 389) % 1037);
  const store = new ReportStore(WIDTH, readRow, 200);
  fill(store, ids.slice(0, 200));
  assert.equal(store.spilled, false, 'a full run is written only when the next row comes');
  fill(store, ids.slice(200, 201));
  assert.equal(store.spilled, true);
  fill(store, ids.slice(201));
  assert.equal(store.length, 1037);
  assert.deepEqual(store.toArray(), ids.map((_, i) => expected(i)));
  const seen: number[][] = [];
  store.eachRow((rows, off) => seen.push(Array.from(rows.subarray(off, off + WIDTH))));
  assert.deepEqual(seen, ids.map((_, i) => fields(i)));
  store.dispose();
  assert.equal(store.length, 0);
  assert.equal(store.spilled, false);
  assert.deepEqual(store.toArray(), []);
});

test('rows gather in a buffer that grows from 64 rows to a run, keeping the rows already written', () => {
  for (const n of [1, 63, 64, 65, 129, 2048, 2049, 4200]) {
    const ids = Array.from({ length: n }, (_, i) => n - 1 - i);
    const store = new ReportStore(WIDTH, readRow);
    fill(store, ids);
    assert.equal(store.spilled, n > 2048, `${n} rows`);
    assert.deepEqual(store.toArray(), ids.map((_, i) => expected(i)), `${n} rows`);
    store.dispose();
  }
});
