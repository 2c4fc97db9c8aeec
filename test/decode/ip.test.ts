import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketKind } from '../../src/decode/packet';
import { Ext6, TcpSpec, tcpFrame } from '../support/frames';
import { decodeFrame, weirds } from './helpers';

const V6 = { src: '2001:db8::a', dst: '2001:db8::b' };

test('IPv4 options are skipped by IHL', () => {
  for (const ipOptions of [4, 12, 40]) {
    const { d, kind } = decodeFrame(tcpFrame({ ipOptions, sport: 1111, seq: 42, payload: 3 }));
    assert.equal(kind, PacketKind.Tcp, `${ipOptions}`);
    assert.deepEqual([d.pkt.srcPort, d.pkt.seq, d.pkt.payloadLen], [1111, 42, 3]);
  }
});

test('IPv4 TTL and IPv6 hop limit are recorded', () => {
  assert.equal(decodeFrame(tcpFrame({ ttl: 128 })).d.pkt.ttl, 128);
  assert.equal(decodeFrame(tcpFrame({ ...V6, ttl: 255 })).d.pkt.ttl, 255);
});

test('IPv4 fragments: the first carries TCP, the others are weird and Other', () => {
  const first = decodeFrame(tcpFrame({ frag: { offset: 0, more: true }, payload: 100, seq: 5 }));
  assert.equal(first.kind, PacketKind.Tcp);
  assert.deepEqual([first.d.pkt.seq, first.d.pkt.payloadLen], [5, 100]);
  for (const more of [true, false]) {
    const { d, kind } = decodeFrame(tcpFrame({ frag: { offset: 1480, more }, payload: 100 }));
    assert.equal(kind, PacketKind.Other);
    assert.deepEqual(weirds(d), { 'ipv4-fragment': 1 });
  }
});

test('IPv6 extension headers are walked', () => {
  const chains: Ext6[][] = [
    [{ type: 'hop' }], [{ type: 'routing', len: 24 }], [{ type: 'dest', len: 16 }],
    [{ type: 'frag', fragOffset: 0, more: true }], [{ type: 'ah' }], [{ type: 'ah', len: 16 }],
    [{ type: 'hop' }, { type: 'dest' }, { type: 'routing' }, { type: 'frag' }, { type: 'ah' }, { type: 'dest', len: 32 }],
  ];
  for (const ext of chains) {
    const { d, kind } = decodeFrame(tcpFrame({ ...V6, ext, sport: 2222, seq: 0xdeadbeef, payload: 7, pad: 200 }));
    const what = ext.map((e) => e.type).join('+');
    assert.equal(kind, PacketKind.Tcp, what);
    assert.deepEqual([d.pkt.srcPort, d.pkt.seq, d.pkt.payloadLen], [2222, 0xdeadbeef, 7], what);
    assert.deepEqual(weirds(d), {}, what);
  }
});

test('IPv6 non-first fragment is weird and Other', () => {
  const { d, kind } = decodeFrame(tcpFrame({ ...V6, ext: [{ type: 'hop' }, { type: 'frag', fragOffset: 1232 }] }));
  assert.equal(kind, PacketKind.Other);
  assert.deepEqual(weirds(d), { 'ipv6-fragment': 1 });
});

test('IPv6 ESP and No Next Header end the walk: Other, not weird', () => {
  for (const nh of [50, 59]) {
    const buf = tcpFrame({ ...V6, ext: [{ type: 'dest' }] });
    buf[14 + 40] = nh; // the destination-options header's Next Header
    const { d, kind } = decodeFrame(buf);
    assert.equal(kind, PacketKind.Other, `${nh}`);
    assert.deepEqual(weirds(d), {});
  }
});

test('IPv6 endless extension chain is bounded', () => {
  const ext: Ext6[] = Array.from({ length: 12 }, () => ({ type: 'dest' }));
  const { d, kind } = decodeFrame(tcpFrame({ ...V6, ext }));
  assert.equal(kind, PacketKind.Other);
  assert.deepEqual(weirds(d), { 'ipv6-too-many-ext': 1 });
});

test('Ethernet padding is not payload: lengths come from IP', () => {
  for (const [payload, v6] of [[0, false], [1, false], [0, true], [1, true], [5, false]] as Array<[number, boolean]>) {
    const buf = tcpFrame({ ...(v6 ? V6 : {}), payload, pad: 60 });
    if (!v6) assert.equal(buf.length, 60); // the padding really is there
    const { d, kind } = decodeFrame(buf);
    assert.equal(kind, PacketKind.Tcp);
    assert.equal(d.pkt.payloadLen, payload, `payload ${payload} v6 ${v6}`);
  }
  // A full-size trailer (e.g. a capture with FCS or junk after the packet) is not payload either.
  const { d } = decodeFrame(Buffer.concat([tcpFrame({ payload: 2 }), Buffer.alloc(30, 0x55)]));
  assert.equal(d.pkt.payloadLen, 2);
});

test('IP length 0 (segmentation offload on the capturing host) falls back to the captured length', () => {
  const v4 = decodeFrame(tcpFrame({ ipLen: 0, payload: 3000, opts: { ts: [1, 2] } }));
  assert.equal(v4.kind, PacketKind.Tcp);
  assert.equal(v4.d.pkt.payloadLen, 3000);
  const v6 = decodeFrame(tcpFrame({ ...V6, ipLen: 0, payload: 4000 }));
  assert.equal(v6.kind, PacketKind.Tcp);
  assert.equal(v6.d.pkt.payloadLen, 4000);
  assert.deepEqual({ ...weirds(v4.d), ...weirds(v6.d) }, {});
});

test('a short snap length keeps the payload length from IP', () => {
  for (const extra of [{}, V6, { link: 'sll' }] as TcpSpec[]) {
    const buf = tcpFrame({ ...extra, payload: 1400, opts: { ts: [5, 6] } });
    const { d, kind } = decodeFrame(buf, extra.link ?? 'ether', 96);
    assert.equal(kind, PacketKind.Tcp);
    assert.equal(d.pkt.payloadLen, 1400);
    assert.equal(d.pkt.tsVal, 5);
  }
});

test('lying IPv4 header lengths', () => {
  const cases: Array<[Buffer, number | undefined, string]> = [
    [tcpFrame({ ihl: 4 }), undefined, 'ipv4-bad-ihl'],
    [tcpFrame({ ihl: 0 }), undefined, 'ipv4-bad-ihl'],
    [tcpFrame({ ihl: 15 }), 14 + 40, 'ipv4-truncated'], // options claimed past the capture
    [tcpFrame({ ipLen: 19 }), undefined, 'ipv4-bad-total-length'],
    [tcpFrame({ ipOptions: 8, ipLen: 24 }), undefined, 'ipv4-bad-total-length'],
    [tcpFrame({}), 14 + 19, 'ipv4-truncated'],
    [tcpFrame({ ipLen: 30 }), undefined, 'tcp-truncated'], // TCP header cut by Total Length
  ];
  for (const [buf, caplen, name] of cases) {
    const { d, kind } = decodeFrame(buf, 'ether', caplen);
    assert.equal(kind, PacketKind.Other, name);
    assert.deepEqual(weirds(d), { [name]: 1 }, name);
  }
});

test('lying IPv6 lengths', () => {
  const cases: Array<[Buffer, number | undefined, string]> = [
    [tcpFrame(V6), 14 + 39, 'ipv6-truncated'],
    [tcpFrame({ ...V6, ext: [{ type: 'dest', len: 64 }] }), 14 + 40 + 16, 'ipv6-ext-truncated'],
    [tcpFrame({ ...V6, ext: [{ type: 'dest', len: 64 }], ipLen: 32 }), undefined, 'ipv6-bad-payload-length'],
    [tcpFrame({ ...V6, ipLen: 12 }), undefined, 'tcp-truncated'],
  ];
  for (const [buf, caplen, name] of cases) {
    const { d, kind } = decodeFrame(buf, 'ether', caplen);
    assert.equal(kind, PacketKind.Other, name);
    assert.deepEqual(weirds(d), { [name]: 1 }, name);
  }
});
