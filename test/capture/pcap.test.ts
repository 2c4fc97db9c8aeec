import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patternBytes, pcapFile, type PcapRecord } from '../support/capture-files';
import { readBytes } from './read-helpers';

const records: PcapRecord[] = [
  { sec: 1_700_000_000, frac: 0, data: patternBytes(60, 1) },
  { sec: 1_700_000_001, frac: 999_999, data: patternBytes(1514, 2) },
  { sec: 4_000_000_000, frac: 123_456, data: patternBytes(1, 3), origLen: 9000 },
  { sec: 1_700_000_002, frac: 5, data: Buffer.alloc(0), origLen: 0 },
];

for (const le of [true, false]) {
  for (const ns of [false, true]) {
    test(`classic pcap, ${le ? 'little' : 'big'}-endian, ${ns ? 'nano' : 'micro'}second magic`, async () => {
      const recs = ns ? records.map((r, i) => ({ ...r, frac: i === 1 ? 999_999_999 : r.frac * 1000 + 7 })) : records;
      const { info, records: got } = await readBytes(pcapFile(recs, { le, ns, linkType: 101, snaplen: 65535 }));
      assert.equal(info.error, null);
      assert.equal(info.format, 'pcap');
      assert.equal(info.gzip, false);
      assert.deepEqual(info.linkTypes, [101]);
      assert.equal(info.tsDigits, ns ? 9 : 6);
      assert.equal(info.packets, recs.length);
      assert.deepEqual(info.warnings, []);
      assert.equal(got.length, recs.length);
      got.forEach((g, i) => {
        assert.equal(g.frame, i + 1);
        assert.equal(g.linkType, 101);
        assert.equal(g.sec, recs[i].sec);
        assert.equal(g.nsec, ns ? recs[i].frac : recs[i].frac * 1000);
        assert.equal(g.tsDigits, ns ? 9 : 6);
        assert.deepEqual(g.data, recs[i].data);
        assert.equal(g.origLen, recs[i].origLen ?? recs[i].data.length);
      });
    });
  }
}

test('pcap: a record longer than the snap length is clamped to it with one warning, like libpcap', async () => {
  const big = patternBytes(200, 9);
  const { info, records: got } = await readBytes(pcapFile([
    { sec: 1, frac: 0, data: big }, { sec: 2, frac: 0, data: patternBytes(100, 3) }, { sec: 3, frac: 0, data: big },
  ], { snaplen: 128 }));
  assert.equal(info.error, null);
  assert.equal(got.length, 3);
  assert.deepEqual(got[0].data, big.subarray(0, 128));
  assert.equal(got[0].origLen, 200);
  assert.equal(got[1].data.length, 100);
  assert.deepEqual(got[2].data, big.subarray(0, 128));
  assert.equal(info.warnings.length, 1);
  assert.match(info.warnings[0], /frame 1: captured length 200 exceeds the snap length 128.*\(2 times in all\)/);
});

test('pcap: captured length above the original length is a warning, the record is delivered', async () => {
  const { info, records: got } = await readBytes(pcapFile([{ sec: 1, frac: 0, data: patternBytes(80, 1), origLen: 60 }]));
  assert.equal(info.error, null);
  assert.equal(got.length, 1);
  assert.equal(got[0].data.length, 80);
  assert.equal(info.warnings.length, 1);
  assert.match(info.warnings[0], /frame 1: captured length 80 exceeds the original length 60/);
});

test('pcap: snap length 0 means no limit; the FCS bits of the link type field are ignored', async () => {
  const { info, records: got } = await readBytes(pcapFile([{ sec: 1, frac: 0, data: patternBytes(3000, 1) }], { snaplen: 0, linkType: 0x14000001 }));
  assert.equal(info.error, null);
  assert.equal(got[0].data.length, 3000);
  assert.deepEqual(info.linkTypes, [1]);
});

test('pcap: version other than 2.x is an error, 2.3 a warning', async () => {
  const bad = await readBytes(pcapFile([{ sec: 1, frac: 0, data: patternBytes(10, 1) }], { major: 3, minor: 4 }));
  assert.equal(bad.records.length, 0);
  assert.match(bad.info.error ?? '', /unsupported pcap version 3\.4/);
  const old = await readBytes(pcapFile([{ sec: 1, frac: 0, data: patternBytes(10, 1) }], { minor: 3 }));
  assert.equal(old.info.error, null);
  assert.equal(old.records.length, 1);
  assert.match(old.info.warnings.join('\n'), /version 2\.3/);
});

test('pcap: a fraction of a second at or above one second is carried into the seconds', async () => {
  const { info, records: got } = await readBytes(pcapFile([{ sec: 10, frac: 2_500_000, data: patternBytes(10, 1) }]));
  assert.equal(info.error, null);
  assert.equal(got[0].sec, 12);
  assert.equal(got[0].nsec, 500_000_000);
  assert.equal(info.warnings.length, 1);
});
