// `--format html` without a browser: the page is self-contained, embeds exactly the JSON report, and
// caps what it embeds; `-o FILE` writes every format's report to the file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { OutputBatch } from '../../src/cli/output';
import type { KeepaliveEvent } from '../../src/keepalive/model';
import { HtmlEvents, writeHtml, type HtmlMeta } from '../../src/report/html';
import type { AnalyzedInput } from '../../src/report/inputs';
import { assertCleanStderr, ROOT, run } from '../cli/run';
import { makeFlow, makeInput, probeEvent } from './fixtures';

const FIXTURES = fs.readdirSync(join(ROOT, 'fixtures')).filter((n) => n.endsWith('.pcap')).map((n) => join(ROOT, 'fixtures', n));

function scriptJson(html: string, id: string): unknown {
  const open = `<script type="application/json" id="${id}">`;
  const at = html.indexOf(open);
  assert.ok(at >= 0, `no ${id}`);
  const end = html.indexOf('</script>', at);
  return JSON.parse(html.slice(at + open.length, end));
}

/** The page of made-up inputs, their events as the CLI hands them over. */
function render(inputs: readonly AnalyzedInput[], maxFlows?: number, maxEvents?: number): string {
  const parts: Buffer[] = [];
  const batch = new OutputBatch({ out: (s) => parts.push(Buffer.from(s)), outBytes: (b) => { parts.push(Buffer.from(b)); return true; }, err: () => {} });
  const events = new HtmlEvents(maxEvents);
  for (const input of inputs) for (const e of input.events) events.add(input.index, e);
  writeHtml(inputs, events, batch, maxFlows);
  batch.flush();
  return Buffer.concat(parts).toString('utf8');
}

test('html: one file with no address to fetch, no src or href, and print styles', () => {
  const r = run(['analyze', '--format', 'html', ...FIXTURES]);
  assert.equal(r.code, 0, r.stderr);
  const html = r.stdout;
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.doesNotMatch(html, /https?:\/\//i);
  assert.doesNotMatch(html, /\s(src|href)\s*=/i);
  assert.doesNotMatch(html, /url\(/i);
  assert.doesNotMatch(html, /@import/i);
  assert.match(html, /@media print/);
  assert.match(html, /Permission is hereby granted/, 'uPlot\'s MIT licence travels with its code');
});

test('html: the page\'s data is the JSON report with events, object for object', () => {
  const html = run(['analyze', '--format', 'html', ...FIXTURES]);
  const json = run(['analyze', '--format', 'json', '--events', ...FIXTURES]);
  assert.equal(html.code, 0, html.stderr);
  assert.equal(json.code, 0, json.stderr);
  const data = scriptJson(html.stdout, 'report-data') as Record<string, unknown>;
  assert.equal(data.events, undefined);
  // The page keeps the events in an element of their own and puts them back as the report's `events`.
  assert.deepEqual({ ...data, events: scriptJson(html.stdout, 'report-events') }, JSON.parse(json.stdout));
  const meta = scriptJson(html.stdout, 'report-meta') as HtmlMeta;
  const flows = (JSON.parse(json.stdout) as { flows: unknown[] }).flows.length;
  assert.equal(meta.reportedFlows, flows);
  assert.equal(meta.embeddedFlows, flows);
});

test('html: text from the capture cannot end the data element or inject markup', () => {
  const nasty = 'a</script><img src=x onerror=alert(1)><!--.pcap';
  const input = makeInput(0, [makeFlow()], [probeEvent], { file: nasty, warnings: [`${nasty}: </style> warning`] });
  const html = render([input]);
  assert.doesNotMatch(html, /<\/script><img/);
  assert.doesNotMatch(html, /<img src=x/);
  const data = scriptJson(html, 'report-data') as { captures: { file: string; warnings: string[] }[] };
  assert.equal(data.captures[0].file, nasty);
  assert.deepEqual(scriptJson(html, 'report-events'), [{ capture: 0, ...probeEvent }]);
  assert.equal(data.captures[0].warnings[0], `${nasty}: </style> warning`);
  assert.match(html, /<title>keepalive report: a&#60;\/script&#62;/);
});

test('html: past the cap only the first flows and their events are embedded, and the meta says how many were left out', () => {
  const flows = [1, 2, 3, 4, 5].map((id) => makeFlow({ id }));
  const events: KeepaliveEvent[] = flows.map((f) => ({ ...probeEvent, flow: f.id }));
  const a = makeInput(0, flows.slice(0, 3), events.slice(0, 3));
  const b = makeInput(1, flows.slice(3), events.slice(3));
  const html = render([a, b], 2);
  const data = scriptJson(html, 'report-data') as { flows: { capture: number; id: number }[] };
  assert.deepEqual(data.flows.map((f) => [f.capture, f.id]), [[0, 1], [0, 2]]);
  assert.deepEqual((scriptJson(html, 'report-events') as { capture: number; flow: number }[]).map((e) => [e.capture, e.flow]), [[0, 1], [0, 2]]);
  const meta = scriptJson(html, 'report-meta') as HtmlMeta;
  assert.equal(meta.reportedFlows, 5);
  assert.equal(meta.embeddedFlows, 2);
  assert.equal(meta.maxFlows, 2);
  assert.equal(meta.eventsLeftOut, 0);
  // Past the event cap the first events are kept and the rest counted.
  const capped = render([a, b], undefined, 3);
  assert.deepEqual((scriptJson(capped, 'report-events') as { flow: number }[]).map((e) => e.flow), [1, 2, 3]);
  assert.equal((scriptJson(capped, 'report-meta') as HtmlMeta).eventsLeftOut, 2);
});

test('-o FILE: every format writes to the file what it writes to standard output, and nothing to standard output', () => {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'keepalive-o-'));
  try {
    for (const format of ['table', 'json', 'ndjson', 'csv', 'html']) {
      const args = ['analyze', '--format', format, ...FIXTURES];
      const piped = run(args);
      assert.equal(piped.code, 0, piped.stderr);
      const out = join(dir, `report.${format}`);
      fs.writeFileSync(out, 'old contents that must go');
      for (const flag of ['-o', '--output']) {
        const r = run([...args, flag, out]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '', `${format} ${flag}`);
        assert.equal(fs.readFileSync(out, 'utf8'), piped.stdout, `${format} ${flag}`);
      }
    }
    // Before the captures, as in `-o report.json trace.pcap`.
    const first = run(['analyze', '-o', join(dir, 'first.json'), '--format', 'json', FIXTURES[0]]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(fs.readFileSync(join(dir, 'first.json'), 'utf8'), run(['analyze', '--format', 'json', FIXTURES[0]]).stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('-o FILE that cannot be written: one line naming it, exit 2, no report anywhere', () => {
  const bad = join(ROOT, 'no-such-directory', 'report.html');
  const r = run(['analyze', '--format', 'html', '-o', bad, FIXTURES[0]]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const lines = assertCleanStderr(r.stderr);
  assert.match(lines[0], new RegExp(`^keepalive: -o: cannot write ${bad.replace(/[/.]/g, '\\$&')}: ENOENT`));
});

test('-o FILE naming one of the captures: refused before the capture is touched', () => {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'keepalive-o-'));
  try {
    const copy = join(dir, 'trace.pcap');
    fs.copyFileSync(FIXTURES[0], copy);
    const before = fs.readFileSync(copy);
    const r = run(['analyze', '--format', 'html', '-o', join(dir, '.', 'trace.pcap'), copy]);
    assert.equal(r.code, 2);
    assert.match(assertCleanStderr(r.stderr)[0], /^keepalive: -o: .*trace\.pcap is one of the captures to read$/);
    assert.deepEqual(fs.readFileSync(copy), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
