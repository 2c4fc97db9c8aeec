// The pcap-parser adapter must deliver exactly what our reader delivers on classic pcap, including
// the cases pcap-parser gets wrong on its own (nanosecond magic, bad version, absurd lengths).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCapture } from '../../src/capture/open';
import { readCaptureWithPcapParser } from '../../bench/pcap-parser-reader';
import type { CaptureInfo } from '../../src/capture/types';
import { gzip, patternBytes, pcapFile, pcapngFile, RecordingSink } from '../support/capture-files';
import { publicCaptures } from '../capture/public-captures';
import { tmpFile } from '../capture/read-helpers';

async function both(file: string): Promise<[{ info: CaptureInfo; sink: RecordingSink }, { info: CaptureInfo; sink: RecordingSink }]> {
  const a = new RecordingSink();
  const b = new RecordingSink();
  return [{ info: await readCapture(file, a), sink: a }, { info: await readCaptureWithPcapParser(file, b), sink: b }];
}

async function assertSame(file: string, label: string): Promise<CaptureInfo> {
  const [ours, theirs] = await both(file);
  assert.deepEqual(theirs.sink.records, ours.sink.records, label);
  assert.equal(theirs.info.packets, ours.info.packets, label);
  assert.equal(theirs.info.error, ours.info.error, label);
  assert.deepEqual(theirs.info.warnings, ours.info.warnings, label);
  assert.deepEqual(theirs.info.linkTypes, ours.info.linkTypes, label);
  assert.equal(theirs.info.tsDigits, ours.info.tsDigits, label);
  return ours.info;
}

test('pcap-parser adapter matches our reader on every public classic pcap', async (t) => {
  const found = publicCaptures();
  if ('reason' in found) { t.skip(found.reason); return; }
  const pcaps = found.files.filter((f) => f.endsWith('.pcap'));
  assert.ok(pcaps.length > 0);
  for (const f of pcaps) {
    const info = await assertSame(f, f);
    assert.equal(info.error, null, f);
    assert.ok(info.packets > 0, f);
  }
});

const recs = Array.from({ length: 200 }, (_, i) => ({ sec: 1_600_000_000 + i, frac: i * 4999, data: patternBytes((i * 97) % 3000, i) }));

test('pcap-parser adapter: both byte orders, nanosecond magic, gzip, clamping, version 2.3', async () => {
  for (const le of [true, false]) {
    for (const ns of [false, true]) {
      const data = pcapFile(recs, { le, ns, snaplen: 2000 });
      const info = await assertSame(tmpFile(data), `le=${le} ns=${ns}`);
      assert.equal(info.packets, 200);
      assert.equal(info.warnings.length, 1); // clamped to snaplen 2000
      await assertSame(tmpFile(gzip(data)), `gzip le=${le} ns=${ns}`);
    }
  }
  await assertSame(tmpFile(pcapFile(recs.slice(0, 3), { minor: 3 })), 'version 2.3');
});

test('pcap-parser adapter: damaged files give the same records and the same error line', async () => {
  const data = pcapFile(recs);
  const third = 24 + recs.slice(0, 2).reduce((s, r) => s + 16 + r.data.length, 0);
  const huge = Buffer.from(data);
  huge.writeUInt32LE(0x7fffffff, third + 8);
  const v3 = pcapFile(recs.slice(0, 2), { major: 3, minor: 4 }); // pcap-parser alone would accept 3.4
  for (const [label, bad] of [
    ['caplen 2^31-1', huge], ['version 3.4', v3],
    ['cut in record header', data.subarray(0, third + 9)], ['cut in record body', data.subarray(0, third + 16 + 3)],
    ['cut in file header', data.subarray(0, 20)], ['cut far in', data.subarray(0, data.length - 100)],
  ] as const) {
    const info = await assertSame(tmpFile(bad), label);
    assert.notEqual(info.error, null, label);
  }
});

test('pcap-parser adapter refuses pcapng with a clear error', async () => {
  const f = tmpFile(pcapngFile([{ blocks: [{ kind: 'idb', linkType: 1 }] }]));
  const info = await readCaptureWithPcapParser(f, new RecordingSink());
  assert.match(info.error ?? '', /pcap-parser reads classic pcap only/);
});
