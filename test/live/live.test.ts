// Live capture pieces that need no traffic: the pcap writer (read back by the project's reader and
// by capinfos), filters, link types, the clock, the device list, and the CLI's one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCapture } from '../../src/capture/open';
import { loadCap } from '../../src/live/cap-module';
import { ArrivalClock } from '../../src/live/clock';
import { captureFilter, DEFAULT_FILTER } from '../../src/live/filter';
import { interfaceLines } from '../../src/live/interfaces';
import { explainNativeError } from '../../src/live/device';
import { linkTypeFromCap, linkTypeFromDlt } from '../../src/live/link-type';
import { loadNative } from '../../src/live/native-module';
import { PcapWriter } from '../../src/live/pcap-writer';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'keepalive.js');
const LIVE_MISSING_LINE = 'keepalive: live capture needs libpcap: apt-get install libpcap-dev and a C compiler, then npm rebuild\n';
const HIDE_CAP = ['-r', join(__dirname, 'hide-cap.js')];
const HIDE_NATIVE = ['-r', join(__dirname, 'hide-native.js')];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const run = (args: readonly string[], nodeArgs: readonly string[] = []) =>
  spawnSync(process.execPath, [...nodeArgs, BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

test('pcap writer: records read back with their times, lengths, link type and snap length', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kalive-w-'));
  try {
    const file = join(dir, 'out.pcap');
    // A chunk smaller than three records forces flushes in the middle of the run.
    const w = PcapWriter.open(file, 113, 96, 200);
    assert.ok(typeof w !== 'string', String(w));
    const frame = Buffer.alloc(300);
    for (let i = 0; i < frame.length; i++) frame[i] = i & 0xff;
    const times: Array<[number, number]> = [[1700000000, 999999], [1700000001, 0], [1700000001, 123456], [4000000000, 5]];
    for (const [k, [sec, usec]] of times.entries()) w.record(sec, usec, frame, k, 96, 300 - k);
    w.close();
    assert.equal(w.error, null);
    const bytes = readFileSync(file);
    assert.equal(bytes.length, 24 + times.length * (16 + 96));
    assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'µs magic');
    assert.equal(bytes.readUInt32LE(16), 96, 'snaplen');
    assert.equal(bytes.readUInt32LE(20), 113, 'link type');

    const got: Array<{ sec: number; nsec: number; link: number; caplen: number; orig: number; first: number }> = [];
    const info = await readCapture(file, {
      packet(_frame, linkType, sec, nsec, _digits, buf, off, caplen, origLen) {
        got.push({ sec, nsec, link: linkType, caplen, orig: origLen, first: buf[off] });
      },
    });
    assert.equal(info.error, null);
    assert.equal(info.tsDigits, 6);
    assert.deepEqual(got, times.map(([sec, usec], k) => ({ sec, nsec: usec * 1000, link: 113, caplen: 96, orig: 300 - k, first: k })));
    if (has('capinfos')) {
      const ci = spawnSync('capinfos', ['-c', '-E', file], { encoding: 'utf8' });
      assert.match(ci.stdout, /Number of packets:\s+4/);
      assert.match(ci.stdout, /Linux cooked/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pcap writer: nanosecond files (kernel ns stamps) read back to the ns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kalive-w-'));
  try {
    const file = join(dir, 'ns.pcap');
    const w = PcapWriter.open(file, 1, 64, undefined, 9);
    assert.ok(typeof w !== 'string', String(w));
    const frame = Buffer.alloc(64, 7);
    const times: Array<[number, number]> = [[1700000000, 999999999], [1700000001, 1], [1700000001, 123456789]];
    for (const [sec, nsec] of times) w.record(sec, nsec, frame, 0, 64, 64);
    w.close();
    const bytes = readFileSync(file);
    assert.equal(bytes.readUInt32LE(0), 0xa1b23c4d, 'ns magic');
    const got: Array<[number, number]> = [];
    const info = await readCapture(file, { packet(_f, _l, sec, nsec) { got.push([sec, nsec]); } });
    assert.equal(info.error, null);
    assert.equal(info.tsDigits, 9);
    assert.deepEqual(got, times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pcap writer: an unwritable path is one line of text', () => {
  const w = PcapWriter.open('/nonexistent-dir/x.pcap', 1, 256);
  assert.equal(w, 'cannot write /nonexistent-dir/x.pcap: ENOENT');
});

test('capture filter: the user expression narrows the default', () => {
  assert.equal(captureFilter(undefined), DEFAULT_FILTER);
  assert.equal(captureFilter('  '), DEFAULT_FILTER);
  assert.equal(captureFilter('port 22 or port 443'), `(${DEFAULT_FILTER}) and (port 22 or port 443)`);
});

test('capture filter: the default compiles for Ethernet and cooked (SLL, SLL2) devices', (t) => {
  if (!isRoot || !has('tcpdump')) { t.skip('needs root and tcpdump to compile BPF'); return; }
  for (const [dlt, iface] of [['EN10MB', 'lo'], ['LINUX_SLL', 'any'], ['LINUX_SLL2', 'any']] as const) {
    const r = spawnSync('tcpdump', ['-d', '-y', dlt, '-i', iface, DEFAULT_FILTER], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${dlt}: ${r.stderr}`);
    assert.match(r.stdout, /ret/);
  }
});

test('link types: cap names become LINKTYPE numbers', () => {
  assert.equal(linkTypeFromCap('ETHERNET'), 1);
  assert.equal(linkTypeFromCap('LINKTYPE_LINUX_SLL'), 113);
  assert.equal(linkTypeFromCap('RAW'), 101);
  assert.equal(linkTypeFromCap('NULL'), 0);
  assert.equal(linkTypeFromCap('Unknown linktype 276'), 276);
  // DLT 12 is raw IP on some systems and LINKTYPE 12 is something else: refuse to guess.
  assert.equal(linkTypeFromCap('Unknown linktype 12'), null);
  assert.equal(linkTypeFromCap('whatever'), null);
});

test('arrival clock: whole microseconds close to the wall clock, never going back', () => {
  const c = new ArrivalClock();
  let prev = 0;
  for (let i = 0; i < 2000; i++) {
    const before = Date.now();
    c.stamp();
    const after = Date.now();
    const ms = c.sec * 1000 + c.nsec / 1e6;
    assert.equal(c.nsec % 1000, 0);
    assert.ok(c.nsec >= 0 && c.nsec < 1e9);
    // Date.now() truncates to the ms; the calibration may be off by a preempted read.
    assert.ok(ms >= before - 2 && ms <= after + 2, `stamp ${ms} outside [${before}, ${after}]`);
    const us = c.sec * 1e6 + c.nsec / 1000;
    assert.ok(us >= prev);
    prev = us;
  }
});

test('interfaces: numbered like tcpdump -D, with addresses', () => {
  const text = interfaceLines([
    { name: 'eth0', addresses: [{ addr: '192.0.2.1', netmask: '255.255.255.0' }, { addr: 'fe80::1' }] },
    { name: 'any', description: 'Pseudo-device that captures on all interfaces', addresses: [] },
    { name: 'lo', addresses: [], flags: 'PCAP_IF_LOOPBACK' },
  ]);
  assert.equal(text, '1.eth0\n    192.0.2.1 netmask 255.255.255.0\n    fe80::1\n' +
    '2.any [Pseudo-device that captures on all interfaces]\n3.lo [loopback]\n');
});

test('without cap or the native addon: live and interfaces print one line and exit 2', () => {
  const live = run(['live', '-i', 'lo'], [...HIDE_CAP, ...HIDE_NATIVE]);
  assert.equal(live.status, 2, live.stderr);
  assert.equal(live.stderr, LIVE_MISSING_LINE);
  assert.equal(live.stdout, '');
  const ifaces = run(['interfaces'], [...HIDE_CAP, ...HIDE_NATIVE]);
  assert.equal(ifaces.status, 2, ifaces.stderr);
  assert.equal(ifaces.stderr, LIVE_MISSING_LINE);
  assert.equal(ifaces.stdout, '');
});

test('interfaces: the addon and cap list the same devices, and the command works with either', (t) => {
  const native = loadNative().mod;
  const cap = loadCap();
  if (native === null || cap === null) { t.skip(native === null ? loadNative().why : "the 'cap' module is not built"); return; }
  const ours = native.devices();
  assert.ok(ours.some((d) => d.name === 'lo' && d.flags === 'PCAP_IF_LOOPBACK' && d.addresses.some((a) => a.addr === '127.0.0.1')));
  assert.deepEqual(ours, cap.Cap.deviceList());
  const viaNative = run(['interfaces'], HIDE_CAP);
  const viaCap = run(['interfaces'], HIDE_NATIVE);
  assert.equal(viaNative.status, 0, viaNative.stderr);
  assert.equal(viaCap.status, 0, viaCap.stderr);
  assert.match(viaNative.stdout, /^\d+\.lo \[loopback\]\n    127\.0\.0\.1 netmask 255\.0\.0\.0$/m);
  assert.equal(viaNative.stdout, viaCap.stdout);
});

test('without the native addon, live falls back to cap and says so', (t) => {
  if (loadCap() === null) { t.skip("the 'cap' module is not built"); return; }
  if (!isRoot) { t.skip('opening a device needs root'); return; }
  const r = run(['live', '-i', 'lo', '--duration', '0.5'], HIDE_NATIVE);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, 'keepalive: listening on lo (ethernet), snaplen 256, arrival-time stamps (µs) from cap: the native addon is not built\n');
  assert.match(r.stdout, /^live:lo: ethernet, \d+ packets? in .* \(arrival-time stamps, µs\)$/m);
});

test('with the native addon, live uses kernel timestamps and reports libpcap drops', (t) => {
  const why = loadNative().why;
  if (why !== '') { t.skip(why); return; }
  if (!isRoot) { t.skip('opening a device needs root'); return; }
  const r = run(['live', '-i', 'lo', '--duration', '0.5']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^keepalive: listening on lo \(ethernet\), snaplen 256, kernel timestamps \((ns|µs)\)\n$/);
  assert.match(r.stdout, /^live:lo: ethernet, \d+ packets? in .* \(kernel timestamps, (ns|µs); libpcap dropped \d+\)$/m);
});

test('file analysis never loads cap or the native addon', () => {
  const r = run(['analyze', '--format', 'json', join(ROOT, 'fixtures', 'public', 'hislip.pcap')], [...HIDE_CAP, ...HIDE_NATIVE]);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('link types: libpcap DLT numbers become LINKTYPE numbers', () => {
  assert.equal(linkTypeFromDlt(1, 'EN10MB'), 1);
  assert.equal(linkTypeFromDlt(113, 'LINUX_SLL'), 113);
  assert.equal(linkTypeFromDlt(276, 'LINUX_SLL2'), 276);
  assert.equal(linkTypeFromDlt(12, 'RAW'), 101);
  assert.equal(linkTypeFromDlt(14, 'RAW'), 101);
  assert.equal(linkTypeFromDlt(0, 'NULL'), 0);
  assert.equal(linkTypeFromDlt(50, 'PPP_SERIAL'), null);
});

test('native addon errors: each libpcap failure is one line naming what to fix', () => {
  const err = (code: string | undefined, message: string): Error & { code?: string } => Object.assign(new Error(message), { code });
  assert.equal(explainNativeError('eth9', undefined, err('PCAP_NO_SUCH_DEVICE', 'No such device exists')),
    "no such interface 'eth9' (keepalive interfaces lists them)");
  assert.equal(explainNativeError('lo', 'port x', err('PCAP_FILTER', 'illegal port number')),
    "bad capture filter 'port x': illegal port number");
  assert.equal(explainNativeError('lo', undefined, err('PCAP_FILTER', 'syntax error')),
    'the default capture filter does not compile on lo: syntax error');
  assert.match(explainNativeError('lo', undefined, err('PCAP_PERM_DENIED', 'socket: Operation not permitted')),
    /^no permission to capture on lo \(.*\): socket: Operation not permitted$/);
  assert.equal(explainNativeError('lo', undefined, err('PCAP_ERROR', 'something else')), 'cannot capture on lo: something else');
});

test('live: unknown interface, bad filter, no permission are one line each, exit 2, with either source', (t) => {
  const sources: Array<[string, string[]]> = [];
  if (loadNative().mod !== null) sources.push(['native addon', []]);
  if (loadCap() !== null) sources.push(['cap', HIDE_NATIVE]);
  if (sources.length === 0) { t.skip('neither cap nor the native addon is built'); return; }
  for (const [name, preload] of sources) {
    const unknown = run(['live', '-i', 'kalive-nosuch0'], preload);
    assert.equal(unknown.status, 2, name);
    assert.equal(unknown.stderr, "keepalive: no such interface 'kalive-nosuch0' (keepalive interfaces lists them)\n", name);
    if (!isRoot) { t.diagnostic(`${name}: opening a device needs root`); continue; }
    const bad = run(['live', '-i', 'lo', '-f', 'tcp and and'], preload);
    assert.equal(bad.status, 2, `${name}: ${bad.stderr}`);
    assert.match(bad.stderr, /^keepalive: bad capture filter 'tcp and and': .*syntax error\n$/, name);
    if (!has('setpriv')) { t.diagnostic('needs setpriv to drop the capture capabilities'); continue; }
    // Root without CAP_NET_RAW/CAP_NET_ADMIN, not another user: another user may not be able to
    // read the checkout (a 0700 home or mktemp -d), and would fail to load the command instead.
    const r = spawnSync('setpriv', ['--bounding-set=-net_raw,-net_admin', '--', process.execPath, ...preload, BIN, 'live', '-i', 'lo'],
      { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /^keepalive: no permission to capture on lo \(.*\): .*\n$/, name);
  }
});
