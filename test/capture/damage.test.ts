// Untrusted input: every kind of damage ends the read with one line naming the file, the place
// and the bad value, and keeps what was delivered before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { gzip, ngBlock, patternBytes, pcapFile, pcapngFile, type PcapRecord, tempDir } from '../support/capture-files';
import { readBytes, readFile, tmpFile } from './read-helpers';

const recs: PcapRecord[] = [1, 2, 3, 4].map((i) => ({ sec: 100 + i, frac: i, data: patternBytes(50 + i, i) }));
const good = pcapFile(recs);
// Byte offset of record i (0-based) in `good`.
const recAt = (i: number): number => 24 + recs.slice(0, i).reduce((s, r) => s + 16 + r.data.length, 0);

const ngGood = pcapngFile([{ blocks: [
  { kind: 'idb', linkType: 1 },
  ...[1, 2, 3].map((i) => ({ kind: 'epb' as const, iface: 0, ts: BigInt(i), data: patternBytes(40 + i, i) })),
] }]);
// Offsets of the SHB (0), IDB, and EPBs, found by walking the (little-endian) block lengths.
const ngAt: number[] = [];
for (let p = 0; p < ngGood.length; p += ngGood.readUInt32LE(p + 4)) ngAt.push(p);

function assertFails(info: { error: string | null; file: string }, re: RegExp): void {
  assert.ok(info.error !== null, 'expected an error');
  assert.ok(!info.error.includes('\n'), `error must be one line: ${info.error}`);
  assert.ok(info.error.startsWith(`${info.file}: `), `error must name the file: ${info.error}`);
  assert.match(info.error, re);
}

test('empty file, too short, unknown magic, text', async () => {
  assertFails((await readBytes(Buffer.alloc(0))).info, /empty file/);
  assertFails((await readBytes(Buffer.from([0xd4, 0xc3]))).info, /too short to be a capture file \(2 bytes\)/);
  const bin = await readBytes(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 0, 0, 0, 0]));
  assertFails(bin.info, /unknown magic 0xdeadbeef at byte 0/);
  assert.equal(bin.info.format, null);
  assertFails((await readBytes(Buffer.from('# notes\nnot a capture\n'))).info, /unknown magic 0x23206e6f.*looks like text/);
});

test('missing file, directory, unreadable file', async (t) => {
  const dir = tempDir('keepalive-capture-dir-');
  assertFails((await readFile(path.join(dir, 'nope.pcap'))).info, /cannot open: no such file/);
  assertFails((await readFile(dir)).info, /is a directory/);
  const f = tmpFile(good, 'locked.pcap');
  fs.chmodSync(f, 0);
  if (process.getuid?.() !== 0) {
    assertFails((await readFile(f)).info, /cannot open: permission denied/);
    return;
  }
  // Root reads a mode-000 file anyway: read it from a child that is root without the capabilities
  // that bypass file permissions. (Not another user: one may not be able to read the checkout.)
  if (spawnSync('sh', ['-c', 'command -v setpriv'], { stdio: 'ignore' }).status !== 0) { t.skip('setpriv not found: cannot drop CAP_DAC_OVERRIDE'); return; }
  const reader = path.join(__dirname, '..', '..', 'src', 'capture', 'open.js');
  const script = `require(${JSON.stringify(reader)}).readCapture(${JSON.stringify(f)}, { packet() {} }).then((i) => console.log(i.error))`;
  const child = spawnSync('setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /cannot open: permission denied/);
});

test('pcap truncated inside the file header, a record header, a record body', async () => {
  assertFails((await readBytes(good.subarray(0, 10))).info, /truncated file header: 10 of 24 bytes/);
  const hdr = await readBytes(good.subarray(0, recAt(2) + 7));
  assertFails(hdr.info, new RegExp(`truncated record header at byte ${recAt(2)} \\(frame 3\\): 7 of 16 bytes`));
  assert.equal(hdr.records.length, 2);
  assert.equal(hdr.info.packets, 2);
  const body = await readBytes(good.subarray(0, recAt(2) + 16 + 5));
  assertFails(body.info, new RegExp(`truncated record at byte ${recAt(2)} \\(frame 3\\): 5 of 53 captured bytes`));
  assert.deepEqual(body.records.map((r) => r.data), recs.slice(0, 2).map((r) => r.data));
});

test('pcap record claiming more than 256 KiB stops the read there without buffering it', async () => {
  const bad = Buffer.from(good);
  bad.writeUInt32LE(0xfffffff0, recAt(1) + 8);
  const { info, records } = await readBytes(bad);
  assertFails(info, new RegExp(`record header at byte ${recAt(1)} \\(frame 2\\) claims captured length 4294967280, more than the limit 262144`));
  assert.equal(records.length, 1);
  assert.deepEqual(records[0].data, recs[0].data);
});

test('pcapng truncated inside a block header and inside a block', async () => {
  const h = await readBytes(ngGood.subarray(0, ngAt[3] + 6));
  assertFails(h.info, new RegExp(`truncated block header at byte ${ngAt[3]} \\(after frame 1\\): 6 of 12 bytes`));
  assert.equal(h.records.length, 1);
  const b = await readBytes(ngGood.subarray(0, ngAt[3] + 20));
  assertFails(b.info, new RegExp(`truncated enhanced packet block at byte ${ngAt[3]} \\(after frame 1\\): 20 of \\d+ bytes`));
  assert.equal(b.records.length, 1);
});

test('pcapng absurd block lengths and a trailing length that disagrees', async () => {
  const withLen = (at: number, len: number): Buffer => { const b = Buffer.from(ngGood); b.writeUInt32LE(len, at + 4); return b; };
  assertFails((await readBytes(withLen(ngAt[2], 8))).info, new RegExp(`enhanced packet block at byte ${ngAt[2]} .*has length 8, less than the minimum 32`));
  assertFails((await readBytes(withLen(ngAt[2], 70))).info, /has length 70, not a multiple of 4/);
  const huge = await readBytes(withLen(ngAt[2], 0x40000000));
  assertFails(huge.info, /has length 1073741824, more than the limit 16777216/);
  assert.equal(huge.records.length, 0);
  const trailer = Buffer.from(ngGood);
  const len = trailer.readUInt32LE(ngAt[3] + 4);
  trailer.writeUInt32LE(len + 4, ngAt[3] + len - 4);
  const t = await readBytes(trailer);
  assertFails(t.info, new RegExp(`enhanced packet block at byte ${ngAt[3]} \\(after frame 1\\) has length ${len} but its trailing copy says ${len + 4}`));
  assert.equal(t.records.length, 1);
});

test('pcapng packet on an interface never described stops the read (as libpcap and Wireshark do)', async () => {
  const bad = Buffer.from(ngGood);
  bad.writeUInt32LE(3, ngAt[4] + 8);
  const { info, records } = await readBytes(bad);
  assertFails(info, new RegExp(`enhanced packet block at byte ${ngAt[4]} \\(frame 3\\) names interface 3, but section 1 describes only 1`));
  assert.equal(records.length, 2);
  const spbOnly = pcapngFile([{ blocks: [{ kind: 'spb', data: patternBytes(10, 1) }] }]);
  assertFails((await readBytes(spbOnly)).info, /simple packet block .* names interface 0, but section 1 describes only 0/);
});

test('pcapng packet lengths: above 256 KiB, or not fitting in the block', async () => {
  const big = Buffer.from(ngGood);
  big.writeUInt32LE(300000, ngAt[2] + 20);
  assertFails((await readBytes(big)).info, new RegExp(`packet block at byte ${ngAt[2]} \\(frame 1\\) claims captured length 300000, more than the limit 262144`));
  const over = Buffer.from(ngGood);
  over.writeUInt32LE(200, ngAt[3] + 20);
  const o = await readBytes(over);
  assertFails(o.info, /enhanced packet block at byte \d+ \(frame 2\) claims captured length 200, which does not fit in its 76-byte block/);
  assert.equal(o.records.length, 1);
});

test('pcapng section header: bad byte-order magic, unsupported version', async () => {
  const bom = Buffer.from(ngGood);
  bom.writeUInt32LE(0x12345678, 8);
  assertFails((await readBytes(bom)).info, /section header block at byte 0 has byte-order magic 0x78563412/);
  const v2 = pcapngFile([{ major: 2, blocks: [{ kind: 'idb', linkType: 1 }] }]);
  assertFails((await readBytes(v2)).info, /section header block at byte 0 has version 2\.0; only pcapng 1\.x/);
  // A damaged second section after good packets keeps them.
  const two = Buffer.concat([ngGood, ngBlock(0x0a0d0d0a, Buffer.from([1, 2, 3, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))]);
  const r = await readBytes(two);
  assertFails(r.info, new RegExp(`section header block at byte ${ngGood.length} has byte-order magic`));
  assert.equal(r.records.length, 3);
});

test('gzip: corrupt and truncated compressed data end the read with a gzip message', async () => {
  const big = pcapFile(Array.from({ length: 3000 }, (_, i) => ({ sec: i, frac: 0, data: patternBytes(200, i) })));
  const z = gzip(big);
  const cut = await readBytes(z.subarray(0, Math.floor(z.length * 0.6)));
  assert.equal(cut.info.gzip, true);
  assertFails(cut.info, /truncated gzip data/);
  // Every record that the surviving compressed prefix holds in full is delivered.
  const prefix = zlib.gunzipSync(z.subarray(0, Math.floor(z.length * 0.6)), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  assert.equal(cut.records.length, Math.floor((prefix.length - 24) / 216));
  cut.records.forEach((r, i) => assert.deepEqual(r.data, patternBytes(200, i)));
  // A bad CRC is only seen at the end, after every record was delivered.
  const crc = Buffer.from(z);
  crc[crc.length - 8] ^= 0xff;
  const c = await readBytes(crc);
  assertFails(c.info, /corrupt gzip data: gzip member 1's data has CRC-32/);
  assert.equal(c.records.length, 3000);
  // Garbled deflate data either fails in zlib or decompresses to garbage the pcap reader rejects.
  const corrupt = Buffer.from(z);
  for (let i = 2000; i < 2100; i++) corrupt[i] ^= 0x5a;
  const g = await readBytes(corrupt);
  assertFails(g.info, /gzip data|the file is damaged|truncated/);
  assert.ok(g.records.length < 3000);
  // Garbage that merely starts with the gzip magic.
  assertFails((await readBytes(Buffer.from([0x1f, 0x8b, 0, 0, 1, 2, 3, 4, 5]))).info, /gzip/);
});

test('damage inside a gzip-compressed capture is reported like in a plain one', async () => {
  const { info, records } = await readBytes(gzip(good.subarray(0, recAt(3) + 3)));
  assertFails(info, new RegExp(`truncated record header at byte ${recAt(3)} \\(frame 4\\): 3 of 16 bytes`));
  assert.equal(records.length, 3);
});
