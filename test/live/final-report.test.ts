// The report at the end of a live run carries each flow's fate and the paths section, as `analyze`
// prints them, in every live format. A router recording (fixtures/path/nat-keepalive: NAT with an
// 8 s conntrack timeout, REJECT tcp-reset) is played into a LiveSession as if it came off a device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import { LiveSession } from '../../src/live/session';
import type { LiveFormat, LiveOptions } from '../../src/live/options';
import type { PathsBy } from '../../src/path/paths';
import { hasActivity } from '../../src/report/flow-list';
import { ReplaySource } from './replay-source';
import { validateLiveArgs } from '../../src/cli/live';

const DIR = join(__dirname, '..', '..', '..', 'fixtures', 'path');
const FILE = join(DIR, 'nat-keepalive.client.pcap');
const SPEC = JSON.parse(readFileSync(join(DIR, 'nat-keepalive.json'), 'utf8')) as {
  conntrackTimeoutSeconds: number;
  flows: { serverPort: number; expect: { fate: string; by: string | null } }[];
};

async function liveRun(format: LiveFormat, pathsBy?: PathsBy, stopAfterSeconds = 0): Promise<string> {
  const source = await ReplaySource.load(FILE);
  source.stopAfterSeconds = stopAfterSeconds;
  let out = '';
  const abort = new AbortController();
  const opts: LiveOptions = { iface: 'replay0', snaplen: 65535, format, bufferBytes: 1 << 20, pathsBy, keepFlow: hasActivity };
  const session = new LiveSession(opts, {
    out: { write: (s: string) => { out += s; return true; } }, err: { write: () => true }, handleSignals: false, abort: abort.signal,
  }, source, null);
  const done = session.run();
  await source.played;
  abort.abort();
  assert.equal(await done, 0);
  return out;
}

const port = (server: string): number => Number(server.split(':').at(-1));

test('live json: every reported flow has its fate, and paths bracket the router\'s conntrack timeout', async () => {
  const j = JSON.parse(await liveRun('json')) as {
    flows: { server: string; fate: { how: string; by: string | null } }[];
    paths: { server: string; idleTimeoutSeconds: { above: number; atMost: number }; verdicts: string[] }[];
  };
  // Without --all-flows: the prober that held the path, and both flows that died after idle.
  assert.deepEqual(j.flows.map((f) => port(f.server)).sort(), SPEC.flows.map((f) => f.serverPort).sort());
  for (const f of j.flows) {
    const ex = SPEC.flows.find((x) => x.serverPort === port(f.server))!.expect;
    assert.deepEqual([f.fate.how, f.fate.by], [ex.fate, ex.by], f.server);
  }
  assert.equal(j.paths.length, 1);
  const { above, atMost } = j.paths[0].idleTimeoutSeconds;
  assert.ok(above < SPEC.conntrackTimeoutSeconds && atMost >= SPEC.conntrackTimeoutSeconds, `${above}..${atMost}`);
  // The same paths analyze finds in the file.
  const { result } = await analyzeFile(FILE, {});
  assert.deepEqual(j.paths, result.paths.map((p) => ({ capture: 0, ...p })));
});

test('live json: an open flow\'s silence runs to when the run was stopped, not to the last packet', async () => {
  type F = { client: string; server: string; maxIdleSeconds: number; fate: { how: string; silentAtEndSeconds: number | null } };
  const at = (stop: number) => liveRun('json', undefined, stop).then((s) => (JSON.parse(s) as { flows: F[] }).flows);
  const [now, later] = [await at(0), await at(20)];
  const open = now.filter((f) => f.fate.how === 'open');
  assert.ok(open.length > 0);
  // Stopped at the last packet, the run is the file: the same silence analyze reports.
  const { result } = await analyzeFile(FILE, {});
  for (const f of open) {
    const file = result.flows.find((x) => x.client === f.client && x.server === f.server)!;
    assert.equal(f.fate.silentAtEndSeconds, file.fate.silentAtEndSeconds);
    const l = later.find((x) => x.client === f.client && x.server === f.server)!;
    assert.ok(Math.abs(l.fate.silentAtEndSeconds! - (f.fate.silentAtEndSeconds! + 20)) < 1e-6, `${l.fate.silentAtEndSeconds}`);
    assert.ok(Math.abs(l.maxIdleSeconds - Math.max(f.maxIdleSeconds, l.fate.silentAtEndSeconds!)) < 1e-6);
  }
  // Flows that ended before the stop keep their fates.
  assert.deepEqual(later.filter((f) => f.fate.how !== 'open').map((f) => f.fate.how), now.filter((f) => f.fate.how !== 'open').map((f) => f.fate.how));
});

test('live table: the flows\' fates, then the paths section, then the summary', async () => {
  const text = await liveRun('table');
  const { result } = await analyzeFile(FILE, {});
  const section = `paths:\n${result.paths.map((p) => `  ${p.summary}\n`).join('')}`;
  assert.ok(text.includes(section), text);
  assert.ok(text.indexOf(section) > text.lastIndexOf('└'), 'paths after the flows table');
  assert.match(text.slice(text.indexOf(section) + section.length), /^\d+ of \d+ flows with keepalive/);
  assert.equal(text.match(/fate: injected RST \(middlebox\) after \d+\.\d s idle/g)?.length,
    SPEC.flows.filter((f) => f.expect.fate === 'injected-reset').length);
});

test('live ndjson: one path line after the flow lines; --paths-by port splits the paths by server port', async () => {
  const lines = (await liveRun('ndjson')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; server?: string });
  const types = lines.map((l) => l.type).filter((t) => t === 'capture' || t === 'flow' || t === 'path' || t === 'summary');
  assert.deepEqual(types, ['capture', ...SPEC.flows.map(() => 'flow'), 'path', 'summary']);
  const byPort = JSON.parse(await liveRun('json', 'port')) as { paths: { server: string }[] };
  // Each port's flow survived or died after an idle gap, so each is a path of its own.
  assert.deepEqual(byPort.paths.map((p) => p.server).sort(), SPEC.flows.map((f) => `10.79.2.2:${f.serverPort}`).sort());
});

test('live --paths-by: address by default, port on request, anything else a usage error', () => {
  assert.equal(validateLiveArgs({ interface: 'lo' }).pathsBy, 'address');
  assert.equal(validateLiveArgs({ interface: 'lo', pathsBy: 'port' }).pathsBy, 'port');
  assert.throws(() => validateLiveArgs({ interface: 'lo', pathsBy: 'host' }), /--paths-by: unknown grouping 'host'/);
});
