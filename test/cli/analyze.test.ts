// `keepalive analyze` on real captures, every format and filter. Expectations come from the
// fixtures' MANIFEST (tshark counts) or from tshark itself when it is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_COLUMNS } from '../../src/report/csv';
import { parseCsv } from '../report/csv-parse';
import { fixture, ROOT, run } from './run';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pcapFile, type PcapRecord } from '../support/capture-files';
import { DECODE_WORKER_MIN_BYTES } from '../../src/analysis';
import { TAKES_VALUE } from '../../src/cli/first-capture';

interface Spread { min: number; median: number; max: number }
interface Endpoint { prober: string; probes: number; acked: number; probeBytes: number; outcome: string; idleSeconds: Spread | null }
interface Flow { capture: number; id: number; client: string; server: string; keepalive: Endpoint[] }
interface Event { capture: number; type: string; frame: number; flow: number; time: string; from: string; to: string }
interface Report {
  captures: { file: string; packets: number; error: string | null }[];
  flows: Flow[];
  events?: Event[];
  paths: { server: string }[];
  summary: { flows: number; probes: number; reportedFlows: number };
}

const hasTshark = spawnSync('tshark', ['--version']).status === 0;
function tsharkFields(file: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function json(args: string[], expectCode = 0): Report {
  const r = run(['analyze', '--format', 'json', ...args]);
  assert.equal(r.code, expectCode, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const endpoints = (r: Report): Endpoint[] => r.flows.flatMap((f) => f.keepalive);

const ocsp = fixture('ocsp.pcapng');
const hislip = fixture('hislip.pcap');
const nest = fixture('nest_log_sink.pcap');

test('json: ocsp.pcapng has 97 probes, all acked, from the client to port 80 (MANIFEST)', (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  const r = json([ocsp]);
  assert.equal(r.captures[0].packets, 344);
  assert.equal(sum(endpoints(r).map((k) => k.probes)), 97);
  assert.equal(sum(endpoints(r).map((k) => k.acked)), 97);
  assert.equal(r.summary.probes, 97);
  assert.equal(r.summary.reportedFlows, r.flows.length);
  for (const f of r.flows) {
    assert.match(f.server, /:80$/);
    assert.equal(f.capture, 0);
  }
  // "probed every ~10.2 s" by the Linux client.
  const client = endpoints(r).filter((k) => k.prober === 'client');
  assert.ok(client.length > 0);
  for (const k of client) assert.ok(k.idleSeconds !== null && Math.abs(k.idleSeconds.median - 10.2) < 0.3, JSON.stringify(k.idleSeconds));
});

test('json: hislip.pcap probes are 1-byte, from the server side, 15 in all (MANIFEST)', (t) => {
  if (hislip === null) { t.skip('fixture hislip.pcap not found'); return; }
  const r = json([hislip]);
  const eps = endpoints(r);
  assert.equal(sum(eps.map((k) => k.probes)), 15);
  for (const k of eps) { assert.equal(k.prober, 'server'); assert.equal(k.probeBytes, 1); }
});

test('json: nest_log_sink.pcap is probed from both ends, ~60.1 s and ~120.3 s apart (MANIFEST)', (t) => {
  if (nest === null) { t.skip('fixture nest_log_sink.pcap not found'); return; }
  const r = json([nest]);
  assert.ok(r.flows.some((f) => f.keepalive.some((k) => k.prober === 'client') && f.keepalive.some((k) => k.prober === 'server')));
  const medians = (role: string): number[] => endpoints(r).filter((k) => k.prober === role && k.probes > 2).map((k) => k.idleSeconds?.median ?? 0);
  for (const m of medians('client')) assert.ok(Math.abs(m - 60.1) < 0.5, String(m));
  for (const m of medians('server')) assert.ok(Math.abs(m - 120.3) < 0.5, String(m));
  // MANIFEST: tshark labels 153 Keep-Alives; README "Where we differ from Wireshark" adds the
  // mid-idle probes in frames 1 and 5 and takes none away.
  assert.equal(sum(endpoints(r).map((k) => k.probes)), 153 + 2);
});

test('json: several inputs in one object, flows in input order, summaries added', (t) => {
  if (ocsp === null || hislip === null) { t.skip('fixtures missing'); return; }
  const r = json([ocsp, hislip]);
  assert.deepEqual(r.captures.map((c) => c.file), [ocsp, hislip]);
  const caps = r.flows.map((f) => f.capture);
  assert.deepEqual(caps, [...caps].sort((a, b) => a - b));
  assert.ok(caps.includes(0) && caps.includes(1));
  assert.equal(r.summary.probes, 97 + 15);
});

test('json --events: probe frames are exactly tshark\'s keep-alives in ocsp.pcapng', (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  if (!hasTshark) { t.skip('tshark not installed'); return; }
  const r = json(['--events', ocsp]);
  const ours = (r.events ?? []).filter((e) => e.type === 'probe').map((e) => e.frame).sort((a, b) => a - b);
  const theirs = tsharkFields(ocsp, 'tcp.analysis.keep_alive', ['frame.number']).map((x) => Number(x[0]));
  assert.deepEqual(ours, theirs);
  const acks = (r.events ?? []).filter((e) => e.type === 'probe-ack').map((e) => e.frame).sort((a, b) => a - b);
  assert.deepEqual(acks, tsharkFields(ocsp, 'tcp.analysis.keep_alive_ack', ['frame.number']).map((x) => Number(x[0])));
});

test('ndjson: events first, then the capture line, flow lines, path lines and a summary; counts agree with json', (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  const r = run(['analyze', '--format', 'ndjson', ocsp]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.endsWith('\n'));
  const lines = r.stdout.slice(0, -1).split('\n').map((l) => JSON.parse(l) as { type: string; capture?: number });
  const types = lines.map((l) => l.type);
  const firstCapture = types.indexOf('capture');
  assert.ok(firstCapture > 0);
  for (const ty of types.slice(0, firstCapture)) assert.ok(['probe', 'probe-ack', 'probe-reset', 'probe-icmp', 'zero-window-probe', 'keepalive-timeout'].includes(ty), ty);
  assert.equal(types.filter((x) => x === 'probe').length, 97);
  assert.equal(types.filter((x) => x === 'probe-ack').length, 97);
  assert.equal(types.at(-1), 'summary');
  const body = types.slice(firstCapture + 1, -1), firstPath = body.indexOf('path');
  assert.deepEqual(new Set(firstPath < 0 ? body : body.slice(0, firstPath)), new Set(['flow']));
  if (firstPath >= 0) assert.deepEqual(new Set(body.slice(firstPath)), new Set(['path']));
  const j = json([ocsp]);
  assert.equal(types.filter((x) => x === 'flow').length, j.flows.length);
  assert.equal(types.filter((x) => x === 'path').length, j.paths.length);
  for (const l of lines.slice(0, -1)) assert.equal(l.capture, 0);
});

test('ndjson: events are written while the input is still arriving', async (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  const bytes = readFileSync(ocsp);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'keepalive.js'), 'analyze', '--format', 'ndjson', '-'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  // Hold back the last third: any event line before it is sent proves the output is not buffered.
  child.stdin.write(bytes.subarray(0, Math.floor(bytes.length * 2 / 3)));
  const early = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no event line within 30 s; got ${JSON.stringify(out)}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) { clearTimeout(timer); resolve(out); }
    });
  }).finally(() => child.stdin.end(bytes.subarray(Math.floor(bytes.length * 2 / 3))));
  assert.equal((JSON.parse(early.split('\n')[0]) as { type: string }).type, 'probe');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
});

test('csv: one row per probing endpoint, same numbers as json', (t) => {
  if (nest === null) { t.skip('fixture nest_log_sink.pcap not found'); return; }
  const r = run(['analyze', '--format', 'csv', nest]);
  assert.equal(r.code, 0, r.stderr);
  const rows = parseCsv(r.stdout);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  const body = rows.slice(1);
  const j = json([nest]);
  assert.equal(body.length, endpoints(j).length);
  const col = (name: string): number => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
  const fromJson = j.flows.flatMap((f) => f.keepalive.map((k) => [String(f.id), f.client, f.server, k.prober, String(k.probes), String(k.idleSeconds?.median ?? '')]));
  const fromCsv = body.map((row) => ['flow', 'client', 'server', 'prober', 'probes', 'idle_median_s'].map((c) => row[col(c)]));
  assert.deepEqual(fromCsv, fromJson);
  for (const row of body) assert.equal(row.length, CSV_COLUMNS.length);
});

test('table: one row per probing endpoint with every flow named', (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  const r = run(['analyze', ocsp]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pcapng \(µs\), ethernet, 344 packets/);
  for (const f of json([ocsp]).flows) assert.ok(r.stdout.includes(`${f.client} → ${f.server}`), f.client);
});

test('table --events --time epoch prints tshark\'s epoch times for the probes', (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  if (!hasTshark) { t.skip('tshark not installed'); return; }
  const r = run(['analyze', '--events', '--time', 'epoch', ocsp]);
  assert.equal(r.code, 0, r.stderr);
  const probes = tsharkFields(ocsp, 'tcp.analysis.keep_alive', ['frame.number', 'frame.time_epoch']);
  assert.ok(probes.length > 0);
  for (const [frame, epoch] of probes.slice(0, 5)) {
    // tshark prints nanoseconds; the capture resolves microseconds.
    const us = epoch.replace(/(\.\d{6})\d*$/, '$1');
    assert.match(r.stdout, new RegExp(`^ +${frame} +[0-9.]+ +${us.replace('.', '\\.')} +client → server +probe`, 'm'), `frame ${frame}`);
  }
});

test('filters: --port, --host, --flow narrow the report; --all-flows adds idle flows', (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  const all = json([ocsp]);
  assert.ok(all.flows.length >= 2);
  assert.equal(json(['--port', '80', ocsp]).flows.length, all.flows.length);
  assert.equal(json(['--port', '1', ocsp]).flows.length, 0);
  const pick = all.flows[1];
  const server = pick.server.slice(0, pick.server.lastIndexOf(':'));
  const byHost = json(['--host', server, ocsp]).flows;
  assert.ok(byHost.length >= 1);
  for (const f of byHost) assert.ok(f.server.startsWith(`${server}:`) || f.client.startsWith(`${server}:`));
  assert.deepEqual(json(['--flow', String(pick.id), ocsp]).flows.map((f) => f.id), [pick.id]);
  assert.deepEqual(json(['--flow', `1:${pick.id}`, ocsp, ocsp]).flows.map((f) => [f.capture, f.id]), [[1, pick.id]]);
  // The filter applies to the event stream too.
  const nd = run(['analyze', '--format', 'ndjson', '--flow', String(pick.id), ocsp]);
  const evs = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; flow?: number });
  for (const e of evs.filter((x) => x.type.startsWith('probe'))) assert.equal(e.flow, pick.id);
  const every = json(['--all-flows', ocsp]);
  assert.equal(every.flows.length, every.summary.flows);
  if (hasTshark) {
    const conv = spawnSync('tshark', ['-r', ocsp, '-q', '-z', 'conv,tcp'], { encoding: 'utf8' }).stdout;
    assert.equal(every.flows.length, conv.split('\n').filter((l) => l.includes('<->')).length);
  }
});

test('--fail-on: 1 when a reported outcome is listed, 0 otherwise, 2 wins for damaged input', (t) => {
  if (ocsp === null) { t.skip('fixture ocsp.pcapng not found'); return; }
  // MANIFEST: every ocsp probe is answered.
  assert.equal(run(['analyze', '--fail-on', 'timeout,reset,unanswered', ocsp]).code, 0);
  assert.equal(run(['analyze', '--fail-on', 'alive', ocsp]).code, 1);
  assert.equal(run(['analyze', '--fail-on', 'alive', '--port', '1', ocsp]).code, 0);
  assert.equal(run(['analyze', '--fail-on', 'alive', ocsp, join(ROOT, 'no-such-file.pcap')]).code, 2);
});

interface Truth { flows: { serverPort: number; expect: { outcome: string } }[] }

function kernelFixtures(): { pcap: string; truth: Truth; name: string }[] {
  const dir = join(ROOT, 'fixtures');
  let names: string[];
  try { names = readdirSync(dir).filter((n) => n.endsWith('.json')); } catch { return []; }
  return names.map((n) => n.slice(0, -5)).filter((n) => existsSync(join(dir, `${n}.pcap`)))
    .map((name) => ({ name, pcap: join(dir, `${name}.pcap`), truth: JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Truth }));
}

const FAILING = new Set(['timeout', 'reset', 'unanswered']);

test('--fail-on on the kernel-recorded fixtures: 1 exactly when the recorded settings predict a failure', (t) => {
  const fx = kernelFixtures();
  if (fx.length === 0) { t.skip('no fixtures/<scenario>.pcap + .json yet'); return; }
  for (const { name, pcap, truth } of fx) {
    const expectFail = truth.flows.some((f) => FAILING.has(f.expect.outcome));
    assert.equal(run(['analyze', '--fail-on', 'timeout,reset,unanswered', pcap]).code, expectFail ? 1 : 0, name);
  }
  // Narrowed to one flow by its server port, the exit code follows that flow alone.
  const many = fx.find((f) => f.name === 'many-flows');
  if (many === undefined) return;
  for (const f of many.truth.flows) {
    const code: number | null = run(['analyze', '--fail-on', 'timeout,reset,unanswered', '--port', String(f.serverPort), many.pcap]).code;
    assert.equal(code, FAILING.has(f.expect.outcome) ? 1 : 0, `many-flows port ${f.serverPort}`);
  }
});

test('a capture large enough for the decode worker (started before the CLI loads) reports as from standard input', () => {
  // 1400-byte segments of 300 flows, past DECODE_WORKER_MIN_BYTES: bin/keepalive.js starts the
  // worker on the file; standard input always takes the one-thread path.
  const eth = Buffer.from('02005e1000fe02005e1000010800', 'hex');
  const records: PcapRecord[] = [];
  let bytes = 24;
  for (let i = 0; bytes < DECODE_WORKER_MIN_BYTES + 1e6; i++) {
    const ip = Buffer.alloc(40 + 1400);
    ip[0] = 0x45; ip.writeUInt16BE(ip.length, 2); ip[8] = 64; ip[9] = 6;
    ip.writeUInt32BE(0x0a000001 + (i % 300), 12); ip.writeUInt32BE(0x0a0000fe, 16);
    ip.writeUInt16BE(40000 + (i % 300), 20); ip.writeUInt16BE(443, 22);
    ip.writeUInt32BE(1000 + 1400 * Math.floor(i / 300), 24); ip.writeUInt32BE(5000, 28); ip[32] = 0x50; ip[33] = 0x18; ip.writeUInt16BE(512, 34);
    records.push({ sec: 1_700_000_000 + Math.floor(i / 100), frac: (i % 100) * 1000, data: Buffer.concat([eth, ip]) });
    bytes += 16 + eth.length + ip.length;
  }
  const data = pcapFile(records);
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'keepalive-big-'));
  try {
    const file = join(dir, 'big.pcap');
    fs.writeFileSync(file, data);
    assert.ok(data.length >= DECODE_WORKER_MIN_BYTES);
    const fromFile = run(['analyze', '--format', 'json', '--all-flows', file]);
    const fromStdin = run(['analyze', '--format', 'json', '--all-flows', '-'], data);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const a = JSON.parse(fromFile.stdout) as Report, b = JSON.parse(fromStdin.stdout) as Report;
    assert.equal(a.captures[0].packets, records.length);
    assert.equal(a.summary.flows, 300);
    a.captures[0].file = b.captures[0].file = 'X';
    assert.deepEqual(a, b);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every analyze option that takes a value is one the early worker start skips with its value', () => {
  // first-capture.ts lists them by hand (it runs before yargs loads); this keeps the list whole.
  const r = run(['analyze', '--help']);
  assert.equal(r.code, 0, r.stderr);
  const options = r.stdout.slice(r.stdout.indexOf('Options:'), r.stdout.indexOf('Examples:'));
  const entries = options.split(/\n(?= +(?:-\w, )?--)/).slice(1);
  const valued = entries.filter((e) => !e.includes('[boolean]')).flatMap((e) => e.trim().split(/\s{2,}/)[0].split(', '));
  assert.ok(valued.length >= 8, `found only ${valued.join(' ')}`);
  for (const name of valued) assert.ok(TAKES_VALUE.has(name), `${name} takes a value but first-capture.ts does not skip it`);
});

test('a report of many output batches is the same written to a file as through a pipe', () => {
  // Writes to a file leave nothing queued, so the output batches reuse their buffer there
  // (cli/output.ts); through a pipe they do not. Every bundled capture twice, all flows: about
  // 200 KB of JSON, several 64 KiB batches.
  const files = [
    ...readdirSync(join(ROOT, 'fixtures')).filter((n) => n.endsWith('.pcap')).map((n) => join(ROOT, 'fixtures', n)),
    ...readdirSync(join(ROOT, 'fixtures', 'public')).filter((n) => /\.pcap(ng)?(\.gz)?$/.test(n)).map((n) => join(ROOT, 'fixtures', 'public', n)),
  ];
  const args = ['analyze', '--format', 'json', '--all-flows', ...files, ...files];
  const piped = run(args);
  assert.equal(piped.code, 0, piped.stderr);
  assert.ok(piped.stdout.length > 3 * 65536, `${piped.stdout.length} bytes`);
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'keepalive-out-'));
  try {
    const out = join(dir, 'report.json');
    const fd = fs.openSync(out, 'w');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'keepalive.js'), ...args], { cwd: ROOT, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 60_000 });
    fs.closeSync(fd);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(out, 'utf8'), piped.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
