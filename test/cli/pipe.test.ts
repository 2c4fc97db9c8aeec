// Output into a real pipe: the analysis waits while the pipe is full (memory does not grow with
// the output), and when the reader leaves (`| head -1`) the command ends at once, quietly, exit 0.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeFlowsPackets, writeProbeFlows } from '../../bench/synth/probe-flows';
import { ROOT } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'keepalive-pipe-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const BIN = join(ROOT, 'bin', 'keepalive.js');
const STATS = join(__dirname, '..', 'support', 'exit-stats.js');
const noBash = spawnSync('sh', ['-c', 'command -v bash && command -v head && command -v wc'], { stdio: 'ignore' }).status !== 0
  ? 'needs bash, head and wc' : undefined;

/** Runs `keepalive analyze ARGS | READER` in bash; the command's exit code, its exit stats, the reader's output. */
function pipeline(args: readonly string[], reader: string): { code: number; stderr: string; out: string; stats: { maxRssKiB: number; rchar: number } } {
  const statsFile = join(tmp, `stats-${Math.random().toString(36).slice(2)}.json`);
  const quoted = [process.execPath, '-r', STATS, BIN, 'analyze', ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${quoted} | ${reader}; echo "exit \${PIPESTATUS[0]}" >&2`], {
    encoding: 'utf8', env: { ...process.env, KEEPALIVE_EXIT_STATS: statsFile }, timeout: 300_000, maxBuffer: 16 << 20,
  });
  const m = /exit (\d+)\n$/.exec(r.stderr);
  assert.ok(m !== null, `no exit status: ${r.stderr}`);
  return { code: Number(m[1]), stderr: r.stderr.slice(0, m.index), out: r.stdout, stats: JSON.parse(readFileSync(statsFile, 'utf8')) as { maxRssKiB: number; rchar: number } };
}

test('ndjson | head -1: one line, then the command stops at once, quietly, exit 0', { skip: noBash, timeout: 300_000 }, () => {
  const file = join(tmp, 'many-events.pcap');
  const o = { flows: 2000, probesPerFlow: 96, intervalSeconds: 75 };
  assert.equal(writeProbeFlows(file, o), probeFlowsPackets(o));
  const size = statSync(file).size;
  for (const format of ['ndjson', 'json', 'csv', 'table']) {
    const started = Date.now();
    const r = pipeline(['--format', format, ...(format === 'json' || format === 'table' ? ['--all-flows'] : []), file], 'head -1');
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 0, `${format}: ${r.stderr}`);
    assert.equal(r.stderr, '', format);
    assert.equal(r.out.split('\n').length, 2, format);
    console.log(`# ${format} | head -1: ${seconds.toFixed(1)} s, peak RSS ${(r.stats.maxRssKiB / 1024).toFixed(0)} MB, read ${(r.stats.rchar / 1e6).toFixed(1)} of ${(size / 1e6).toFixed(1)} MB`);
    if (format === 'ndjson') {
      // Events are written as they happen: the reader left after the first, so the command must
      // have stopped long before the end of the capture (node's own files are a few MB of reads).
      assert.ok(r.stats.rchar < size / 2, `${format}: read ${r.stats.rchar} bytes of a ${size}-byte capture after the reader left`);
    }
    assert.ok(r.stats.maxRssKiB < 200 * 1024, `${format}: peak RSS ${r.stats.maxRssKiB} KiB`);
  }
});

test('ndjson | wc -l: every line arrives, in bounded memory', { skip: noBash, timeout: 300_000 }, () => {
  const file = join(tmp, 'events.pcap');
  const o = { flows: 1000, probesPerFlow: 60, intervalSeconds: 75 };
  writeProbeFlows(file, o);
  const r = pipeline(['--format', 'ndjson', file], 'wc -l');
  assert.equal(r.code, 0, r.stderr);
  // A probe and its ACK per probe, a capture line, a flow line per flow, one path line (every flow
  // goes to the same server), the summary line.
  assert.equal(Number(r.out.trim()), o.flows * o.probesPerFlow * 2 + 1 + o.flows + 1 + 1);
  console.log(`# ndjson | wc -l: peak RSS ${(r.stats.maxRssKiB / 1024).toFixed(0)} MB`);
  assert.ok(r.stats.maxRssKiB < 200 * 1024, `peak RSS ${r.stats.maxRssKiB} KiB`);
});
