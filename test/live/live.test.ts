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
import { linkTypeFromCap } from '../../src/live/link-type';
import { PcapWriter } from '../../src/live/pcap-writer';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'keepalive.js');
const CAP_MISSING_LINE =
  "keepalive: live capture needs the 'cap' module built against libpcap: apt-get install libpcap-dev, then npm rebuild cap\n";
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

test('without cap: live and interfaces print one line and exit 2', () => {
  const hide = join(__dirname, 'hide-cap.js');
  for (const args of [['live', '-i', 'lo'], ['interfaces']]) {
    const r = run(args, ['-r', hide]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, CAP_MISSING_LINE);
    assert.equal(r.stdout, '');
  }
});

test('file analysis never loads cap', () => {
  const hide = join(__dirname, 'hide-cap.js');
  const r = run(['analyze', '--format', 'json', join(ROOT, 'fixtures', 'public', 'hislip.pcap')], ['-r', hide]);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('live: unknown interface, bad filter, no permission are one line each, exit 2', (t) => {
  if (loadCap() === null) { t.skip("the 'cap' module is not built"); return; }
  const unknown = run(['live', '-i', 'kalive-nosuch0']);
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stderr, "keepalive: no such interface 'kalive-nosuch0' (keepalive interfaces lists them)\n");
  if (!isRoot) { t.skip('opening a device needs root'); return; }
  const bad = run(['live', '-i', 'lo', '-f', 'tcp and and']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /^keepalive: bad capture filter 'tcp and and': .*syntax error\n$/);
  if (!has('setpriv')) { t.skip('needs setpriv to drop root'); return; }
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'live', '-i', 'lo'],
    { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^keepalive: no permission to capture on lo \(.*\): .*\n$/);
});
