import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJsonReport, nest, renderJson } from '../../src/report/json';
import { eventLine, inputLines, summaryLine } from '../../src/report/ndjson';
import { ackEvent, makeFlow, makeInput, probeEvent } from './fixtures';

test('JSON: captures in input order, flows tagged with their input, summaries added up', () => {
  const a = makeInput(0, [makeFlow({ id: 1 }), makeFlow({ id: 2 })]);
  const b = makeInput(1, [makeFlow({ id: 1 })], [], { file: '-', linkTypes: [276, 999] });
  const r = buildJsonReport([a, b], false);
  assert.deepEqual(r.captures.map((c) => c.file), ['in0.pcap', '-']);
  assert.deepEqual(r.captures[0].linkTypes, ['ethernet', 'linux-sll']);
  assert.deepEqual(r.captures[1].linkTypes, ['linux-sll2', 'linktype-999']);
  assert.deepEqual(r.captures[0].warnings, ['reader warning', 'engine warning']);
  assert.equal(r.captures[0].firstTime, '2023-11-14T22:13:20.000000Z');
  assert.deepEqual(r.flows.map((f) => [f.capture, f.id]), [[0, 1], [0, 2], [1, 1]]);
  assert.equal(r.summary.flows, 10);
  assert.equal(r.summary.reportedFlows, 3);
  assert.equal(r.summary.expiredFlows, 6);
  assert.equal(r.summary.outcomes.alive, 2);
  assert.deepEqual(r.summary.weird, { 'tcp-truncated': 2 });
  assert.equal('events' in r, false);
});

test('JSON: --events adds the buffered events tagged with their input', () => {
  const r = buildJsonReport([makeInput(0, [makeFlow()], [probeEvent, ackEvent])], true);
  assert.deepEqual(r.events?.map((e) => [e.capture, e.type, e.frame]), [[0, 'probe', 5], [0, 'probe-ack', 6]]);
});

test('NDJSON: every line is one object with a type; flows follow their capture line', () => {
  const input = makeInput(3, [makeFlow({ id: 4 })]);
  const text = eventLine(3, probeEvent) + inputLines(input) + summaryLine([input]);
  assert.ok(text.endsWith('\n'));
  const lines = text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l.type), ['probe', 'capture', 'flow', 'summary']);
  assert.equal(lines[0].capture, 3);
  assert.equal(lines[0].frame, 5);
  assert.equal(Object.keys(lines[0])[0], 'type');
  assert.equal(lines[1].file, 'in3.pcap');
  assert.equal(lines[2].id, 4);
  assert.equal(lines[2].capture, 3);
  assert.equal(lines[3].probes, 4);
});

test('JSON written in pieces is byte-identical to stringifying the whole report', () => {
  const cases = [
    { inputs: [makeInput(0, [makeFlow(), makeFlow({ id: 7 })], [probeEvent, ackEvent]), makeInput(1, [])], events: true },
    { inputs: [makeInput(0, [])], events: false },
    { inputs: [makeInput(0, [makeFlow()]), makeInput(1, [makeFlow({ id: 3 })])], events: false },
  ];
  for (const c of cases) {
    const whole = `${JSON.stringify(buildJsonReport(c.inputs, c.events), null, 2)}\n`;
    assert.equal(renderJson(c.inputs, c.events), whole);
  }
});

test('nest: JSON.stringify indented for its depth in the document, for every kind of value', () => {
  const values: unknown[] = [
    makeFlow(), probeEvent, [], {}, [[]], [{}], null, 0, -0, 1e21, Number.NaN, 'a "quoted"\nline', true,
    { a: undefined, b: [undefined, () => 1], c: { d: [1, [2, { e: 'x' }]] } }, [1, 'two', null, { three: 3 }],
  ];
  for (const v of values) {
    for (let depth = 0; depth <= 4; depth++) {
      const expected = (JSON.stringify(v, null, 2) as string).replace(/\n/g, `\n${'  '.repeat(depth)}`);
      assert.equal(nest(v, depth), expected, `${JSON.stringify(v)} at depth ${depth}`);
    }
  }
});
