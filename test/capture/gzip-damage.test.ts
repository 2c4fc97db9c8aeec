// gzip damage and padding: everything that decompressed before the damage is delivered, then one
// error line naming the file; zero padding between and after members is skipped. Every file is
// built here, so the expected packet counts follow from what was written before the damage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { patternBytes, pcapHeader, pcapRecord } from '../support/capture-files';
import { readBytes, readFile, tmpFile } from './read-helpers';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'keepalive.js');
const RECORD_BYTES = 200;
const record = (i: number): Buffer => pcapRecord({ sec: 1000 + i, frac: i, data: patternBytes(RECORD_BYTES, i) });

/** `groups` groups of `per` records; group 0 starts with the pcap header. */
function groups(count: number, per: number): Buffer[] {
  return Array.from({ length: count }, (_, g) =>
    Buffer.concat([...(g === 0 ? [pcapHeader()] : []), ...Array.from({ length: per }, (_, i) => record(g * per + i))]));
}

const gzipHeader = (): Buffer => Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
function trailer(data: Buffer): Buffer {
  const t = Buffer.alloc(8);
  t.writeUInt32LE(zlib.crc32(data), 0);
  t.writeUInt32LE(data.length % 2 ** 32, 4);
  return t;
}

/**
 * One gzip member whose deflate data is one independent block run per group, each ended by a full
 * flush: no back-reference crosses a group, and each group's data starts on a byte. Returns the
 * member and the offset of each group's compressed data in it.
 */
function flushedMember(parts: readonly Buffer[]): { member: Buffer; at: number[] } {
  const pieces = [gzipHeader()];
  const at: number[] = [];
  let off = pieces[0].length;
  for (const p of parts) {
    const d = zlib.deflateRawSync(p, { finishFlush: zlib.constants.Z_FULL_FLUSH });
    at.push(off);
    pieces.push(d);
    off += d.length;
  }
  pieces.push(zlib.deflateRawSync(Buffer.alloc(0)), trailer(Buffer.concat(parts)));
  return { member: Buffer.concat(pieces), at };
}

function assertDelivered(records: { data: Buffer }[], n: number): void {
  assert.equal(records.length, n);
  records.forEach((r, i) => assert.deepEqual(r.data, patternBytes(RECORD_BYTES, i), `record ${i}`));
}

function assertOneLine(error: string | null, file: string, re: RegExp): void {
  assert.ok(error !== null, 'expected an error');
  assert.ok(!error.includes('\n'), error);
  assert.ok(error.startsWith(`${file}: `), error);
  assert.match(error, re);
}

test('gzip: a flipped CRC delivers every packet of the member, then names the damage', async () => {
  for (const n of [15, 500]) {
    const data = Buffer.concat(groups(1, n));
    const z = zlib.gzipSync(data);
    z[z.length - 8] ^= 0xff;
    const { info, records } = await readBytes(z);
    assertDelivered(records, n);
    assertOneLine(info.error, info.file, /corrupt gzip data: gzip member 1's data has CRC-32 0x[0-9a-f]{8}, its trailer .* says/);
  }
});

test('gzip: a broken second member header keeps the whole first member', async () => {
  const [a, b] = groups(2, 40);
  const second = zlib.gzipSync(b);
  for (const [what, damage, re] of [
    ['method', (m: Buffer) => { m[2] = 7; }, /gzip member 2 at compressed byte \d+ names compression method 7/],
    ['magic', (m: Buffer) => { m[1] = 0x8c; }, /compressed byte \d+ \(0x1f\) starts neither another member nor zero padding/],
    ['reserved flags', (m: Buffer) => { m[3] = 0x80; }, /gzip member 2 .* reserved header flags/],
  ] as const) {
    const bad = Buffer.from(second);
    damage(bad);
    const { info, records } = await readBytes(Buffer.concat([zlib.gzipSync(a), bad]));
    assertDelivered(records, 40);
    assertOneLine(info.error, info.file, re);
    assert.ok(info.error?.includes('after frame 40'), `${what}: ${info.error}`);
  }
});

test('gzip: a corrupt block delivers every packet of the blocks before it, from a file', async () => {
  const parts = groups(8, 25);
  const { member, at } = flushedMember(parts);
  for (const k of [1, 4, 7]) {
    const bad = Buffer.from(member);
    bad[at[k]] = 0x06; // BFINAL 0, BTYPE 3: a reserved block type, invalid right where group k starts
    const { info, records } = await readBytes(bad);
    assertDelivered(records, 25 * k);
    assertOneLine(info.error, info.file, /corrupt gzip data \(invalid block type\)/);
    // Standard input cannot be read again; the member's bytes kept in memory serve instead.
    const r = spawnSync(process.execPath, [BIN, 'analyze', '--format', 'json', '-'], { input: bad, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { captures: { packets: number }[] }).captures[0].packets, 25 * k);
    assert.match(r.stderr, /^keepalive: -: corrupt gzip data \(invalid block type\).*\n$/);
  }
  // The same member undamaged reads whole (the construction itself is valid gzip).
  const whole = await readBytes(member);
  assert.equal(whole.info.error, null);
  assertDelivered(whole.records, 200);
});

test('gzip: zero padding between and after members is skipped; other trailing bytes are damage', async () => {
  const [a, b, c] = groups(3, 30);
  const za = zlib.gzipSync(a), zb = zlib.gzipSync(b), zc = zlib.gzipSync(c);
  const padded = Buffer.concat([za, Buffer.alloc(512), zb, Buffer.alloc(3), zc, Buffer.alloc(10_000)]);
  const p = await readBytes(padded);
  assert.equal(p.info.error, null);
  assert.equal(p.info.warnings.length, 0);
  assertDelivered(p.records, 90);
  // zlib's own gunzip stops at the first zero byte: without the padding rule only member 1 would count.
  assert.equal(zlib.gunzipSync(padded).length, a.length);

  const garbage = await readBytes(Buffer.concat([za, zb, Buffer.alloc(7), Buffer.from('junk')]));
  assertDelivered(garbage.records, 60);
  assertOneLine(garbage.info.error, garbage.info.file, /after gzip member 2, compressed byte \d+ \(0x6a\) starts neither another member nor zero padding/);

  const cutTrailer = await readBytes(Buffer.concat([za, zb.subarray(0, zb.length - 3)]));
  assertDelivered(cutTrailer.records, 60);
  assertOneLine(cutTrailer.info.error, cutTrailer.info.file, /truncated gzip data: the input ends inside gzip member 2's 8-byte trailer/);
});

test('gzip damage through the command: report of what was read, one stderr line naming the file, exit 2', () => {
  const data = Buffer.concat(groups(1, 15));
  const z = zlib.gzipSync(data);
  z[z.length - 8] ^= 0xff;
  const file = tmpFile(z, 'crc.pcap.gz');
  const r = spawnSync(process.execPath, [BIN, 'analyze', '--format', 'json', '--all-flows', file], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0].startsWith(`keepalive: ${file}: corrupt gzip data`), lines[0]);
  const report = JSON.parse(r.stdout) as { captures: { packets: number; error: string }[] };
  assert.equal(report.captures[0].packets, 15);
  // and readFile on the same path agrees
  return readFile(file).then(({ records }) => assert.equal(records.length, 15));
});
