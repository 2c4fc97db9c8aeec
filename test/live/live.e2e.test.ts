// End to end through bin/keepalive.js: two namespaces joined by a veth pair, a Linux client with
// short keepalive timers, `keepalive live` and tcpdump capturing the same veth end. The path is cut
// with iptables so the client's probes go unanswered and the kernel gives up with a RST; the live
// events must arrive while the capture runs, and the probe times must agree with what the engine
// finds in tcpdump's file (kernel timestamps): within 5 ms when live uses the native addon (kernel
// timestamps too), within a 1 s sanity bound when it falls back to cap (arrival-time stamps).
// KEEPALIVE_E2E_SOURCE=cap runs the cap fallback even when the addon is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { analyzeFile } from '../../src/analysis';
import type { KeepaliveEvent } from '../../src/keepalive/model';
import { loadCap } from '../../src/live/cap-module';
import { loadNative } from '../../src/live/native-module';
import { canUseNetns, NetnsPair } from '../support/netns';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'keepalive.js');
const PEER = join(ROOT, 'fixtures', 'scripts', 'peer.py');
const PORT = 5000;

interface Arrived { readonly at: number; readonly obj: Record<string, unknown> }

function lines(child: ChildProcess, into: Arrived[]): void {
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const at = performance.now();
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) if (l.trim() !== '') into.push({ at, obj: JSON.parse(l) as Record<string, unknown> });
  });
}

function waitFor(what: string, ms: number, ok: () => boolean, detail: () => string = () => ''): Promise<void> {
  const until = performance.now() + ms;
  return new Promise((res, rej) => {
    const poll = (): void => {
      if (ok()) res();
      else if (performance.now() > until) rej(new Error(`timed out waiting for ${what} ${detail()}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/** Microseconds since 1970 from an ISO time with up to 9 fractional digits. */
function isoMicros(iso: string): number {
  const dot = iso.indexOf('.');
  const whole = Date.parse(`${iso.slice(0, 19)}Z`) * 1000;
  const frac = dot < 0 ? 0 : Number(iso.slice(dot + 1, -1).padEnd(6, '0').slice(0, 6));
  return whole + frac;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('live capture reports probes, answers and the keepalive timeout as they happen', { timeout: 60_000 }, async (t) => {
  const blocker = canUseNetns(['ip', 'tcpdump', 'iptables', 'python3']);
  if (blocker !== null) { t.skip(blocker); return; }
  const forceCap = process.env.KEEPALIVE_E2E_SOURCE === 'cap';
  const native = loadNative();
  if (forceCap ? loadCap() === null : native.mod === null && loadCap() === null) {
    t.skip(forceCap ? "the 'cap' module is not built" : "neither the native addon nor 'cap' is built");
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'kalive-e2e-'));
  const pair = NetnsPair.create({ prefix: 'kalive-e2e', ipv4: ['10.79.0.1', '10.79.0.2'], ipv6: ['fd79::1', 'fd79::2'] });
  try {
    const [client, server] = pair.ipv4;
    const dump = await pair.startTcpdump('a', join(dir, 'tcpdump.pcap'), ['tcp'], 256);

    // KEEPALIVE_E2E_NICE=-15 runs the capture at a higher priority, to see how much of the stamp
    // error is the scheduler's.
    const nice = process.env.KEEPALIVE_E2E_NICE;
    const liveFile = join(dir, 'live.pcap');
    const preload = forceCap ? ['-r', join(__dirname, 'hide-native.js')] : [];
    const liveCmd = [process.execPath, ...preload, BIN, 'live', '-i', pair.ifA, '--format', 'ndjson', '-w', liveFile];
    const live = nice ? pair.spawn('a', 'nice', ['-n', nice, ...liveCmd]) : pair.spawn('a', liveCmd[0], liveCmd.slice(1));
    const out: Arrived[] = [];
    lines(live, out);
    let stderr = '';
    live.stderr?.setEncoding('utf8');
    live.stderr?.on('data', (s: string) => { stderr += s; });
    const exited = new Promise<number | null>((r) => live.once('exit', (code) => r(code)));
    await waitFor('keepalive live to listen', 15_000, () => stderr.includes('listening on'));
    const kernelStamps = /kernel timestamps/.test(stderr);
    t.diagnostic(`source: ${stderr.trim()}`);
    if (!kernelStamps) {
      t.diagnostic(`cap fallback (${forceCap ? 'KEEPALIVE_E2E_SOURCE=cap' : native.why}): arrival-time stamps, so only a 1 s sanity bound`);
    }

    const srv = pair.spawn('b', 'python3', [PEER, 'server', '--host', server, '--port', String(PORT), '--duration', '25']);
    let srvOut = '';
    srv.stdout?.setEncoding('utf8');
    srv.stdout?.on('data', (s: string) => { srvOut += s; });
    await waitFor('the server to listen', 10_000, () => srvOut.includes('"listening"'));
    pair.spawn('a', 'python3', [PEER, 'client', '--host', server, '--port', String(PORT), '--keepalive', '1',
      '--keepidle', '1', '--keepintvl', '1', '--keepcnt', '3', '--duration', '25']);

    const ofType = (type: string): Arrived[] => out.filter((a) => a.obj.type === type);
    const seen = (): string => `(live printed: ${out.map((a) => String(a.obj.type)).join(' ') || 'nothing'}; stderr: ${stderr.trim()})`;
    await waitFor('two acknowledged probes', 10_000, () => ofType('probe-ack').length >= 2, seen);
    // Probes from the client are dropped on arrival at the server: they still cross the veth.
    const cut = pair.exec('b', 'iptables', ['-A', 'INPUT', '-p', 'tcp', '--dport', String(PORT), '-j', 'DROP']);
    assert.equal(cut.status, 0, cut.stderr);
    await waitFor('keepalive-timeout', 12_000, () => ofType('keepalive-timeout').length >= 1, seen);

    const sigintAt = performance.now();
    live.kill('SIGINT');
    const code = await exited;
    await dump.stop();

    assert.equal(code, 0, `live exit code (stderr: ${stderr.trim()})`);
    // Events must have been printed while the capture ran, not at exit, and soon after they happened.
    for (const type of ['probe', 'probe-ack', 'keepalive-timeout']) {
      const seen = ofType(type);
      assert.ok(seen.length > 0, `no ${type} event`);
      for (const a of seen) assert.ok(a.at < sigintAt, `${type} printed after SIGINT`);
    }
    const timeout = ofType('keepalive-timeout')[0].obj as unknown as KeepaliveEvent;
    assert.equal(timeout.from, `${client}:${String(timeout.from).split(':')[1]}`, 'the client gave up');
    const final = out.filter((a) => a.at >= sigintAt).map((a) => a.obj.type);
    assert.ok(final.includes('summary'), `final summary printed after SIGINT (got ${final.join(', ')})`);
    const summary = out.find((a) => a.obj.type === 'summary')?.obj as { outcomes: { timeout: number } };
    // One connection, whose client gave up once.
    assert.equal(ofType('keepalive-timeout').length, 1);
    assert.equal(summary.outcomes.timeout, 1, 'summary counts the timeout');

    // Same probes in tcpdump's capture, analyzed from the file.
    const fileEvents: KeepaliveEvent[] = [];
    const { capture } = await analyzeFile(dump.file, {}, (e) => { fileEvents.push(e); });
    assert.equal(capture.error, null);
    const probes = (evs: readonly KeepaliveEvent[]): number[] =>
      evs.filter((e) => e.type === 'probe' && e.from.startsWith(`${client}:`)).map((e) => isoMicros(e.time));
    const liveProbes = probes(ofType('probe').map((a) => a.obj as unknown as KeepaliveEvent));
    const fileProbes = probes(fileEvents);
    assert.ok(liveProbes.length >= 4, `at least 2 answered and 2 unanswered probes live (got ${liveProbes.length})`);
    assert.equal(liveProbes.length, fileProbes.length, 'live and tcpdump saw the same probes');
    const offsets = liveProbes.map((t0, i) => t0 - fileProbes[i]);
    const intervalDiffs: number[] = [];
    for (let i = 1; i < liveProbes.length; i++) {
      intervalDiffs.push(Math.abs((liveProbes[i] - liveProbes[i - 1]) - (fileProbes[i] - fileProbes[i - 1])));
    }
    const absOff = offsets.map(Math.abs);
    t.diagnostic(`live − tcpdump probe time (µs): median ${median(offsets).toFixed(0)}, max |.| ${Math.max(...absOff).toFixed(0)}; ` +
      `probe interval difference (µs): median ${median(intervalDiffs).toFixed(0)}, max ${Math.max(...intervalDiffs).toFixed(0)} over ${liveProbes.length} probes`);
    // With the native addon both captures carry the kernel's timestamp of the same skb: the
    // difference should be 0. With cap, live stamps are taken when the callback runs and carry the
    // scheduler's delay: 18–740 ms were measured on the 2-vCPU VM this was developed on (README
    // "Timestamps"), so that path only gets a sanity bound. The numbers are printed above either way.
    const bound = kernelStamps ? 5_000 : 1_000_000;
    t.diagnostic(`load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores; interval bound ${bound} µs`);
    for (const d of intervalDiffs) assert.ok(d < bound, `probe interval differs by ${d} µs from tcpdump's`);

    // -w keeps the same stamps the live events showed (kernel ns stamps with the addon).
    const wEvents: KeepaliveEvent[] = [];
    const written = await analyzeFile(liveFile, {}, (e) => { wEvents.push(e); });
    assert.equal(written.capture.error, null);
    assert.equal(written.capture.tsDigits, kernelStamps ? 9 : 6);
    assert.deepEqual(probes(wEvents), liveProbes, '-w file probes = live probes');
    // tcpdump here writes µs; the -w file keeps the kernel's ns, which truncate to tcpdump's µs.
    if (kernelStamps) assert.deepEqual(probes(wEvents), fileProbes, '-w file probe times = tcpdump probe times, to the µs');
  } finally {
    pair.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
