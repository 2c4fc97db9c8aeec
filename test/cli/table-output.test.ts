// The table as a terminal shows it (issue #25 "The terminal", #26 "What the output says"), run
// as a subprocess. Widths come from COLUMNS; expectations from the JSON report of the same input,
// from the fixtures' recorded settings (fixtures/*.json), or from captures built here.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { interestRank } from '../../src/report/flow-order';
import type { FlowReport } from '../../src/keepalive/model';
import { pcapFile, tempDir, writeTemp, type PcapRecord } from '../support/capture-files';
import { tcpFrame, type TcpSpec } from '../support/frames';
import { rmSync } from 'node:fs';
import { ROOT } from './run';

const BIN = join(ROOT, 'bin', 'keepalive.js');
const FX = join(ROOT, 'fixtures');
const ALL_FIXTURES = [
  ...readdirSync(FX).filter((n) => n.endsWith('.pcap')).map((n) => join(FX, n)),
  ...readdirSync(join(FX, 'public')).filter((n) => /\.pcap(ng)?(\.gz)?$/.test(n)).map((n) => join(FX, 'public', n)),
  ...readdirSync(join(FX, 'path')).filter((n) => n.endsWith('.pcap')).map((n) => join(FX, 'path', n)),
];
const tmp = tempDir('keepalive-table-');
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Result { code: number | null; stdout: string; stderr: string }
function table(args: readonly string[], columns: number | null): Result {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.COLUMNS;
  if (columns !== null) env.COLUMNS = String(columns);
  const r = spawnSync(process.execPath, [BIN, 'analyze', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Flow = FlowReport & { capture: number };
interface Report { flows: Flow[]; summary: { flows: number } }
function json(args: readonly string[]): Report {
  const r = table(['--format', 'json', ...args], null);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

/** Display columns of a line: code points (the table's → – × ≥ · are one column each). */
const columnsOf = (line: string): number => [...line].length;

for (const width of [80, 120, 200]) {
  test(`table at ${width} columns: no line longer, on every fixture, with and without --events`, () => {
    for (const extra of [[], ['--events', '--all-flows'], ['--events', '-t', 'ud']]) {
      const r = table([...extra, ...ALL_FIXTURES], width);
      assert.ok(r.code === 0 || r.code === 2, r.stderr); // a public capture may be cut short
      const lines = r.stdout.split('\n');
      assert.ok(lines.length > ALL_FIXTURES.length * 3);
      for (const l of lines) assert.ok(columnsOf(l) <= width, `${columnsOf(l)} > ${width}: ${l}`);
    }
  });
}

test('at 80 columns: each flow\'s endpoints on their own line, then one line per prober', () => {
  const file = join(FX, 'many-flows.pcap');
  const r = table([file], 80);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /│/);
  const lines = r.stdout.split('\n');
  const flows = json([file]).flows;
  assert.ok(flows.length > 1);
  for (const f of flows) {
    const at = lines.findIndex((l) => l.startsWith(`#${f.id} ${f.client} → ${f.server}  `));
    assert.ok(at >= 0, `flow #${f.id}`);
    // Wrapped notes continue indented by three; the prober lines follow, one each.
    let i = at + 1;
    while (lines[i].startsWith('   ')) i++;
    for (const k of f.keepalive) {
      const cells = lines[i].trim().split(/\s{2,}/);
      assert.equal(cells[0], k.prober, lines[i]);
      assert.equal(Number(cells[1]), k.probes, lines[i]);
      assert.equal(cells[2], `${k.acked}/${k.unanswered}/${k.resets}`, lines[i]);
      assert.ok(lines[i].includes(k.outcome), lines[i]);
      i++;
      while (i < lines.length && /^ {4,}\S/.test(lines[i])) i++; // wrapped cells, the count note
    }
  }
});

test('at 120 columns and more: the bordered table with every column; piped, one line per row as before', () => {
  const file = join(FX, 'both-probe.pcap');
  for (const width of [120, 200]) {
    const r = table([file], width);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^┌/m);
    const head = r.stdout.split('\n').filter((l) => l.startsWith('│')).slice(0, 3).join(' ');
    for (const word of ['prober', 'probes', 'idle', 'before', 'probing', 'interval', 'RTT', 'outcome', 'longest', 'silence']) assert.ok(head.includes(word), `${width}: ${word}`);
  }
  const piped = table([file], null);
  assert.match(piped.stdout, /│ flow \(client → server\) +│ prober │ probes │ ack\/unans\/rst │ idle before probing │ interval │ RTT +│ outcome │ settings match │ longest silence │/);
});

/** Flow ids in the order the table lists them (first lines of flows: `#ID ` at 80, `│ #ID ` in the grid). */
function tableOrder(stdout: string): number[] {
  return [...stdout.matchAll(/^(?:│ )?#(\d+) /gm)].map((m) => Number(m[1]));
}

test('flows are sorted most interesting first (timeouts, resets, icmp, unanswered, alive); --sort chooses', () => {
  const files = [join(FX, 'many-flows.pcap'), join(FX, 'cut-path.pcap'), join(FX, 'healthy.pcap')];
  for (const file of files) {
    const flows = json([file]).flows;
    const rankOf = new Map(flows.map((f) => [f.id, interestRank(f)] as const));
    for (const width of [80, 200, null]) {
      const order = tableOrder(table([file], width).stdout);
      assert.equal(order.length, flows.length, `${file} ${width}`);
      for (let i = 1; i < order.length; i++) {
        const a = rankOf.get(order[i - 1]) ?? -1, b = rankOf.get(order[i]) ?? -1;
        assert.ok(a < b || (a === b && order[i - 1] < order[i]), `${file} at ${width}: #${order[i - 1]} before #${order[i]}`);
      }
    }
    assert.deepEqual(tableOrder(table(['--sort', 'id', file], 80).stdout), flows.map((f) => f.id).sort((x, y) => x - y));
    const bySilence = [...flows].sort((x, y) => y.maxIdleSeconds - x.maxIdleSeconds || x.id - y.id).map((f) => f.id);
    assert.deepEqual(tableOrder(table(['--sort', 'silence', file], 80).stdout), bySilence);
    const probes = (f: Flow): number => f.keepalive.reduce((n, k) => n + k.probes, 0);
    assert.deepEqual(tableOrder(table(['--sort', 'probes', file], 80).stdout), [...flows].sort((x, y) => probes(y) - probes(x) || x.id - y.id).map((f) => f.id));
  }
  // The interesting ones do come first in many-flows: its recorded settings predict timeouts.
  const truth = JSON.parse(readFileSync(join(FX, 'many-flows.json'), 'utf8')) as { flows: { expect: { outcome: string } }[] };
  const timeouts = truth.flows.filter((f) => f.expect.outcome === 'timeout').length;
  const flows = json([join(FX, 'many-flows.pcap')]).flows;
  const first = tableOrder(table([join(FX, 'many-flows.pcap')], 80).stdout).slice(0, timeouts);
  for (const id of first) assert.ok(flows.find((f) => f.id === id)?.keepalive.some((k) => k.outcome === 'timeout'), `#${id}`);
});

test('--events draws each flow\'s life as one strip scaled to the width', () => {
  for (const [name, mark] of [['user-timeout', 'X'], ['peer-reset', 'R']] as const) {
    const file = join(FX, `${name}.pcap`);
    const events = (JSON.parse(table(['--format', 'json', '--events', file], null).stdout) as { events: { type: string; frame: number; probeFrame?: number }[] }).events;
    const acked = new Set(events.filter((e) => e.type === 'probe-ack').map((e) => e.probeFrame));
    const unanswered = events.filter((e) => e.type === 'probe' && !acked.has(e.frame)).length;
    for (const width of [80, 120, 200]) {
      const out = table(['--events', file], width).stdout;
      const strips = out.split('\n').filter((l) => l.startsWith('  life |'));
      assert.equal(strips.length, 1, out);
      const strip = strips[0].slice(strips[0].indexOf('|') + 1, strips[0].lastIndexOf('|'));
      // Scaled to the width: the strip and its label and duration fill all but a few columns.
      assert.ok(columnsOf(strips[0]) <= width && columnsOf(strips[0]) >= width - 12, `${width}: ${strips[0]}`);
      assert.ok(strip.includes(mark), strip);
      assert.match(strip, /^=*\.+/, 'silence before the first probe');
      if (name === 'user-timeout') assert.equal([...strip].filter((c) => c === 'P').length, unanswered, strip);
    }
  }
});

test('with filters the summary says how many flows are shown and which filters', () => {
  const file = join(FX, 'many-flows.pcap');
  const all = json([file]);
  const r = table(['--host', '10.77.0.9', file], null);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /no flow matches the filters \(host 10\.77\.0\.9\)/);
  assert.match(r.stdout, new RegExp(`^0 of ${all.summary.flows} flows shown \\(filters: host 10\\.77\\.0\\.9\\)`, 'm'));
  assert.doesNotMatch(r.stdout, /no keepalive activity/);
  const pick = all.flows[0];
  const port = Number(pick.server.slice(pick.server.lastIndexOf(':') + 1));
  const one = table(['--port', String(port), file], null);
  const shown = all.flows.filter((f) => f.server.endsWith(`:${port}`) || f.client.endsWith(`:${port}`)).length;
  assert.match(one.stdout, new RegExp(`^${shown} of ${all.summary.flows} flows shown \\(filters: port ${port}\\)`, 'm'));
});

// A flow built here: handshake, 10 bytes of data, `silence` seconds of nothing, one keepalive probe
// and its ACK, then the closing segments asked for.
function keepaliveFlow(silence: number, close: 'fin-client' | 'fin-both' | 'none', backwards = false): Buffer {
  const c: TcpSpec = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 };
  const s: TcpSpec = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 };
  const t0 = 1_700_000_000;
  const rec = (t: number, spec: TcpSpec): PcapRecord => ({ sec: Math.floor(t), frac: Math.round((t % 1) * 1e6), data: tcpFrame(spec) });
  const records = [
    rec(t0, { ...c, flags: 'S', seq: 100 }),
    rec(t0 + 0.001, { ...s, flags: 'SA', seq: 500, ack: 101 }),
    rec(t0 + 0.002, { ...c, flags: 'A', seq: 101, ack: 501 }),
    rec(t0 + 0.003, { ...c, flags: 'PA', seq: 101, ack: 501, payload: 10 }),
    rec(t0 + 0.004, { ...s, flags: 'A', seq: 501, ack: 111 }),
    rec(t0 + 0.004 + silence, { ...c, flags: 'A', seq: 110, ack: 501 }),
    rec(t0 + 0.005 + silence, { ...s, flags: 'A', seq: 501, ack: 111 }),
  ];
  if (close !== 'none') {
    records.push(rec(t0 + 1 + silence, { ...c, flags: 'FA', seq: 111, ack: 501 }));
    records.push(rec(t0 + 1.001 + silence, { ...s, flags: 'A', seq: 501, ack: 112 }));
  }
  if (close === 'fin-both') {
    records.push(rec(t0 + 1.002 + silence, { ...s, flags: 'FA', seq: 501, ack: 112 }));
    records.push(rec(t0 + 1.003 + silence, { ...c, flags: 'A', seq: 112, ack: 502 }));
  }
  // A clock stepped back: the last packet stamped before the first.
  if (backwards) records.push(rec(t0 - 5, { ...c, flags: 'A', seq: 111, ack: 501 }));
  return pcapFile(records);
}

test('end rst and end fin say who: rst from server/client, fin from client unanswered, fin from both', () => {
  for (const name of ['peer-reset', 'user-timeout', 'cut-path']) {
    const truth = JSON.parse(readFileSync(join(FX, `${name}.json`), 'utf8')) as { flows: { expect: { rstFrom?: string } }[] };
    const from = truth.flows[0].expect.rstFrom;
    assert.ok(from === 'client' || from === 'server');
    for (const width of [80, null]) assert.match(table([join(FX, `${name}.pcap`)], width).stdout, new RegExp(`end rst from ${from}`), `${name} ${width}`);
  }
  // Recorded through a router (fixtures/path): the client's shutdown(SHUT_WR) that the server never
  // answered with its own FIN, a server's RST, a client's keepalive give-up.
  interface PathTruth { flows: { expect: { clientFin?: boolean; serverFin?: boolean; by?: string | null; fate?: string } }[] }
  const pathTruth = (name: string): PathTruth => JSON.parse(readFileSync(join(FX, 'path', `${name}.json`), 'utf8')) as PathTruth;
  const half = pathTruth('half-close').flows[0].expect;
  assert.ok(half.clientFin === true && half.serverFin === false);
  for (const side of ['client', 'server']) {
    assert.match(table([join(FX, 'path', `half-close.${side}.pcap`)], null).stdout, /end fin from client, unanswered/, side);
  }
  for (const name of ['restart', 'oneway-cut']) {
    const by = pathTruth(name).flows[0].expect.by;
    assert.ok(by === 'client' || by === 'server', name);
    assert.match(table(['--all-flows', join(FX, 'path', `${name}.client.pcap`)], null).stdout, new RegExp(`end rst from ${by}`), name);
  }
  const finClient = writeTemp(tmp, 'fin-client.pcap', keepaliveFlow(5, 'fin-client'));
  assert.match(table([finClient], null).stdout, /end fin from client, unanswered/);
  const finBoth = writeTemp(tmp, 'fin-both.pcap', keepaliveFlow(5, 'fin-both'));
  assert.match(table([finBoth], null).stdout, /end fin from both/);
  // The JSON keeps its documented `end` values.
  assert.deepEqual(json([finClient, finBoth]).flows.map((f) => f.end), ['open', 'fin']);
});

test('the span is never negative, even when the last packet is stamped before the first', () => {
  const file = writeTemp(tmp, 'backwards.pcap', keepaliveFlow(5, 'none', true));
  const r = table([file], null);
  const span = r.stdout.split('\n').find((l) => l.startsWith('  span: '));
  assert.ok(span !== undefined, r.stdout);
  assert.doesNotMatch(span, /\(-/);
  assert.match(span, /last packet stamped before the first/);
});

test('middlebox hints: one phrase, only where the flow\'s silence reached or nearly reached a catalogue timeout', () => {
  // 400 s of silence reaches the 60, 240 and 350 s timeouts: the phrase names the longest.
  const long = writeTemp(tmp, 'silence-400.pcap', keepaliveFlow(400, 'none'));
  for (const width of [80, 200, null]) {
    // At 80 columns the flow's line wraps: its continuations start with three spaces.
    const out = table([long], width).stdout.replace(/\n {3}(?=\S)/g, ' ');
    assert.equal(out.split("idle reached AWS NLB's 350 s").length - 1, 1, out);
    assert.doesNotMatch(out, /at or above|just under/);
  }
  // 300 s sits within 20 % under the 350 s one, and past 60 and 240: the longest reached is named.
  assert.match(table([writeTemp(tmp, 'silence-300.pcap', keepaliveFlow(300, 'none'))], null).stdout, /idle reached Azure LB's 240 s/);
  // 50 s is just under 60 s.
  assert.match(table([writeTemp(tmp, 'silence-50.pcap', keepaliveFlow(50, 'none'))], null).stdout, /idle just under AWS ALB's 60 s/);
  // The kernel fixtures are idle for seconds only: no hint at all.
  const healthy = table([join(FX, 'healthy.pcap'), join(FX, 'many-flows.pcap')], null).stdout;
  assert.doesNotMatch(healthy, /idle reached|just under|at or above/);
});

test('a series cut short by TCP_USER_TIMEOUT gives its count as a lower bound, not as the setting', () => {
  const truth = JSON.parse(readFileSync(join(FX, 'user-timeout.json'), 'utf8')) as { count: number; userTimeoutMs: number };
  assert.ok(truth.userTimeoutMs > 0);
  const flows = json([join(FX, 'user-timeout.pcap')]).flows;
  const probes = flows[0].keepalive[0].probes;
  // The kernel was given a count larger than the probes it sent.
  assert.ok(probes < truth.count);
  const out = table([join(FX, 'user-timeout.pcap')], null).stdout;
  assert.ok(out.includes(`count ≥ ${probes} or cut short by TCP_USER_TIMEOUT`), out);
  assert.ok(!out.includes(`×${probes}`), out);
});

test('durations print consistently: one unit per spread cell, one value when the three print the same', () => {
  const out = table(['--all-flows', ...ALL_FIXTURES], null).stdout;
  let spreads = 0;
  for (const line of out.split('\n').filter((l) => l.startsWith('│'))) {
    for (const cell of line.split('│').map((c) => c.trim())) {
      const m = /^(.+?) \((.+)–(.+)\)$/.exec(cell);
      if (m === null) continue;
      spreads++;
      const units = new Set([...cell.matchAll(/\d (ms|s)\b/g)].map((u) => u[1]));
      assert.ok(units.size <= 1, `mixed units: ${cell}`);
      assert.ok(!(m[1] === m[2] && m[2] === m[3]), `three equal values: ${cell}`);
      assert.notEqual(m[2], m[3].replace(/ (ms|s)$/, ''), `min and max print the same: ${cell}`);
    }
  }
  assert.ok(spreads > 10, `${spreads} spreads seen`);
});
