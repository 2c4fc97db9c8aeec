// Each path's counts, bracket, verdicts and advised TCP_KEEPIDLE on the router recordings of
// fixtures/path/, predicted from what the JSON says the kernels and the router were given: the
// conntrack timeout, each flow's keepalive settings and idle gaps, and how each flow must end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzeFile } from '../../src/analysis';
import { PATH_DEATHS, type FateHow } from '../../src/fate/model';

const FX = join(__dirname, '..', '..', '..', 'fixtures');
const DIR = join(FX, 'path');
const BIN = join(__dirname, '..', '..', '..', 'bin', 'keepalive.js');

interface FlowSpec {
  readonly serverPort: number;
  readonly client: { readonly idleSeconds: number; readonly intervalSeconds: number; readonly count: number } | null;
  readonly expect: { readonly fate: FateHow; readonly afterIdleSeconds?: number | null; readonly survivedGapsSeconds?: readonly number[] | null };
}
interface Spec { readonly family: 'ipv4' | 'ipv6'; readonly conntrackTimeoutSeconds?: number; readonly flows: readonly FlowSpec[] }
const spec = (name: string): Spec => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Spec;

// Recorded under load: steps up to ~0.3 s late and ~0.1 s early (fixtures/README.md), keepalive timers a few jiffies more.
const near = (seen: number, want: number): boolean => seen >= want - 0.15 && seen <= want + 0.45;

for (const name of ['nat-reject', 'nat-reject-ipv6', 'nat-blackhole', 'nat-blackhole-ipv6', 'nat-keepalive', 'nat-keepalive-ipv6']) {
  test(`${name}: path counts, bracket ends, verdicts and the advised keepalive idle follow from the settings`, async () => {
    const s = spec(name);
    const timeout = s.conntrackTimeoutSeconds!;
    const { result } = await analyzeFile(join(DIR, `${name}.client.pcap`), {});
    assert.equal(result.paths.length, 1);
    const p = result.paths[0];
    const deaths = s.flows.filter((f) => PATH_DEATHS.has(f.expect.fate));
    // Every flow here idled at least 4 s, survived or died after it: each counts.
    assert.equal(p.flows, s.flows.length);
    assert.equal(p.died, deaths.length);
    assert.equal(p.survived, s.flows.filter((f) => f.expect.fate === 'open').length);
    const diedBy: Partial<Record<FateHow, number>> = {};
    for (const f of deaths) diedBy[f.expect.fate] = (diedBy[f.expect.fate] ?? 0) + 1;
    assert.deepEqual(p.diedBy, diedBy);
    // above: the longest gap a flow survived; a keepalive flow's answered probes end its gaps at its
    // keepalive idle, so a 14 s data gap under 4 s keepalive is not a survived 14 s.
    const survived = Math.max(...s.flows.flatMap((f) => f.expect.survivedGapsSeconds ?? []));
    assert.ok(near(p.idleTimeoutSeconds.above!, survived), `above ${p.idleTimeoutSeconds.above} vs ${survived}`);
    const fatal = Math.min(...deaths.map((f) => f.expect.afterIdleSeconds!));
    assert.ok(near(p.idleTimeoutSeconds.atMost!, fatal), `atMost ${p.idleTimeoutSeconds.atMost} vs ${fatal}`);
    // Verdicts from the settings against the router's timeout.
    const want = new Set<string>();
    if (deaths.some((f) => f.client === null)) want.add('no-keepalive');
    if (s.flows.some((f) => f.client !== null && f.client.idleSeconds >= timeout)) want.add('keepalive-too-long');
    if (s.flows.some((f) => f.client !== null && f.client.idleSeconds < timeout && f.expect.fate === 'open')) want.add('keepalive-holds');
    assert.deepEqual(new Set(p.verdicts), want, p.summary);
    // The largest TCP_KEEPIDLE the evidence proves: whole seconds, at most the longest survived gap, below the timeout.
    const keep = p.keepIdleAtMostSeconds!;
    assert.ok(Number.isInteger(keep) && keep <= p.idleTimeoutSeconds.above! && keep > p.idleTimeoutSeconds.above! - 1 && keep < timeout, `${keep}`);
    for (const f of s.flows) if (f.client !== null && f.expect.fate === 'open') assert.ok(f.client.idleSeconds <= keep + 0.5, `holding idle ${f.client.idleSeconds} vs ${keep}`);
    if (want.has('keepalive-too-long')) {
      const longest = Math.max(...s.flows.map((f) => f.client?.idleSeconds ?? 0));
      assert.ok(near(p.keepaliveIdleSeconds!, longest), `${p.keepaliveIdleSeconds} vs ${longest}`);
      assert.match(p.summary, new RegExp(`is too long, use <= ${keep} s`));
    }
    // The bracket in words, and the catalogue: nothing catalogued lies between a few seconds and the timeout.
    assert.match(p.summary, /: idle timeout between \d+(\.\d+)? s and \d+(\.\d+)? s \(/);
    assert.deepEqual(p.matches, []);
  });
}

test('restart: a real server\'s RST after idle is no evidence of a path timeout (no bracket end)', async () => {
  const s = spec('restart');
  assert.deepEqual(s.flows.map((f) => f.expect.fate), ['reset']);
  const { result } = await analyzeFile(join(DIR, 'restart.client.pcap'), { allFlows: true });
  assert.equal(result.flows[0].fate.how, 'reset');
  for (const p of result.paths) assert.equal(p.idleTimeoutSeconds.atMost, null, p.summary);
});

test('settings.deadPeerDetectedAfterSeconds is idle + interval × count as the kernel was given, where the capture shows all three', async () => {
  const cases = [
    { file: join(FX, 'cut-path.pcap'), spec: JSON.parse(readFileSync(join(FX, 'cut-path.json'), 'utf8')) as Spec, port: 5001 },
    { file: join(DIR, 'oneway-cut.client.pcap'), spec: spec('oneway-cut'), port: 5001 },
    { file: join(DIR, 'nat-blackhole.client.pcap'), spec: spec('nat-blackhole'), port: 5003 },
  ];
  for (const c of cases) {
    const given = c.spec.flows.find((f) => f.serverPort === c.port)!.client!;
    const { result } = await analyzeFile(c.file, {});
    const f = result.flows.find((x) => x.server.endsWith(`:${c.port}`))!;
    const ka = f.keepalive.find((k) => k.prober === 'client')!;
    const want = given.idleSeconds + given.intervalSeconds * given.count;
    const got = ka.settings.deadPeerDetectedAfterSeconds;
    assert.ok(got !== null && near(got, want), `${c.file}: ${got} vs ${want}`);
  }
});

test('table: each flow that died after idle says how, by whom, and after how long, e.g. `injected RST (middlebox) after 12.0 s idle`', () => {
  const WORDS: Partial<Record<FateHow, string>> = {
    'injected-reset': 'injected RST', 'keepalive-timeout': 'keepalive timeout', 'retransmission-timeout': 'retransmission timeout', reset: 'RST',
  };
  const env = { ...process.env };
  delete env.COLUMNS;
  for (const name of ['nat-reject', 'nat-blackhole', 'nat-blackhole-ipv6', 'nat-keepalive', 'restart']) {
    const s = spec(name);
    const r = spawnSync(process.execPath, [BIN, 'analyze', join(DIR, `${name}.client.pcap`)], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    for (const f of s.flows) {
      const ex = f.expect as FlowSpec['expect'] & { by: string | null };
      if (ex.afterIdleSeconds === null || ex.afterIdleSeconds === undefined) continue;
      const row = lines.findIndex((l) => new RegExp(`│ #\\d+ \\S+ → \\S+:${f.serverPort} `).test(l));
      assert.ok(row >= 0, `${name} :${f.serverPort} listed without --all-flows`);
      const m = /fate: (.+?) \((\w+)\) after (\d+\.\d) s idle/.exec(lines[row + 1]);
      assert.ok(m, lines[row + 1]);
      assert.deepEqual([m[1], m[2]], [WORDS[ex.fate], ex.by], `${name} :${f.serverPort}`);
      assert.ok(near(Number(m[3]), ex.afterIdleSeconds), `${name} :${f.serverPort} ${m[3]} vs ${ex.afterIdleSeconds}`);
    }
  }
});

test('json and ndjson: `fate` on every flow (with --all-flows too), `paths` at the top level and as path lines', () => {
  const file = join(DIR, 'nat-reject.client.pcap');
  const keys = ['how', 'by', 'afterIdleSeconds', 'retransmissions', 'gaveUpAfterSeconds', 'silentAtEndSeconds', 'clue', 'evidence'];
  for (const extra of [[], ['--all-flows']]) {
    const j = JSON.parse(spawnSync(process.execPath, [BIN, 'analyze', '--format', 'json', ...extra, file], { encoding: 'utf8' }).stdout) as
      { flows: { fate: Record<string, unknown> }[]; paths: Record<string, unknown>[] };
    assert.ok(j.flows.length > 0);
    for (const f of j.flows) assert.deepEqual(Object.keys(f.fate), keys);
    const nd = spawnSync(process.execPath, [BIN, 'analyze', '--format', 'ndjson', ...extra, file], { encoding: 'utf8' }).stdout
      .trim().split('\n').map((l) => JSON.parse(l) as { type: string; capture: number; fate?: Record<string, unknown> });
    assert.equal(nd.filter((l) => l.type === 'flow' && l.fate !== undefined).length, j.flows.length);
    assert.deepEqual(nd.filter((l) => l.type === 'path').map(({ type, ...p }) => p), j.paths);
    assert.equal(j.paths.length, 1);
    assert.deepEqual(Object.keys(j.paths[0]), ['capture', 'server', 'flows', 'survived', 'died', 'diedBy', 'idleTimeoutSeconds', 'conflicting',
      'matches', 'verdicts', 'keepIdleAtMostSeconds', 'keepaliveIdleSeconds', 'summary']);
  }
});
