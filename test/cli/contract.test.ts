// The command line's output contract, checked through `keepalive analyze` as a user runs it:
// every CSV column against the JSON field the README maps it to, the `capture` index of events
// and flows, and the effect of --max-flows and --idle-timeout on generated captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../report/csv-parse';
import { ROOT, run } from './run';
import { pcapFile, tempDir, writeTemp } from '../support/capture-files';
import { icmpErrorFrame, tcpFrame, type TcpSpec } from '../support/frames';

const T0 = 1_700_000_000;

/** A pcap of TCP segments at the given times (seconds since T0). */
function capture(segments: readonly (readonly [at: number, spec: TcpSpec])[]): Buffer {
  return pcapFile(segments.map(([at, spec]) => ({
    sec: T0 + Math.floor(at), frac: Math.round((at - Math.floor(at)) * 1e6), data: tcpFrame({ pad: 60, ...spec }),
  })));
}

const client = (sport: number, dport: number): TcpSpec => ({ src: '10.0.0.1', dst: '10.0.0.2', sport, dport });
const server = (sport: number, dport: number): TcpSpec => ({ src: '10.0.0.2', dst: '10.0.0.1', sport: dport, dport: sport });

/** Handshake, one exchange, then probes from the client; answered or not, with a give-up RST. */
function probingFlow(sport: number, dport: number, probes: number, answered: boolean): [number, TcpSpec][] {
  const c = client(sport, dport), s = server(sport, dport);
  const out: [number, TcpSpec][] = [
    [0, { ...c, seq: 100, flags: 'S' }],
    [0.001, { ...s, seq: 900, ack: 101, flags: 'SA' }],
    [0.002, { ...c, seq: 101, ack: 901, flags: 'PA', payload: 10 }],
    [0.003, { ...s, seq: 901, ack: 111, flags: 'A' }],
  ];
  for (let k = 0; k < probes; k++) {
    out.push([10 + 5 * k, { ...c, seq: 110, ack: 901, flags: 'A' }]);
    if (answered) out.push([10.001 + 5 * k, { ...s, seq: 901, ack: 111, flags: 'A' }]);
  }
  if (!answered) out.push([10 + 5 * probes, { ...c, seq: 111, ack: 901, flags: 'RA' }]);
  return out;
}

interface Event { capture: number; type: string; frame: number; flow: number; from: string; to: string }
interface FlowJson { capture: number; id: number; client: string; server: string; [k: string]: unknown }

test('events and flows carry the index of the input they came from, in any input order', () => {
  const dir = tempDir();
  try {
    // Input "a" has an answered flow to port 80 (2 probes, 2 ACKs); "b" a dying flow to 443 (3 probes, a timeout).
    const a = writeTemp(dir, 'a.pcap', capture(probingFlow(40000, 80, 2, true)));
    const b = writeTemp(dir, 'b.pcap', capture(probingFlow(40001, 443, 3, false)));
    const portOf = (e: Event): number => Number((e.type.startsWith('probe-') ? e.from : e.to).split(':')[1]);
    for (const files of [[a, b], [b, a]]) {
      const want = (port: number): number => files.indexOf(port === 80 ? a : b);
      const nd = run(['analyze', '--format', 'ndjson', ...files]);
      assert.equal(nd.code, 0, nd.stderr);
      const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);
      const events = lines.filter((l) => l.type.startsWith('probe') || l.type === 'keepalive-timeout');
      assert.equal(events.length, 2 + 2 + 3 + 1);
      for (const e of events) assert.equal(e.capture, want(portOf(e)), JSON.stringify(e));
      const flows = lines.filter((l) => l.type === 'flow') as unknown as FlowJson[];
      assert.deepEqual(flows.map((f) => [f.capture, f.server]).sort(), [[want(80), '10.0.0.2:80'], [want(443), '10.0.0.2:443']].sort());
      const caps = lines.filter((l) => l.type === 'capture').map((l) => l.capture);
      assert.deepEqual(caps, [0, 1]);

      const js = run(['analyze', '--format', 'json', '--events', ...files]);
      assert.equal(js.code, 0, js.stderr);
      const doc = JSON.parse(js.stdout) as { events: Event[]; flows: FlowJson[] };
      assert.equal(doc.events.length, events.length);
      for (const e of doc.events) assert.equal(e.capture, want(portOf(e)), JSON.stringify(e));
      for (const f of doc.flows) assert.equal(f.capture, want(Number(f.server.split(':')[1])));
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// README "CSV": each column and the JSON field it comes from.
type Get = (f: FlowJson, k: Record<string, unknown> | null) => unknown;
const ep = (path: string): Get => (_f, k) => {
  if (k === null) return null;
  let v: unknown = k;
  for (const p of path.split('.')) v = v === null ? null : (v as Record<string, unknown>)[p];
  return v;
};
const fl = (name: string): Get => (f) => f[name];
const fate = (name: string): Get => (f) => (f.fate as Record<string, unknown>)[name];
const CSV_FROM_JSON: readonly (readonly [string, Get])[] = [
  ['capture', fl('capture')], ['file', () => undefined], ['flow', fl('id')], ['client', fl('client')], ['server', fl('server')],
  ['vlan', (f) => (f.vlan as number[]).join('.')], ['midstream', fl('midstream')],
  ['first_frame', fl('firstFrame')], ['last_frame', fl('lastFrame')], ['first_time', fl('firstTime')], ['last_time', fl('lastTime')],
  ['packets', fl('packets')], ['max_idle_s', fl('maxIdleSeconds')], ['zero_window_probes', fl('zeroWindowProbes')], ['end', fl('end')],
  ['fate', fate('how')], ['fate_by', fate('by')], ['fate_after_idle_s', fate('afterIdleSeconds')],
  ['fate_retransmissions', fate('retransmissions')], ['fate_gave_up_after_s', fate('gaveUpAfterSeconds')],
  ['fate_silent_at_end_s', fate('silentAtEndSeconds')],
  ['fate_clue', fate('clue')], ['fate_evidence', (f) => ((f.fate as { evidence: string[] }).evidence.join('; '))],
  ['prober', ep('prober')], ['probes', ep('probes')], ['acked', ep('acked')], ['unanswered', ep('unanswered')],
  ['resets', ep('resets')], ['icmp', ep('icmp')], ['probe_bytes', ep('probeBytes')],
  ['idle_min_s', ep('idleSeconds.min')], ['idle_median_s', ep('idleSeconds.median')], ['idle_max_s', ep('idleSeconds.max')],
  ['interval_min_s', ep('intervalSeconds.min')], ['interval_median_s', ep('intervalSeconds.median')], ['interval_max_s', ep('intervalSeconds.max')],
  ['rtt_min_ms', ep('rttMs.min')], ['rtt_median_ms', ep('rttMs.median')], ['rtt_max_ms', ep('rttMs.max')],
  ['max_unanswered', ep('maxUnanswered')], ['outcome', ep('outcome')],
  ['settings_idle_s', ep('settings.idleSeconds')], ['settings_interval_s', ep('settings.intervalSeconds')],
  ['settings_count', ep('settings.count')], ['settings_match', ep('settings.matches')],
  ['middleboxes', (_f, k) => (k === null ? null : ((k.settings as { middleboxes: string[] }).middleboxes.join('; ')))],
  ['settings_dead_peer_after_s', ep('settings.deadPeerDetectedAfterSeconds')],
  // JSON leaves answersLost out when none were lost; the CSV column says 0.
  ['answers_lost', (_f, k) => (k === null ? null : (k.answersLost ?? 0))],
];
const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

test('csv: the header is the README\'s column list, and every cell is the JSON field it names, on every bundled capture', () => {
  const dirs = [join(ROOT, 'fixtures'), join(ROOT, 'fixtures', 'public')];
  const bundled = dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(d, f)) : []));
  assert.ok(bundled.length > 0, 'bundled captures');
  // None of them has an ICMP error answering a probe: one generated capture adds two.
  const dir = tempDir();
  const c = client(40000, 22);
  const icmp = probingFlow(40000, 22, 0, true).map(([at, spec]) => ({
    sec: T0 + Math.floor(at), frac: Math.round((at - Math.floor(at)) * 1e6), data: tcpFrame({ pad: 60, ...spec }),
  }));
  for (const at of [30, 40]) {
    const probe: TcpSpec = { ...c, seq: 110, ack: 901, flags: 'A' };
    icmp.push({ sec: T0 + at, frac: 0, data: tcpFrame({ pad: 60, ...probe }) });
    icmp.push({ sec: T0 + at, frac: 2000, data: icmpErrorFrame({ src: '10.0.0.254', dst: '10.0.0.1', type: 3, code: 1, quoted: probe }) });
  }
  const files = [...bundled, writeTemp(dir, 'icmp.pcap', pcapFile(icmp))];
  const csv = run(['analyze', '--format', 'csv', '--all-flows', ...files]);
  const js = run(['analyze', '--format', 'json', '--all-flows', ...files]);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(js.code, 0, js.stderr);
  const [header, ...rows] = parseCsv(csv.stdout);
  assert.deepEqual(header, CSV_FROM_JSON.map(([name]) => name));
  const doc = JSON.parse(js.stdout) as { captures: { file: string }[]; flows: FlowJson[] };
  const expected: string[][] = [];
  for (const f of doc.flows) {
    const eps = (f.keepalive as Record<string, unknown>[]);
    for (const k of eps.length === 0 ? [null] : eps) {
      expected.push(CSV_FROM_JSON.map(([name, get]) => (name === 'file' ? doc.captures[f.capture].file : text(get(f, k)))));
    }
  }
  assert.equal(rows.length, expected.length);
  for (let i = 0; i < rows.length; i++) assert.deepEqual(rows[i], expected[i], `row ${i + 1}`);
  // Not vacuous: the rows differ in every endpoint column somewhere, so a swap of two columns shows.
  const endpointRows = rows.filter((r) => r[15] !== '');
  assert.ok(endpointRows.length > 10);
  for (const col of ['probes', 'acked', 'unanswered', 'resets', 'icmp', 'idle_min_s', 'idle_max_s', 'interval_min_s', 'rtt_min_ms', 'max_unanswered', 'settings_count']) {
    const i = header.indexOf(col);
    assert.ok(new Set(endpointRows.map((r) => r[i])).size > 1, `${col} varies across the captures`);
  }
});

test('--max-flows evicts the least recently active flow; --idle-timeout retires a silent flow', () => {
  const dir = tempDir();
  try {
    const syn = (at: number, sport: number): [number, TcpSpec] => [at, { ...client(sport, 80), seq: 1, flags: 'S' }];
    const file = writeTemp(dir, 'flows.pcap', capture([
      syn(0, 1000), syn(1, 1001), [2, { ...client(1000, 80), seq: 2, flags: 'A' }], syn(3, 1002),
      [400, { ...client(1002, 80), seq: 2, flags: 'A' }],
    ]));
    const report = (args: string[]) => {
      const r = run(['analyze', '--format', 'json', '--all-flows', ...args, file]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { flows: FlowJson[]; summary: { flows: number; evictedFlows: number; expiredFlows: number } };
    };
    const ends = (d: { flows: FlowJson[] }): string[] => d.flows.map((f) => `${f.client.split(':')[1]} ${String(f.end)} ${String(f.packets)}`);

    const plain = report([]);
    assert.deepEqual(ends(plain), ['1000 open 2', '1001 open 1', '1002 open 2']);
    assert.deepEqual([plain.summary.evictedFlows, plain.summary.expiredFlows], [0, 0]);

    const capped = report(['--max-flows', '2']);
    assert.deepEqual(ends(capped), ['1000 open 2', '1001 evicted 1', '1002 open 2']);
    assert.deepEqual([capped.summary.evictedFlows, capped.summary.expiredFlows], [1, 0]);

    // 397 s of silence: with --idle-timeout 300 all three flows are retired at 400 s, and the last
    // segment starts a new flow to 1002.
    const timed = report(['--idle-timeout', '300']);
    assert.deepEqual(ends(timed), ['1000 open 2', '1001 open 1', '1002 open 1', '1002 open 1']);
    assert.equal(timed.summary.flows, 4);
    assert.equal(timed.summary.expiredFlows, 3);
    const longer = report(['--idle-timeout', '500']);
    assert.deepEqual(ends(longer), ends(plain));
    assert.equal(longer.summary.expiredFlows, 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
