// `--format json --events` keeps its events as text in a temporary file, not as objects in the
// heap: the report is the same as the one rendered from an array of the events, and peak memory
// does not grow with the number of events.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeProbeFlows } from '../../bench/synth/probe-flows';
import { analyzeFile } from '../../src/analysis';
import type { KeepaliveEvent } from '../../src/keepalive/model';
import { renderJson } from '../../src/report/json';
import { ROOT } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'keepalive-json-events-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const STATS = join(__dirname, '..', 'support', 'exit-stats.js');

function cli(args: readonly string[]): { stdout: string; maxRssKiB: number } {
  const stats = join(tmp, 'stats.json');
  const r = spawnSync(process.execPath, ['-r', STATS, join(ROOT, 'bin', 'keepalive.js'), 'analyze', ...args],
    { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, KEEPALIVE_EXIT_STATS: stats }, timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, maxRssKiB: (JSON.parse(readFileSync(stats, 'utf8')) as { maxRssKiB: number }).maxRssKiB };
}

test('json --events: 2 inputs, 38,412 events spooled past memory, same text as from an array', { timeout: 300_000 }, async () => {
  const file = join(tmp, 'events.pcap');
  writeProbeFlows(file, { flows: 200, probesPerFlow: 96, intervalSeconds: 75 });
  const small = join(ROOT, 'fixtures', 'cut-path.pcap');
  const inputs = [];
  for (const [index, f] of [file, small].entries()) {
    const events: KeepaliveEvent[] = [];
    const { capture, result } = await analyzeFile(f, {}, (e) => events.push(e));
    inputs.push({ index, capture, result, flows: result.flows, events });
  }
  const want = renderJson(inputs, true);
  const got = cli(['--format', 'json', '--events', file, small]);
  assert.equal(got.stdout, want);
  const report = JSON.parse(got.stdout) as { events: unknown[] };
  assert.equal(report.events.length, inputs[0].events.length + inputs[1].events.length);
  assert.ok(report.events.length > 38_000);
  // Held as objects, these events took tens of MB; as spooled text they cost about nothing.
  const without = cli(['--format', 'json', file, small]);
  console.log(`# peak RSS ${(got.maxRssKiB / 1024).toFixed(0)} MB with --events, ${(without.maxRssKiB / 1024).toFixed(0)} MB without`);
  assert.ok(got.maxRssKiB < without.maxRssKiB + 40 * 1024, `${got.maxRssKiB} vs ${without.maxRssKiB} KiB`);
});
