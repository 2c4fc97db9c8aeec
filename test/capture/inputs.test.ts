// Every input path (plain file, gzip, standard input, any buffer size) delivers the same records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { readCapture } from '../../src/capture/open';
import { gzip, patternBytes, pcapFile, pcapngFile, type RecordedPacket } from '../support/capture-files';
import { readBytes, readFile, tmpFile } from './read-helpers';

const pcap = pcapFile(Array.from({ length: 500 }, (_, i) => ({ sec: 1000 + i, frac: (i * 7919) % 1_000_000, data: patternBytes((i * 37) % 1600, i) })), { le: false });
const pcapng = pcapngFile([
  { blocks: [
    // An interface with a 20 000-byte comment option: larger than the small buffers below.
    { kind: 'idb', linkType: 1, options: [{ code: 1, value: Buffer.alloc(20000, 0x41) }] },
    { kind: 'idb', linkType: 101, tsresol: 9 },
    ...Array.from({ length: 300 }, (_, i) => ({ kind: 'epb' as const, iface: i % 2, ts: 1_700_000_000_000_000n + BigInt(i) * 12345n, data: patternBytes((i * 53) % 1500, i) })),
  ] },
  { le: false, blocks: [{ kind: 'idb', linkType: 113 }, ...Array.from({ length: 50 }, (_, i) => ({ kind: 'spb' as const, data: patternBytes(i, i) }))] },
]);

function digest(records: readonly RecordedPacket[]): string {
  const h = crypto.createHash('sha256');
  for (const r of records) h.update(`${r.frame} ${r.linkType} ${r.sec} ${r.nsec} ${r.tsDigits} ${r.origLen} `).update(r.data);
  return h.digest('hex');
}

for (const [name, data] of [['pcap', pcap], ['pcapng', pcapng]] as const) {
  test(`${name}: gzip and every buffer size give the same records as the plain file`, async () => {
    const plain = await readBytes(data);
    assert.equal(plain.info.error, null);
    assert.equal(plain.records.length, name === 'pcap' ? 500 : 350);
    assert.equal(plain.info.bytesRead, data.length);
    const want = digest(plain.records);
    const z = await readBytes(gzip(data));
    assert.equal(z.info.error, null);
    assert.equal(z.info.gzip, true);
    assert.equal(z.info.bytesRead, data.length);
    assert.equal(digest(z.records), want);
    const file = tmpFile(data);
    for (const size of [16, 37, 1000, 65536]) {
      const r = await readFile(file, size);
      assert.equal(r.info.error, null, `buffer ${size}`);
      assert.equal(digest(r.records), want, `buffer ${size}`);
    }
    // Truncated anywhere: same records and same error whatever the buffer size.
    for (const cut of [data.length - 1, Math.floor(data.length / 2), 30]) {
      const f = tmpFile(data.subarray(0, cut));
      const big = await readFile(f);
      assert.notEqual(big.info.error, null);
      for (const size of [16, 333]) {
        const small = await readFile(f, size);
        assert.equal(small.info.error, big.info.error, `cut ${cut} buffer ${size}`);
        assert.equal(digest(small.records), digest(big.records));
      }
    }
  });
}

test('standard input (`-`), plain and gzip, gives the same records as the file', async () => {
  const openJs = path.join(__dirname, '../../src/capture/open.js');
  // A child process reads `-` and prints what it got; the parent compares with its own file read.
  const script = `
    const crypto = require('node:crypto');
    const { readCapture } = require(${JSON.stringify(openJs)});
    const h = crypto.createHash('sha256');
    const sink = { packet(f, l, s, ns, d, b, o, c, ol) { h.update(f + ' ' + l + ' ' + s + ' ' + ns + ' ' + d + ' ' + ol + ' ').update(b.subarray(o, o + c)); } };
    readCapture('-', sink).then((info) => console.log(JSON.stringify({ info, digest: h.digest('hex') })));`;
  for (const [name, data] of [['pcap', pcap], ['pcapng', pcapng]] as const) {
    const want = digest((await readBytes(data)).records);
    for (const input of [data, gzip(data)]) {
      const r = spawnSync(process.execPath, ['-e', script], { input, encoding: 'utf8', maxBuffer: 1 << 20 });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { info: { error: string | null; file: string; gzip: boolean; packets: number }; digest: string };
      assert.equal(out.info.error, null, name);
      assert.equal(out.info.file, '-');
      assert.equal(out.info.gzip, input !== data);
      assert.equal(out.digest, want, `${name} via stdin${input !== data ? ' (gzip)' : ''}`);
    }
  }
});

test('progress is reported at most ~4 times a second, with growing byte counts and a final total', async () => {
  const data = pcapFile(Array.from({ length: 20000 }, (_, i) => ({ sec: i, frac: 0, data: patternBytes(1000, i) })));
  const file = tmpFile(data);
  const calls: Array<[number, number | null, number]> = [];
  let slow = 0;
  // A sink slow enough to make the read take a second or so.
  const sink = { packet(): void { const until = Date.now() + (slow++ % 200 === 0 ? 10 : 0); while (Date.now() < until) { /* spin */ } } };
  const t0 = Date.now();
  const info = await readCapture(file, sink, { onProgress: (b, total, n) => calls.push([b, total, n]), bufferSize: 64 * 1024 });
  const elapsed = Date.now() - t0;
  assert.equal(info.error, null);
  assert.ok(calls.length >= 2, `${calls.length} calls in ${elapsed} ms`);
  assert.ok(calls.length <= Math.ceil(elapsed / 250) + 2, `${calls.length} calls in ${elapsed} ms`);
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i][0] >= calls[i - 1][0] && calls[i][2] >= calls[i - 1][2]);
  assert.deepEqual(calls[calls.length - 1], [data.length, data.length, 20000]);
});

test('progress is checked every few thousand records, not only per buffer, so a slow sink still sees it', async () => {
  // 20 000 small records fit in one buffer; the sink stalls 300 ms every 4096 records, so every
  // slice of records the reader parses between time checks contains a stall.
  const data = pcapFile(Array.from({ length: 20000 }, (_, i) => ({ sec: i, frac: 0, data: patternBytes(44, i % 7) })));
  const file = tmpFile(data);
  let n = 0;
  const sink = { packet(): void { if (++n % 4096 === 0) { const until = Date.now() + 300; while (Date.now() < until) { /* spin */ } } } };
  const calls: number[] = [];
  const info = await readCapture(file, sink, { onProgress: (_b, _t, k) => calls.push(k) });
  assert.equal(info.error, null);
  // Checks after records 8192 and 16384 (the reader's slices), then the final call.
  assert.ok(calls.length >= 3, `progress calls after records ${calls.join(', ')}`);
  assert.ok(calls[0] < 20000, `progress calls after records ${calls.join(', ')}`);
});
