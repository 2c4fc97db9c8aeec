import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ngBlock, patternBytes, pcapngFile } from '../support/capture-files';
import { readBytes } from './read-helpers';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

// Expected (sec, nsec) straight from the definition, in BigInt (independent of the reader's math).
const at = (t: bigint, per: bigint, offset = 0n): [number, number] =>
  [Number(t / per + offset), Number(((t % per) * 1_000_000_000n) / per)];

test('pcapng: two sections in both byte orders, several interfaces, EPB/PB/SPB, other blocks skipped', async () => {
  const d = (i: number, n = 60 + i): Buffer => patternBytes(n, i);
  const tUs = 1_700_000_000_123_456n; // µs
  const tNs = 1_700_000_001_987_654_321n; // ns
  const tMs = 1_700_000_002_500n; // 10^-3 s
  const tBin = (1_700_000_003n << 20n) + 524_288n; // 2^-20 s: exactly .5
  const file = pcapngFile([
    {
      le: true,
      blocks: [
        { kind: 'idb', linkType: LINKTYPE_ETHERNET, snaplen: 65535 }, // default 10^-6
        { kind: 'raw', type: 4, body: Buffer.from([1, 0, 8, 0, 10, 0, 0, 1, 0x6c, 0x6f, 0x00, 0x00, 0, 0, 0, 0]) }, // NRB
        { kind: 'idb', linkType: LINKTYPE_RAW, snaplen: 0, tsresol: 9, options: [{ code: 2, value: Buffer.from('eth0') }] },
        { kind: 'epb', iface: 0, ts: tUs, data: d(1) },
        { kind: 'epb', iface: 1, ts: tNs, data: d(2, 41), origLen: 1500, options: [{ code: 1, value: Buffer.from('comment') }] },
        { kind: 'raw', type: 5, body: Buffer.alloc(16) }, // interface statistics
        { kind: 'raw', type: 0x0000000a, body: Buffer.alloc(12) }, // decryption secrets
        { kind: 'pb', iface: 0, ts: tUs + 1n, data: d(3) },
        { kind: 'spb', data: d(4) },
        { kind: 'raw', type: 0x00000bad, body: Buffer.alloc(8) }, // custom
      ],
    },
    {
      le: false,
      blocks: [
        { kind: 'idb', linkType: LINKTYPE_LINUX_SLL, snaplen: 100, tsresol: 3 },
        { kind: 'idb', linkType: LINKTYPE_LINUX_SLL2, tsresol: 0x80 | 20, tsoffset: -3600n },
        { kind: 'epb', iface: 1, ts: tBin, data: d(5) },
        { kind: 'epb', iface: 0, ts: tMs, data: d(6) },
        { kind: 'spb', data: d(7, 150), origLen: 400 },
      ],
    },
  ]);
  const { info, records: got } = await readBytes(file);
  assert.equal(info.error, null);
  assert.equal(info.format, 'pcapng');
  // A second section is what concatenated files look like: read on, with one note after frame 4.
  assert.equal(info.warnings.length, 1);
  assert.match(info.warnings[0], /another section header block at byte \d+, after frame 4: a new section/);
  assert.deepEqual(info.linkTypes, [LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2]);
  assert.equal(info.tsDigits, 9);
  assert.equal(info.packets, 7);
  assert.equal(info.bytesRead, file.length);
  const want = [
    { linkType: LINKTYPE_ETHERNET, ts: at(tUs, 1_000_000n), digits: 6, data: d(1), origLen: 61 },
    { linkType: LINKTYPE_RAW, ts: at(tNs, 1_000_000_000n), digits: 9, data: d(2, 41), origLen: 1500 },
    { linkType: LINKTYPE_ETHERNET, ts: at(tUs + 1n, 1_000_000n), digits: 6, data: d(3), origLen: 63 },
    // SPB: interface 0 and no timestamp.
    { linkType: LINKTYPE_ETHERNET, ts: [0, 0], digits: 6, data: d(4), origLen: 64 },
    { linkType: LINKTYPE_LINUX_SLL2, ts: at(tBin, 1n << 20n, -3600n), digits: 7, data: d(5), origLen: 65 },
    { linkType: LINKTYPE_LINUX_SLL, ts: at(tMs, 1000n), digits: 3, data: d(6), origLen: 66 },
    // SPB in section 2: interface 0 (SLL, snaplen 100): captured = min(original 400, snaplen, room 152).
    { linkType: LINKTYPE_LINUX_SLL, ts: [0, 0], digits: 3, data: d(7, 150).subarray(0, 100), origLen: 400 },
  ];
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const w = want[i];
    assert.equal(g.frame, i + 1);
    assert.equal(g.linkType, w.linkType, `frame ${i + 1} link type`);
    assert.deepEqual([g.sec, g.nsec], w.ts, `frame ${i + 1} time`);
    assert.equal(g.tsDigits, w.digits, `frame ${i + 1} digits`);
    assert.deepEqual(g.data, w.data, `frame ${i + 1} data`);
    assert.equal(g.origLen, w.origLen, `frame ${i + 1} original length`);
  });
  assert.equal(want[4].ts[1], 500_000_000);
});

test('pcapng: SPB captured length is bounded by its block when the original is longer', async () => {
  const { info, records: got } = await readBytes(pcapngFile([{ blocks: [
    { kind: 'idb', linkType: 1 }, { kind: 'spb', data: patternBytes(64, 1), origLen: 1514 },
  ] }]));
  assert.equal(info.error, null);
  assert.equal(got[0].data.length, 64);
  assert.equal(got[0].origLen, 1514);
});

test('pcapng: EPB longer than the snap length is clamped with a warning; caplen > origlen warns', async () => {
  const { info, records: got } = await readBytes(pcapngFile([{ blocks: [
    { kind: 'idb', linkType: 1, snaplen: 64 },
    { kind: 'epb', iface: 0, ts: 1n, data: patternBytes(100, 1) },
    { kind: 'epb', iface: 0, ts: 2n, data: patternBytes(50, 2), origLen: 40 },
  ] }]));
  assert.equal(info.error, null);
  assert.equal(got.length, 2);
  assert.deepEqual(got[0].data, patternBytes(100, 1).subarray(0, 64));
  assert.equal(info.warnings.length, 2);
  assert.match(info.warnings[0], /frame 1: captured length 100 exceeds the interface's snap length 64/);
  assert.match(info.warnings[1], /frame 2: captured length 50 exceeds the original length 40/);
});

test('pcapng: a new section forgets the interfaces of the previous one', async () => {
  const { info, records: got } = await readBytes(pcapngFile([
    { blocks: [{ kind: 'idb', linkType: 1 }, { kind: 'epb', iface: 0, ts: 1n, data: patternBytes(20, 1) }] },
    { blocks: [{ kind: 'epb', iface: 0, ts: 2n, data: patternBytes(20, 2) }] },
  ]));
  assert.equal(got.length, 1);
  assert.match(info.error ?? '', /enhanced packet block at byte \d+ \(frame 2\) names interface 0, but section 2 describes only 0/);
});

test('pcapng: an interface after packets of others is usable, and link types keep first-seen order', async () => {
  const { info, records: got } = await readBytes(pcapngFile([{ blocks: [
    { kind: 'idb', linkType: 113 },
    { kind: 'epb', iface: 0, ts: 5n, data: patternBytes(20, 1) },
    { kind: 'idb', linkType: 1, tsresol: 9 },
    { kind: 'idb', linkType: 113, tsresol: 9 },
    { kind: 'epb', iface: 2, ts: 7n, data: patternBytes(20, 2) },
    { kind: 'epb', iface: 1, ts: 6n, data: patternBytes(20, 3) },
  ] }]));
  assert.equal(info.error, null);
  assert.deepEqual(got.map((g) => [g.linkType, g.nsec]), [[113, 5000], [113, 7], [1, 6]]);
  assert.deepEqual(info.linkTypes, [113, 1]);
});

test('pcapng: a block type of a big-endian section is read in that order (custom block skipped)', async () => {
  // A big-endian section whose unknown block would be a huge length if read little-endian.
  const file = pcapngFile([{ le: false, blocks: [{ kind: 'idb', linkType: 1 }] }]);
  const custom = ngBlock(0x40000bad, Buffer.alloc(4), false);
  const epb = pcapngFile([{ le: false, blocks: [{ kind: 'idb', linkType: 1 }, { kind: 'epb', iface: 0, ts: 3n, data: patternBytes(9, 1) }] }]);
  // Take the EPB (last block) from the second file.
  const epbLen = epb.readUInt32BE(epb.length - 4);
  const { info, records: got } = await readBytes(Buffer.concat([file, custom, epb.subarray(epb.length - epbLen)]));
  assert.equal(info.error, null);
  assert.equal(got.length, 1);
  assert.equal(got[0].nsec, 3000);
});
