// Per-flow time when the capture's clock steps back (issue #22, rule 5). fixtures/derived/
// step-back.pcap is both-probe.pcap followed by the earlier healthy.pcap (fixtures/scripts/
// step-back.sh, mergecap -a): the capture steps back ~49 s, each flow's own timestamps stay in
// order. Each flow's durations must be those of its own packets: as tshark measures them per TCP
// stream, and as the same flows analyzed from the files they came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import type { FlowReport } from '../../src/keepalive/model';
import { Conversation, handshake, C, S } from './scenario';
import { OwnTimes } from '../../src/keepalive/own-time';
import { FlowStore, FlowDouble, Layout } from '../../src/flow/store';
import type { Nanos } from '../../src/units';

const FIX = join(__dirname, '..', '..', '..', 'fixtures');
const STEP_BACK = join(FIX, 'derived', 'step-back.pcap');
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

/** What a flow's report says about durations and times (the fields a clamped clock would change). */
const durations = (f: FlowReport) => ({
  client: f.client, server: f.server, firstTime: f.firstTime, lastTime: f.lastTime, maxIdleSeconds: f.maxIdleSeconds,
  fate: f.fate, keepalive: f.keepalive,
});

test('step-back capture: every flow as analyzed from the file it came from, and no warning', async () => {
  const joined = await analyzeFile(STEP_BACK, { allFlows: true });
  const parts = [...(await analyzeFile(join(FIX, 'both-probe.pcap'), { allFlows: true })).result.flows,
    ...(await analyzeFile(join(FIX, 'healthy.pcap'), { allFlows: true })).result.flows];
  const flows = joined.result.flows;
  assert.equal(flows.length, parts.length);
  assert.ok(flows.length >= 2);
  // Some flow's packets all come after the capture stepped back (healthy.pcap's).
  assert.ok(flows.some((f) => f.firstFrame > 23));
  for (const f of flows) {
    const p = parts.find((x) => x.client === f.client && x.server === f.server);
    assert.ok(p, `${f.client} → ${f.server} in the separate files`);
    assert.deepEqual(durations(f), durations(p!));
  }
  assert.deepEqual(joined.result.warnings, []);
});

// step-back-death.pcap: healthy.pcap, then the earlier cut-path.pcap, whose client gives up
// probing after the step back: how long it kept trying runs on the flow's own clock too.
test('step-back capture with a death after the step back: each fate as from the file it came from', async () => {
  const joined = await analyzeFile(join(FIX, 'derived', 'step-back-death.pcap'), { allFlows: true });
  const parts = [...(await analyzeFile(join(FIX, 'healthy.pcap'), { allFlows: true })).result.flows,
    ...(await analyzeFile(join(FIX, 'cut-path.pcap'), { allFlows: true })).result.flows];
  const died = joined.result.flows.filter((f) => f.fate.how === 'keepalive-timeout');
  assert.equal(died.length, 1);
  assert.ok(died[0].fate.gaveUpAfterSeconds! > 0);
  assert.equal(joined.result.flows.length, parts.length);
  for (const f of joined.result.flows) {
    const p = parts.find((x) => x.client === f.client && x.server === f.server);
    assert.ok(p, `${f.client} → ${f.server} in the separate files`);
    assert.deepEqual(durations(f), durations(p!));
  }
});

test('step-back capture: each flow\'s longest silence is tshark\'s largest tcp.time_delta in its stream', async (t) => {
  if (!hasTshark) { t.skip('tshark is not installed (apt-get install tshark)'); return; }
  const out = execFileSync('tshark', ['-r', STEP_BACK, '-o', 'tcp.calculate_timestamps:TRUE', '-T', 'fields',
    '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'tcp.time_delta', '-e', 'tcp.time_relative'], { encoding: 'utf8' });
  const byPair = new Map<string, { gap: number; span: number }>();
  for (const line of out.split('\n').filter((l) => l !== '')) {
    const [src, sport, dst, dport, delta, rel] = line.split('\t');
    const a = `${src}:${sport}`, b = `${dst}:${dport}`;
    const key = a < b ? `${a} ${b}` : `${b} ${a}`;
    const m = byPair.get(key) ?? { gap: 0, span: 0 };
    m.gap = Math.max(m.gap, Number(delta));
    m.span = Math.max(m.span, Number(rel));
    byPair.set(key, m);
  }
  const { result: r } = await analyzeFile(STEP_BACK, { allFlows: true });
  assert.equal(r.flows.length, byPair.size);
  for (const f of r.flows) {
    const key = f.client < f.server ? `${f.client} ${f.server}` : `${f.server} ${f.client}`;
    const ts = byPair.get(key)!;
    assert.ok(Math.abs(f.maxIdleSeconds - ts.gap) < 1e-6, `${key}: ${f.maxIdleSeconds} vs tshark ${ts.gap}`);
    const span = (Date.parse(f.lastTime) - Date.parse(f.firstTime)) / 1e3;
    assert.ok(Math.abs(span - ts.span) < 1e-3, `${key}: span ${span} vs tshark ${ts.span}`);
  }
});

/** A second connection (client port 40001): handshake and one exchange from `at` s, as handshake() does; returns its next seqs. */
function secondFlow(c: Conversation, at: number): { cNxt: number; sNxt: number } {
  const cl = { ...C, sport: 40001 }, sv = { ...S, dport: 40001 };
  c.tcp(at, { ...cl, seq: 7000, flags: 'S' });
  c.tcp(at + 0.001, { ...sv, seq: 9000, ack: 7001, flags: 'SA' });
  c.tcp(at + 0.002, { ...cl, seq: 7001, ack: 9001, flags: 'A' });
  c.tcp(at + 0.003, { ...cl, seq: 7001, ack: 9001, flags: 'PA', payload: 100 });
  c.tcp(at + 0.004, { ...sv, seq: 9001, ack: 7101, flags: 'PA', payload: 100 });
  c.tcp(at + 0.005, { ...cl, seq: 7101, ack: 9101, flags: 'A' });
  return { cNxt: 7101, sNxt: 9101 };
}

test('own time, generated: a flow that starts after the capture stepped back keeps its own idle and RTT', () => {
  const c = new Conversation();
  // A later flow first (to 100.005 s), then a flow stamped from 10 s: its probe's idle is its own.
  handshake(c, 1000, 5000, 100);
  const { cNxt, sNxt } = secondFlow(c, 10);
  c.tcp(40, { ...C, sport: 40001, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(40.002, { ...S, dport: 40001, seq: sNxt, ack: cNxt, flags: 'A' });
  const r = c.finish();
  const ka = r.flows.find((f) => f.client.endsWith(':40001'))!.keepalive[0];
  // From the server's data at 10.004 s to the probe at 40 s; the ACK 2 ms later.
  assert.deepEqual(ka.idleSeconds, { min: 29.996, median: 29.996, max: 29.996 });
  assert.deepEqual(ka.rttMs, { min: 2, median: 2, max: 2 });
  assert.deepEqual(r.warnings, []);
});

test('own time, generated: a step back larger than --idle-timeout does not expire the earlier-stamped flow at each packet', () => {
  const c = new Conversation({ idleTimeoutSeconds: 100, allFlows: true });
  handshake(c, 1000, 5000, 5000);
  const { cNxt, sNxt } = secondFlow(c, 10);
  c.tcp(40, { ...C, sport: 40001, seq: cNxt - 1, ack: sNxt, flags: 'A' });
  c.tcp(40.002, { ...S, dport: 40001, seq: sNxt, ack: cNxt, flags: 'A' });
  const r = c.finish();
  assert.equal(r.summary.flows, 2);
  const f = r.flows.find((x) => x.client.endsWith(':40001'))!;
  assert.equal(f.packets, 8);
  assert.equal(f.keepalive[0].acked, 1);
  assert.equal(f.maxIdleSeconds, 29.995);
});

test('OwnTimes: a flow\'s own time, its clamped step backs, the warning and slots past the first 1024', () => {
  const store = new FlowStore(4096);
  const own = new OwnTimes();
  // Before any own time is kept, a flow's time is its record's LastTime.
  store.f64[3000 * Layout.Doubles + FlowDouble.LastTime] = 7e9;
  assert.equal(own.lastOf(store, 3000), 7e9);
  store.f64[1024 * Layout.Doubles + FlowDouble.LastTime] = 6e9; // the first slot past the kept times
  assert.equal(own.lastOf(store, 1024), 6e9);
  assert.equal(own.warning(), null);
  // Forward steps are taken as they come and nothing is warned.
  assert.equal(own.advance(5, 50, 10e9 as Nanos, 9e9 as Nanos, 100), 10e9);
  assert.equal(own.advance(5, 50, 10e9 as Nanos, 10e9 as Nanos, 101), 10e9); // equal is no step back
  assert.equal(own.warning(), null);
  // A step back of 2 s is clamped to the flow's latest time; then 0.5 s; the flow counts once.
  assert.equal(own.advance(5, 50, 8e9 as Nanos, 10e9 as Nanos, 102), 10e9);
  assert.equal(own.advance(5, 50, 9.5e9 as Nanos, 10e9 as Nanos, 103), 10e9);
  assert.equal(own.lastOf(store, 5), 10e9);
  assert.equal(own.warning(), 'timestamps of flow 50 step backwards at frame 102, by up to 2.000000 s; such a flow\'s durations use its latest time');
  // A second flow (in a slot past the first 1024) steps back by 3 s: counted, and the largest step kept.
  assert.equal(own.advance(2500, 51, 1e9 as Nanos, 4e9 as Nanos, 200), 4e9);
  assert.equal(own.lastOf(store, 2500), 4e9);
  assert.equal(own.lastOf(store, 3000), 7e9); // still NaN in the grown array: the record's time
  own.set(1024, 11e9 as Nanos);
  assert.equal(own.lastOf(store, 1024), 11e9);
  assert.equal(own.lastOf(store, 5), 10e9); // kept when the array grew
  assert.deepEqual([own.flowsSteppedBack, own.firstFlow, own.firstFrame, own.maxStepNs], [2, 50, 102, 3e9]);
  assert.equal(own.warning(), 'timestamps of flow 50 step backwards at frame 102 (2 flows), by up to 3.000000 s; such a flow\'s durations use its latest time');
});
