// The command line as a tcpdump/tshark user types it (issue #26 "Options and errors"), run as a
// subprocess. Expectations come from tshark, from the fixtures' recorded settings (fixtures/*.json)
// and from the fixtures' addresses (fixtures/README.md: 10.77.0.1/24, fd77::1/64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { assertCleanStderr, fixture, ROOT, run } from './run';

const FX = join(ROOT, 'fixtures');
const healthy = join(FX, 'healthy.pcap');
const peerReset = join(FX, 'peer-reset.pcap');
const manyFlows = join(FX, 'many-flows.pcap');
const ipv6 = join(FX, 'ipv6-healthy.pcap');
const bothProbe = join(FX, 'both-probe.pcap');
const hasTshark = spawnSync('tshark', ['--version']).status === 0;

interface Flow { capture: number; id: number; client: string; server: string; keepalive: { outcome: string }[] }
interface Event { capture: number; type: string; frame: number; flow: number; time: string; relTime: number }
interface Report { captures: { file: string }[]; flows: Flow[]; events?: Event[] }

function json(args: string[], expectCode = 0): Report {
  const r = run(['analyze', '--format', 'json', ...args]);
  assert.equal(r.code, expectCode, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

test('-r FILE names inputs like tcpdump -r, repeatable, read before positional names', () => {
  const byName = run(['analyze', '--format', 'json', healthy, peerReset, manyFlows]);
  const byR = run(['analyze', '--format', 'json', '-r', healthy, '-r', peerReset, manyFlows]);
  assert.equal(byR.code, 0, byR.stderr);
  assert.equal(byR.stdout, byName.stdout);
  assert.deepEqual((JSON.parse(byR.stdout) as Report).captures.map((c) => c.file), [healthy, peerReset, manyFlows]);
  const table = run(['analyze', '-r', healthy]);
  assert.equal(table.code, 0, table.stderr);
  assert.equal(table.stdout, run(['analyze', healthy]).stdout);
});

for (const [args, shown, suggestion] of [
  [['-n', healthy], '-n', null],
  [['--evnets', healthy], '--evnets', '--events'],
  [['--bogus', healthy], '--bogus', null],
  [[healthy, '--fromat', 'json'], '--fromat', '--format'],
  [['--all-flow', healthy], '--all-flow', '--all-flows'],
] as const) {
  test(`unknown option ${shown} is named${suggestion ? `, with ${suggestion} suggested` : ''}`, () => {
    const r = run(['analyze', ...args]);
    assert.equal(r.code, 2, r.stderr);
    const lines = assertCleanStderr(r.stderr);
    const want = `keepalive: unknown option ${shown}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
    assert.equal(lines[0], want);
    assert.doesNotMatch(r.stderr, /non-option arguments/);
    assert.equal(r.stdout, '');
  });
}

/** The --merge suggestion for inputs that look like one rotated set (test/cli/concatenated.test.ts tests it). */
const ROTATED_HINT = /look like one capture cut into files/;

test('options that do nothing in the chosen format say so once on stderr, and change nothing', () => {
  const cases: [string[], string[], RegExp][] = [
    [['--format', 'ndjson', '-t', 'e'], ['--format', 'ndjson'], /-t\/--time has no effect with --format ndjson/],
    [['-t', 'relative'], [], /without --events it has no effect/],
    [['--format', 'csv', '--events'], ['--format', 'csv'], /--events has no effect with --format csv/],
    [['--format', 'json', '-t', 'ud'], ['--format', 'json'], /-t\/--time has no effect with --format json/],
    [['--format', 'csv', '--sort', 'silence'], ['--format', 'csv'], /--sort has no effect with --format csv/],
  ];
  for (const [withOpt, without, note] of cases) {
    const a = run(['analyze', ...withOpt, healthy, peerReset]);
    const b = run(['analyze', ...without, healthy, peerReset]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout, withOpt.join(' '));
    // The two kernel captures were recorded one after another, so the rotated-set hint may follow.
    const lines = assertCleanStderr(a.stderr).filter((l) => !ROTATED_HINT.test(l));
    assert.equal(lines.length, 1, a.stderr);
    assert.match(lines[0], note);
  }
  // Where they count, nothing is said.
  assert.equal(run(['analyze', '--events', '-t', 'e', healthy]).stderr, '');
});

test('-t takes tshark\'s absolute forms and prints what tshark prints for the same frames', (t) => {
  if (!hasTshark) { t.skip('tshark not installed'); return; }
  const ocsp = fixture('ocsp.pcapng');
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  // A zone with a half-hour offset, so local and UTC forms differ in both hours and minutes.
  const env = { ...process.env, TZ: 'Asia/Kolkata' };
  for (const mode of ['a', 'ad', 'adoy', 'u', 'ud', 'udoy', 'e']) {
    const ts = spawnSync('tshark', ['-r', ocsp, '-t', mode, '-Y', 'tcp.analysis.keep_alive', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Time'],
      { encoding: 'utf8', env }).stdout.split('\n').filter((l) => l !== '').slice(0, 4).map((l) => l.split('\t'));
    assert.ok(ts.length > 0);
    const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [join(ROOT, 'bin', 'keepalive.js'), 'analyze', '--events', '-t', mode, ocsp], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    for (const [frame, time] of ts) {
      const esc = time.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      assert.match(r.stdout, new RegExp(`^ +${frame} +[0-9.]+ +${esc} +client → server +probe`, 'm'), `-t ${mode} frame ${frame}`);
    }
  }
});

test('-t d and dd: seconds since the previous event shown and since the previous event of the same flow', (t) => {
  if (!hasTshark) { t.skip('tshark not installed'); return; }
  // nest_log_sink is probed from both ends: events of two series interleave.
  const nest = fixture('nest_log_sink.pcap') ?? bothProbe;
  const events = json(['--events', nest]).events ?? [];
  assert.ok(events.length >= 4);
  // Times from tshark, not from our JSON.
  const rel = new Map(spawnSync('tshark', ['-r', nest, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_relative'], { encoding: 'utf8' })
    .stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')).map(([f, s]) => [Number(f), Number(s)] as const));
  const digits = 6;
  for (const mode of ['d', 'dd'] as const) {
    const out = run(['analyze', '--events', '-t', mode, nest]);
    assert.equal(out.code, 0, out.stderr);
    const lastOfFlow = new Map<number, number>();
    let last: number | null = null;
    for (const e of events) {
      const now = rel.get(e.frame) ?? NaN;
      const from = mode === 'd' ? (last ?? now) : (lastOfFlow.get(e.flow) ?? now);
      last = now; lastOfFlow.set(e.flow, now);
      const want = (now - from).toFixed(digits);
      assert.match(out.stdout, new RegExp(`^ +${e.frame} +[0-9.]+ +${want.replace('.', '\\.')} +(client|server) → `, 'm'), `-t ${mode} frame ${e.frame}`);
    }
    assert.match(out.stdout, /delta \(s\)/);
  }
});

test('a bad -t names the choices', () => {
  const r = run(['analyze', '-t', 'local', healthy]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--time: unknown mode 'local' \(choose from absolute, relative, epoch, a, ad, adoy, d, dd, e, r, u, ud, udoy\)/);
});

test('--fail-on says on stderr how many flows matched and names the first few', () => {
  const truth = JSON.parse(readFileSync(join(FX, 'many-flows.json'), 'utf8')) as { flows: { expect: { outcome: string } }[] };
  const timeouts = truth.flows.filter((f) => f.expect.outcome === 'timeout').length;
  assert.ok(timeouts > 0);
  const r = run(['analyze', '--fail-on', 'timeout', manyFlows]);
  assert.equal(r.code, 1, r.stderr);
  const lines = assertCleanStderr(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  const m = /^keepalive: --fail-on timeout: (\d+) flows? matched: (.*)$/.exec(lines[0]);
  assert.ok(m !== null, lines[0]);
  assert.equal(Number(m[1]), timeouts);
  const ids = [...m[2].matchAll(/#(\d+) timeout/g)].map((x) => Number(x[1]));
  assert.equal(ids.length, Math.min(5, timeouts));
  // The ids named are flows that timed out.
  const flows = json([manyFlows]).flows;
  for (const id of ids) assert.ok(flows.find((f) => f.id === id)?.keepalive.some((k) => k.outcome === 'timeout'), `#${id}`);
  // Several inputs: ids carry the input index, as --flow K:ID takes them.
  const two = run(['analyze', '--fail-on', 'reset', healthy, peerReset]);
  assert.equal(two.code, 1);
  const twoLines = assertCleanStderr(two.stderr).filter((l) => !ROTATED_HINT.test(l));
  assert.deepEqual(twoLines, ['keepalive: --fail-on reset: 1 flow matched: 1:#0 reset']);
  assert.equal(run(['analyze', '--fail-on', 'reset', healthy]).stderr, '');
});

test('--flow takes #ID as the table prints it, and K:#ID', () => {
  const all = json([manyFlows]).flows;
  const pick = all[all.length - 1];
  assert.deepEqual(json(['--flow', `#${pick.id}`, manyFlows]).flows.map((f) => f.id), [pick.id]);
  assert.deepEqual(json(['--flow', `1:#${pick.id}`, healthy, manyFlows]).flows.map((f) => [f.capture, f.id]), [[1, pick.id]]);
});

test('--host takes CIDR prefixes for IPv4 and IPv6', () => {
  const all = json([manyFlows]).flows.length;
  assert.ok(all > 1);
  assert.equal(json(['--host', '10.77.0.0/24', manyFlows]).flows.length, all);
  assert.equal(json(['--host', '10.77.0.2/32', manyFlows]).flows.length, all);
  assert.equal(json(['--host', '10.77.1.0/24', manyFlows]).flows.length, 0);
  assert.equal(json(['--host', '0.0.0.0/0', manyFlows]).flows.length, all);
  const v6 = json([ipv6]).flows.length;
  assert.ok(v6 > 0);
  assert.equal(json(['--host', 'fd00::/8', ipv6]).flows.length, v6);
  assert.equal(json(['--host', 'fd77::/64', ipv6]).flows.length, v6);
  assert.equal(json(['--host', 'fd78::/16', ipv6]).flows.length, 0);
  assert.equal(json(['--host', 'fd00::/8', manyFlows]).flows.length, 0);
  for (const bad of ['10.0.0.0/33', 'fd00::/129', 'x/8']) {
    const r = run(['analyze', '--host', bad, manyFlows]);
    assert.equal(r.code, 2, bad);
    assert.match(r.stderr, /--host: .* is not an address prefix/);
  }
});

function liveBlocker(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'live capture needs root';
  const r = run(['interfaces']);
  if (r.code !== 0) return `no capture library: ${r.stderr.trim()}`;
  return null;
}

test('live -i N takes the numbers `keepalive interfaces` prints', (t) => {
  const blocker = liveBlocker();
  if (blocker !== null) { t.skip(blocker); return; }
  const names = run(['interfaces']).stdout.split('\n').map((l) => /^(\d+)\.(\S+)/.exec(l)).filter((m) => m !== null);
  assert.ok(names.length > 0);
  const lo = names.find((m) => m[2] === 'lo') ?? names[0];
  const r = run(['live', '-i', lo[1], '--duration', '0.3', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`listening on ${lo[2].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
  const tooBig = String(names.length + 1);
  const bad = run(['live', '-i', tooBig, '--duration', '0.3']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, new RegExp(`no device number ${tooBig} \\(keepalive interfaces lists ${names.length}`));
});

/** A loopback connection whose client probes every `idleMs` of silence (TCP_KEEPIDLE). */
interface ProbingPair { readonly port: number; start(): Promise<void>; close(): void }

async function probingPair(idleMs: number): Promise<ProbingPair> {
  const sockets: Socket[] = [];
  const server = createServer((s) => { sockets.push(s); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => { for (const s of sockets) s.destroy(); server.close(); },
    // The client connects when the capture is listening (start()).
    start: async () => {
      const c = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => c.once('connect', resolve));
      c.setKeepAlive(true, idleMs);
      c.write('x');
      sockets.push(c);
    },
  };
}

test('live prints ISO 8601 UTC times by default and -t chooses as in analyze', async (t) => {
  const blocker = liveBlocker();
  if (blocker !== null) { t.skip(blocker); return; }
  for (const [mode, shape] of [[null, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6,9}Z  127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+  probe /m],
    ['e', /^\d{10}\.\d{6,9}  127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+  probe /m]] as const) {
    const pair = await probingPair(1000);
    try {
      const args = ['live', '-i', 'lo', '-f', `port ${pair.port}`, '--duration', '4', ...(mode === null ? [] : ['-t', mode])];
      // The second run also checks the width: event lines and the final table fit COLUMNS.
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.COLUMNS;
      if (mode !== null) env.COLUMNS = '80';
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'keepalive.js'), ...args], { cwd: ROOT, env });
      let out = '', err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      // Connect once the capture listens: the probe comes a second after the last byte.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => { if (err.includes('listening on')) { clearInterval(poll); resolve(); } }, 20);
      });
      await pair.start();
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, err);
      assert.match(out, shape, out);
      if (mode !== null) {
        for (const l of out.split('\n')) assert.ok([...l].length <= 80, `${[...l].length} > 80: ${l}`);
        assert.match(out, /^#0 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ {2}end /m);
      } else {
        assert.match(out, /│ longest silence │/);
      }
    } finally {
      pair.close();
    }
  }
});
