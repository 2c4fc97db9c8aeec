// The command line's contract that needs no analysis results: help, version, usage errors,
// unreadable inputs, exit codes, EPIPE.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertCleanStderr, fixture, ROOT, run } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'keepalive-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('--help lists the analyze command and exits 0', () => {
  const r = run(['--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /analyze/);
  assert.equal(r.stderr, '');
});

test('analyze --help shows every option and examples', () => {
  const r = run(['analyze', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const o of ['--format', '--events', '--time', '--host', '--port', '--flow', '--all-flows', '--fail-on', '--idle-timeout', '--max-flows']) {
    assert.ok(r.stdout.includes(o), o);
  }
  assert.match(r.stdout, /Examples:/);
});

test('the bin runs as an executable through its #! line, without NODE_EXTRA_CA_CERTS', () => {
  // npx and installed bins exec the file; `env -S` must split the #! line into its arguments. The
  // variable points at a missing file: node warns on stderr when it reads it, so an empty stderr
  // shows the #! line dropped it (it costs 33 ms of start-up with the system bundle, see the bin).
  const r = spawnSync(join(ROOT, 'bin', 'keepalive.js'), ['--version'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(tmp, 'no-such-bundle.pem') },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  assert.equal(r.stderr, '');
  const shebang = readFileSync(join(ROOT, 'bin', 'keepalive.js'), 'utf8').split('\n')[0];
  // No node flags: they would slow the decode worker's start (src/runtime/heap-limits.ts).
  assert.equal(shebang, '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node');
});

test('--version prints the version from package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = run(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

const usageErrors: [string, string[], RegExp][] = [
  ['no command', [], /keepalive: no command given/],
  ['unknown command', ['analyse', 'x.pcap'], /keepalive: unknown command 'analyse'\. Did you mean analyze\?/],
  ['unknown option', ['analyze', 'x.pcap', '--bogus'], /keepalive: unknown option --bogus$/],
  ['no capture', ['analyze'], /keepalive: /],
  ['bad format', ['analyze', '--format', 'xml', 'x.pcap'], /keepalive: .*xml/],
  ['bad time mode', ['analyze', '--time', 'local', 'x.pcap'], /keepalive: .*local/],
  ['bad --fail-on', ['analyze', '--fail-on', 'timeout,dead', 'x.pcap'], /keepalive: --fail-on: unknown outcome 'dead'/],
  ['bad --port', ['analyze', '--port', '70000', 'x.pcap'], /keepalive: --port: '70000'/],
  ['bad --host', ['analyze', '--host', 'example.com', 'x.pcap'], /keepalive: --host: 'example.com'/],
  ['bad --flow', ['analyze', '--flow', 'abc', 'x.pcap'], /keepalive: --flow: 'abc'/],
  ['bad --idle-timeout', ['analyze', '--idle-timeout', '0', 'x.pcap'], /keepalive: --idle-timeout/],
  ['bad --max-flows', ['analyze', '--max-flows', 'many', 'x.pcap'], /keepalive: --max-flows/],
  ['stdin twice', ['analyze', '-', '-'], /keepalive: standard input/],
];

for (const [name, args, msg] of usageErrors) {
  test(`usage error (${name}): exit 2, one line and a hint, no stack`, () => {
    const r = run(args);
    assert.equal(r.code, 2, r.stderr);
    const lines = assertCleanStderr(r.stderr);
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], msg);
    assert.match(lines[1], /^Try 'keepalive( analyze)? --help'/);
    assert.equal(r.stdout, '');
  });
}

function assertInputError(args: string[], file: string): ReturnType<typeof run> {
  const r = run(args);
  assert.equal(r.code, 2, r.stderr);
  const lines = assertCleanStderr(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0].startsWith(`keepalive: ${file}: `), lines[0]);
  return r;
}

test('missing file: exit 2 with one line naming it', () => {
  const file = join(tmp, 'does-not-exist.pcap');
  assertInputError(['analyze', file], file);
});

test('directory: exit 2 with one line naming it', () => {
  assertInputError(['analyze', tmp], tmp);
});

test('garbage file: exit 2, and the JSON report still describes it', () => {
  const file = join(tmp, 'garbage.pcap');
  writeFileSync(file, Buffer.from('this is not a capture file, just text\n'.repeat(10)));
  const r = assertInputError(['analyze', '--format', 'json', file], file);
  const j = JSON.parse(r.stdout) as { captures: { file: string; format: string | null; error: string | null }[] };
  assert.equal(j.captures.length, 1);
  assert.equal(j.captures[0].file, file);
  assert.equal(j.captures[0].format, null);
  assert.ok(j.captures[0].error);
});

test('an unreadable input does not stop the next one', (t) => {
  const good = fixture('get-to-ssh-server.pcap');
  if (good === null) { t.skip('fixture get-to-ssh-server.pcap not found'); return; }
  const missing = join(tmp, 'missing.pcap');
  const r = run(['analyze', '--format', 'json', missing, good]);
  assert.equal(r.code, 2);
  const j = JSON.parse(r.stdout) as { captures: { file: string; packets: number; error: string | null }[] };
  assert.deepEqual(j.captures.map((c) => c.file), [missing, good]);
  // MANIFEST: 9 packets.
  assert.equal(j.captures[1].packets, 9);
  assert.equal(j.captures[1].error, null);
});

test('EPIPE on stdout (… | head) ends quietly', async (t) => {
  const f = fixture('get-to-ssh-server.pcap');
  if (f === null) { t.skip('fixture get-to-ssh-server.pcap not found'); return; }
  // Enough inputs (about 280 bytes each) that the table output overflows the pipe buffer after the reader has gone.
  const args = [join(ROOT, 'bin', 'keepalive.js'), 'analyze', ...new Array<string>(400).fill(f)];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});

/** Complete records in the first `limit` bytes of a classic pcap, counted by walking record headers. */
function completeRecords(pcap: Buffer, limit: number): number {
  const le = pcap.readUInt32LE(0) === 0xa1b2c3d4 || pcap.readUInt32LE(0) === 0xa1b23c4d;
  let off = 24, n = 0;
  while (off + 16 <= limit) {
    const caplen = le ? pcap.readUInt32LE(off + 8) : pcap.readUInt32BE(off + 8);
    if (off + 16 + caplen > limit) break;
    off += 16 + caplen; n++;
  }
  return n;
}

test('truncated file: partial results are printed, one warning line, exit 2', (t) => {
  const src = fixture('ipv6.pcap');
  if (src === null) { t.skip('fixture ipv6.pcap not found'); return; }
  const whole = readFileSync(src);
  const cut = Math.floor(whole.length * 0.6);
  const file = join(tmp, 'truncated.pcap');
  writeFileSync(file, whole.subarray(0, cut));
  const r = assertInputError(['analyze', '--format', 'json', file], file);
  const j = JSON.parse(r.stdout) as { captures: { packets: number; error: string | null }[] };
  assert.equal(j.captures[0].packets, completeRecords(whole, cut));
  assert.ok(j.captures[0].packets > 0);
  assert.ok(j.captures[0].error);
  // The table shows what was read, too.
  const tbl = assertInputError(['analyze', file], file);
  assert.match(tbl.stdout, new RegExp(`${completeRecords(whole, cut)} packets`));
});

test('standard input (-) is read like a file', (t) => {
  const src = fixture('ipv6.pcap');
  if (src === null) { t.skip('fixture ipv6.pcap not found'); return; }
  const r = run(['analyze', '--format', 'json', '-'], readFileSync(src));
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { captures: { file: string; packets: number; linkTypes: string[] }[] };
  // MANIFEST: 136 packets, Ethernet.
  assert.deepEqual(j.captures.map((c) => [c.file, c.packets, c.linkTypes]), [['-', 136, ['ethernet']]]);
});

test('a pipe given as a file name (<(…), a FIFO) is read like a file', (t) => {
  const src = fixture('ipv6.pcap');
  if (src === null) { t.skip('fixture ipv6.pcap not found'); return; }
  // bash hands the command /dev/fd/N, a pipe: it cannot seek, so it must be read sequentially.
  const r = spawnSync('bash', ['-c', `"$0" "$1" analyze --format json <(cat "$2")`, process.execPath, join(ROOT, 'bin', 'keepalive.js'), src],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { captures: { file: string; packets: number; error: string | null }[] };
  assert.match(j.captures[0].file, /^\/dev\/fd\/\d+$/);
  assert.deepEqual([j.captures[0].packets, j.captures[0].error], [136, null]);
});

test('link types are reported by name (MANIFEST: rawip, linux-sll, linux-sll2, ether)', (t) => {
  const names = ['psiphon3.pcap', 'log4j-webapp-exploit.pcap', 'openjdk-25.0.2-zeek.org.pcap', 'ethereum.pcap'];
  const files = names.map(fixture);
  if (files.some((f) => f === null)) { t.skip('a link-type fixture is missing'); return; }
  const r = run(['analyze', '--format', 'json', ...files.map(String)]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { captures: { packets: number; linkTypes: string[] }[] };
  assert.deepEqual(j.captures.map((c) => c.linkTypes), [['raw'], ['linux-sll'], ['linux-sll2'], ['ethernet']]);
  assert.deepEqual(j.captures.map((c) => c.packets), [62, 426, 6, 2000]);
});

test('csv with nothing to report is just the header row', (t) => {
  const src = fixture('ipv6.pcap');
  if (src === null) { t.skip('fixture ipv6.pcap not found'); return; }
  const r = run(['analyze', '--format', 'csv', src]);
  assert.equal(r.code, 0, r.stderr);
  // MANIFEST: no keepalives in ipv6.pcap.
  assert.equal(r.stdout.split('\r\n')[0].split(',')[0], 'capture');
  assert.equal(r.stdout.split('\r\n').length, 2);
});
