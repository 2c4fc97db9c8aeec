// The libpcap addon (native/keepalive_pcap.c) on real traffic: UDP datagrams on the loopback device
// of a namespace this test creates, captured by the addon and by tcpdump at the same time. Each
// packet's kernel timestamp from the addon must match tcpdump's, even though the event loop is
// blocked for a while in the middle (an arrival-time stamp would be late by that much). Also:
// lengths and bytes, drop counters under overload, close() from inside the packet callback, and a
// clean exit with an open or a closed-and-collected handle. Each case runs in a child process
// inside the namespace (`ip netns exec`), since a process captures in its own namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/open';
import { loadNative, NATIVE_ADDON_PATH } from '../../src/live/native-module';
import { createLoopbackNs, liveTestBlocker } from './loopback-ns';

const PORT = 47123;
/** Ethernet (14) + IPv4 (20) + UDP (8): where the datagram's payload starts on lo. */
const PAYLOAD = 42;

/** Why this file cannot run here, or null. */
function blocker(tools: readonly string[]): string | null {
  const why = liveTestBlocker(tools);
  if (why !== null) return why;
  const native = loadNative();
  return native.mod === null ? native.why : null;
}

/** Runs `script` (CommonJS, ADDON = the addon's path) with node inside namespace `ns`. */
function nodeIn(ns: string, dir: string, name: string, script: string, args: readonly string[] = [],
  nodeArgs: readonly string[] = []): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const file = join(dir, name);
  writeFileSync(file, `'use strict';\nconst ADDON = ${JSON.stringify(NATIVE_ADDON_PATH)};\n${script}`);
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...nodeArgs, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Captures udp port PORT on lo; sends COUNT datagrams 20 ms apart (every 7th one 1000 bytes, the
// rest 20), blocks the event loop for 300 ms after the 20th, and prints one JSON line per packet
// with the addon's stamp, lengths, the first bytes and the arrival time, then the counters.
const CAPTURE_SCRIPT = String.raw`
const { Capture } = require(ADDON);
const dgram = require('node:dgram');
const [port, count] = process.argv.slice(2).map(Number);
const buf = Buffer.alloc(256), meta = new Float64Array(4);
const got = [];
const cap = new Capture('lo', 'udp and dst port ' + port, 256, 1 << 20, buf, meta, () => {
  const arrival = Date.now();
  got.push({ sec: meta[0], nsec: meta[1], caplen: meta[2], len: meta[3], arrival, bytes: buf.toString('hex', 0, meta[2]) });
}, (m) => { console.error('onError ' + m); process.exit(3); });
const sock = dgram.createSocket('udp4');
let i = 0;
const send = () => {
  const p = Buffer.alloc(i % 7 === 3 ? 1000 : 20);
  p.writeUInt32BE(0x4b41cafe, 0); p.writeUInt32BE(i, 4);
  sock.send(p, port, '127.0.0.1', () => {
    i++;
    if (i === 20) { const until = Date.now() + 300; while (Date.now() < until) { /* the event loop is blocked */ } }
    if (i < count) setTimeout(send, 20);
    else setTimeout(finish, 300);
  });
};
const finish = () => {
  const stats = cap.stats();
  cap.close();
  cap.close();
  sock.close();
  console.log(JSON.stringify({ nanosecond: cap.nanosecond, datalink: cap.datalink, datalinkName: cap.datalinkName, stats, closedStats: cap.stats(), got }));
};
console.log('ready');
setTimeout(send, 50);
`;

test('native addon: kernel timestamps, lengths and bytes match a simultaneous tcpdump capture', { timeout: 60_000 }, async (t) => {
  const why = blocker(['ip', 'tcpdump']);
  if (why !== null) { t.skip(why); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kalive-native-'));
  const ns = createLoopbackNs('native');
  try {
    const pcap = join(dir, 'tcpdump.pcap');
    const dump = spawn('ip', ['netns', 'exec', ns.ns, 'tcpdump', '-n', '-U', '--immediate-mode', '--time-stamp-precision=nano',
      '-Z', 'root', '-s', '256', '-i', 'lo', '-w', pcap, 'udp and dst port', String(PORT)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let dumpErr = '';
    dump.stderr.setEncoding('utf8');
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`tcpdump did not start: ${dumpErr}`)), 10_000);
      dump.stderr.on('data', (s: string) => { dumpErr += s; if (dumpErr.includes('listening on')) { clearTimeout(timer); res(); } });
    });
    const COUNT = 60;
    const r = await nodeIn(ns.ns, dir, 'capture.js', CAPTURE_SCRIPT, [String(PORT), String(COUNT)]);
    const dumpDone = new Promise((res) => dump.once('exit', res));
    dump.kill('SIGINT');
    await dumpDone;
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout.split('\n')[1]) as {
      nanosecond: boolean; datalink: number; datalinkName: string;
      stats: { received: number; dropped: number; ifdropped: number }; closedStats: { received: number; dropped: number };
      got: Array<{ sec: number; nsec: number; caplen: number; len: number; arrival: number; bytes: string }>;
    };
    assert.equal(result.datalink, 1);
    assert.equal(result.datalinkName, 'EN10MB');
    assert.equal(result.got.length, COUNT, 'the addon delivered every datagram');
    assert.equal(result.stats.dropped, 0);
    assert.ok(result.stats.received >= COUNT, `pcap_stats received ${result.stats.received}`);
    assert.deepEqual(result.closedStats, result.stats, 'stats() after close() returns the counts taken at close');

    const theirs: Array<{ ns: bigint; caplen: number; len: number; bytes: string }> = [];
    const info = await readCapture(pcap, {
      packet(_f, _l, sec, nsec, _d, buf, off, caplen, len) {
        theirs.push({ ns: BigInt(sec) * 1_000_000_000n + BigInt(nsec), caplen, len, bytes: buf.toString('hex', off, off + caplen) });
      },
    });
    assert.equal(info.error, null);
    assert.equal(info.tsDigits, 9);
    assert.equal(theirs.length, COUNT, 'tcpdump saw every datagram');

    const diffs: number[] = [];
    const lateness: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const ours = result.got[i];
      const seq = Number.parseInt(ours.bytes.slice((PAYLOAD + 4) * 2, (PAYLOAD + 8) * 2), 16);
      assert.equal(seq, i, 'in order');
      assert.equal(ours.bytes, theirs[i].bytes, `datagram ${i}: same bytes`);
      assert.equal(ours.caplen, theirs[i].caplen);
      assert.equal(ours.len, theirs[i].len);
      assert.equal(ours.len, i % 7 === 3 ? 1042 : 62);
      assert.equal(ours.caplen, Math.min(ours.len, 256));
      assert.ok(Number.isInteger(ours.nsec) && ours.nsec >= 0 && ours.nsec < 1e9);
      const oursNs = BigInt(ours.sec) * 1_000_000_000n + BigInt(ours.nsec);
      diffs.push(Number(oursNs - theirs[i].ns) / 1e3);
      lateness.push(ours.arrival - Number(oursNs / 1_000_000n));
    }
    const absDiffs = diffs.map(Math.abs);
    t.diagnostic(`addon − tcpdump timestamp (µs): median ${median(diffs)}, max |.| ${Math.max(...absDiffs)} over ${COUNT} datagrams ` +
      `(nanosecond precision: ${result.nanosecond})`);
    t.diagnostic(`callback arrival − kernel timestamp (ms): median ${median(lateness)}, max ${Math.max(...lateness)} ` +
      '(what an arrival-time stamp would have been off by; includes the 300 ms blocked loop)');
    for (const d of absDiffs) assert.ok(d <= 1000, `a timestamp differs from tcpdump's by ${d} µs`);
    // The blocked loop delayed the callbacks; the stamps are the kernel's and did not move.
    assert.ok(Math.max(...lateness) >= 250, 'the event loop really was blocked while packets arrived');
  } finally {
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Many datagrams into a small buffer while the event loop is blocked: libpcap must count drops.
const DROP_SCRIPT = String.raw`
const { Capture } = require(ADDON);
const { spawnSync } = require('node:child_process');
const port = Number(process.argv[2]);
const buf = Buffer.alloc(128), meta = new Float64Array(4);
let delivered = 0;
const cap = new Capture('lo', 'udp and dst port ' + port, 128, 64 * 1024, buf, meta, () => { delivered++; }, (m) => { console.error(m); });
// Synchronous: the event loop cannot drain the ring while python sends.
const py = 'import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(20000): s.sendto(b"x" * 200, ("127.0.0.1", ' + port + '))';
const r = spawnSync('python3', ['-c', py]);
if (r.status !== 0) { console.error(String(r.stderr)); process.exit(4); }
setTimeout(() => { const stats = cap.stats(); cap.close(); console.log(JSON.stringify({ delivered, stats })); }, 500);
`;

test('native addon: drops in a full buffer are counted by pcap_stats', { timeout: 60_000 }, async (t) => {
  const why = blocker(['ip', 'python3']);
  if (why !== null) { t.skip(why); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kalive-native-'));
  const ns = createLoopbackNs('ndrop');
  try {
    const r = await nodeIn(ns.ns, dir, 'drop.js', DROP_SCRIPT, [String(PORT)]);
    assert.equal(r.code, 0, r.stderr);
    const { delivered, stats } = JSON.parse(r.stdout) as { delivered: number; stats: { received: number; dropped: number } };
    t.diagnostic(`20000 datagrams sent with the loop blocked: ${delivered} delivered, pcap_stats received ${stats.received}, dropped ${stats.dropped}`);
    assert.ok(stats.dropped > 0, 'drops counted');
    assert.ok(delivered < 20000);
    // On lo the kernel hands the socket each datagram twice (sent and received) and libpcap discards
    // the sent copy, so its counters can reach twice the datagrams.
    assert.ok(delivered + stats.dropped <= stats.received, 'delivered + dropped ≤ received');
    assert.ok(stats.received <= 2 * 20000 + 10);
  } finally {
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

// close() inside the callback stops delivery at once; process.nextTick and promise jobs queued in
// the callback still run (the addon calls back inside a callback scope); the process exits by itself.
const CLOSE_IN_CALLBACK = String.raw`
const { Capture } = require(ADDON);
const dgram = require('node:dgram');
const port = Number(process.argv[2]);
const buf = Buffer.alloc(128), meta = new Float64Array(4);
let delivered = 0, ticks = 0, jobs = 0;
const cap = new Capture('lo', 'udp and dst port ' + port, 128, 1 << 20, buf, meta, () => {
  delivered++;
  process.nextTick(() => { ticks++; });
  Promise.resolve().then(() => { jobs++; });
  if (delivered === 3) cap.close();
}, () => {});
const sock = dgram.createSocket('udp4');
let sent = 0;
const send = () => sock.send('x', port, '127.0.0.1', () => { if (++sent < 10) send(); else { sock.close(); setTimeout(report, 200); } });
const report = () => console.log(JSON.stringify({ delivered, ticks, jobs, stats: cap.stats() }));
send();
`;

test('native addon: close() inside the packet callback, and callbacks run nextTick and promise jobs', { timeout: 30_000 }, async (t) => {
  const why = blocker(['ip']);
  if (why !== null) { t.skip(why); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kalive-native-'));
  const ns = createLoopbackNs('nclose');
  try {
    const r = await nodeIn(ns.ns, dir, 'close.js', CLOSE_IN_CALLBACK, [String(PORT)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const got = JSON.parse(r.stdout) as { delivered: number; ticks: number; jobs: number; stats: { received: number } };
    assert.equal(got.delivered, 3);
    assert.equal(got.ticks, 3);
    assert.equal(got.jobs, 3);
    assert.ok(got.stats.received >= 3);
  } finally {
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Exit paths: closed and garbage-collected; process.exit() with a handle still open; an error thrown
// in onPacket becomes an uncaught exception (exit 1), not a crash.
const EXIT_SCRIPT = String.raw`
const { Capture } = require(ADDON);
const mode = process.argv[2];
const buf = Buffer.alloc(128), meta = new Float64Array(4);
const open = (onPacket) => new Capture('lo', 'udp and dst port 47124', 128, 1 << 20, buf, meta, onPacket || (() => {}), () => {});
if (mode === 'gc') {
  for (let i = 0; i < 20; i++) open().close();
  global.gc();
  setTimeout(() => { global.gc(); console.log('done'); }, 50);
} else if (mode === 'exit-open') {
  open();
  setTimeout(() => { console.log('done'); process.exit(0); }, 50);
} else if (mode === 'throw') {
  open(() => { throw new Error('thrown in onPacket'); });
  require('node:dgram').createSocket('udp4').send('x', 47124, '127.0.0.1');
}
`;

test('native addon: exits cleanly with handles closed and collected, still open, or a throwing callback', { timeout: 30_000 }, async (t) => {
  const why = blocker(['ip']);
  if (why !== null) { t.skip(why); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kalive-native-'));
  const ns = createLoopbackNs('nexit');
  try {
    for (const mode of ['gc', 'exit-open']) {
      const r = await nodeIn(ns.ns, dir, 'exit.js', EXIT_SCRIPT, [mode], ['--expose-gc']);
      assert.equal(r.signal, null, `${mode}: killed by ${r.signal} (${r.stderr})`);
      assert.equal(r.code, 0, `${mode}: ${r.stderr}`);
      assert.equal(r.stdout, 'done\n', mode);
    }
    const thrown = await nodeIn(ns.ns, dir, 'exit.js', EXIT_SCRIPT, ['throw']);
    assert.equal(thrown.signal, null, thrown.stderr);
    assert.equal(thrown.code, 1);
    assert.match(thrown.stderr, /Error: thrown in onPacket/);
  } finally {
    ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('native addon: bad arguments and libpcap errors are thrown with a code', (t) => {
  const native = loadNative();
  if (native.mod === null) { t.skip(native.why); return; }
  const { Capture } = native.mod;
  const buf = Buffer.alloc(64), meta = new Float64Array(4), f = (): void => undefined;
  assert.throws(() => new Capture('lo', 'tcp', 64, 1 << 20, buf, new Float64Array(2), f, f), /meta must be a Float64Array/);
  assert.throws(() => new Capture('lo', 'tcp', 64, 1 << 20, Buffer.alloc(0), meta, f, f), /buf must be a non-empty Buffer/);
  assert.throws(() => new Capture('lo', 'tcp', 64, 1 << 20, buf, meta, f, 1 as unknown as () => void), /must be functions/);
  if (spawnSync('id', ['-u'], { encoding: 'utf8' }).stdout.trim() !== '0') { t.diagnostic('not root: device errors not checked'); return; }
  assert.throws(() => new Capture('kalive-nosuch0', 'tcp', 64, 1 << 20, buf, meta, f, f), { code: 'PCAP_NO_SUCH_DEVICE' });
  assert.throws(() => new Capture('lo', 'tcp and and', 64, 1 << 20, buf, meta, f, f),
    (e: Error & { code?: string }) => e.code === 'PCAP_FILTER' && /syntax error/.test(e.message));
});

const BIN = join(__dirname, '..', '..', '..', 'bin', 'keepalive.js');

/** `keepalive live ARGS` inside `ns`, with its output collected; resolves once it listens. */
async function liveIn(ns: string, args: readonly string[]): Promise<{
  child: ReturnType<typeof spawn>; out: () => string; err: () => string; exited: Promise<number | null>;
}> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, 'live', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => { err += s; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const until = Date.now() + 15_000;
  while (!err.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`live did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, out: () => out, err: () => err, exited };
}

test('keepalive live: libpcap drops reach the final report', { timeout: 60_000 }, async (t) => {
  const why = blocker(['ip', 'python3']);
  if (why !== null) { t.skip(why); return; }
  const ns = createLoopbackNs('ldrop');
  try {
    const live = await liveIn(ns.ns, ['-i', 'lo', '-B', '64', '--format', 'ndjson']);
    // Stopped, the capture cannot drain its 64 KiB ring while 4000 connection attempts to a closed
    // port (SYN and RST each) go by.
    live.child.kill('SIGSTOP');
    const py = 'import socket\nfor i in range(4000):\n  s = socket.socket()\n  try: s.connect(("127.0.0.1", 9))\n  except OSError: pass\n  s.close()';
    const flood = spawnSync('ip', ['netns', 'exec', ns.ns, 'python3', '-c', py], { encoding: 'utf8', timeout: 30_000 });
    live.child.kill('SIGCONT');
    assert.equal(flood.status, 0, flood.stderr);
    await new Promise((r) => setTimeout(r, 500));
    live.child.kill('SIGINT');
    assert.equal(await live.exited, 0, live.err());
    const captureLine = JSON.parse(live.out().split('\n').find((l) => l.startsWith('{"type":"capture"')) ?? '{}') as {
      packets: number; warnings: string[];
    };
    const drop = captureLine.warnings.find((w) => w.startsWith('libpcap dropped'));
    t.diagnostic(`packets ${captureLine.packets}; ${drop ?? 'no drop warning'}`);
    assert.match(drop ?? '', /^libpcap dropped \d+ packets of \d+ received \(the kernel buffer was full: raise -B or narrow -f\)$/);
    assert.ok(captureLine.packets < 8000);
  } finally {
    ns.destroy();
  }
});

test('keepalive live: the interface going away ends the run with one line, the report and exit 2', { timeout: 30_000 }, async (t) => {
  const why = blocker(['ip']);
  if (why !== null) { t.skip(why); return; }
  const ns = createLoopbackNs('lgone');
  try {
    const ip = (...args: string[]): void => {
      const r = spawnSync('ip', ['-n', ns.ns, ...args], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    ip('link', 'add', 'kalive-va', 'type', 'veth', 'peer', 'name', 'kalive-vb');
    ip('link', 'set', 'kalive-va', 'up');
    ip('link', 'set', 'kalive-vb', 'up');
    const live = await liveIn(ns.ns, ['-i', 'kalive-va', '--format', 'ndjson']);
    ip('link', 'del', 'kalive-va');
    assert.equal(await live.exited, 2, live.err());
    const lines = live.err().split('\n').filter((l) => l !== '');
    t.diagnostic(lines[1] ?? '');
    assert.equal(lines.length, 2, live.err());
    assert.match(lines[1], /^keepalive: capture on kalive-va failed: .+$/);
    assert.match(live.out(), /"warnings":\["capture on kalive-va failed: [^"]+"\]/);
    assert.match(live.out(), /\{"type":"summary"/);
  } finally {
    ns.destroy();
  }
});
