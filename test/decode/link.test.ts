import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { PacketKind } from '../../src/decode/packet';
import { LinkKind, linkTypeOf, parseAddr, tcpFrame, udpFrame } from '../support/frames';
import { addrAt, decodeFrame, weirds } from './helpers';

const seg = { sport: 40001, dport: 22, seq: 0x01020304, ack: 0xa0b0c0d0, flags: 'PA', win: 1234, payload: 5 };

for (const link of ['ether', 'sll', 'sll2', 'raw', 'ipv4', 'null', 'loop'] as LinkKind[]) {
  test(`${link}: IPv4 TCP fields`, () => {
    const buf = tcpFrame({ ...seg, link, src: '192.0.2.7', dst: '198.51.100.9' });
    const { d, kind } = decodeFrame(buf, link);
    assert.equal(kind, PacketKind.Tcp);
    const p = d.pkt;
    assert.equal(p.ipVersion, 4);
    assert.deepEqual(addrAt(buf, p.srcOff, 4), parseAddr('192.0.2.7'));
    assert.deepEqual(addrAt(buf, p.dstOff, 4), parseAddr('198.51.100.9'));
    assert.deepEqual([p.srcPort, p.dstPort, p.seq, p.ack, p.flags, p.window, p.payloadLen],
      [40001, 22, 0x01020304, 0xa0b0c0d0, 0x18, 1234, 5]);
    assert.deepEqual(weirds(d), {});
  });
}

for (const link of ['ether', 'sll', 'sll2', 'raw', 'ipv6', 'null', 'loop'] as LinkKind[]) {
  test(`${link}: IPv6 TCP fields`, () => {
    const buf = tcpFrame({ ...seg, link, src: '2001:db8::7', dst: 'fe80::1:2' });
    const { d, kind } = decodeFrame(buf, link);
    assert.equal(kind, PacketKind.Tcp);
    assert.equal(d.pkt.ipVersion, 6);
    assert.deepEqual(addrAt(buf, d.pkt.srcOff, 6), parseAddr('2001:db8::7'));
    assert.deepEqual(addrAt(buf, d.pkt.dstOff, 6), parseAddr('fe80::1:2'));
    assert.equal(d.pkt.seq, 0x01020304);
    assert.equal(d.pkt.payloadLen, 5);
  });
}

test('raw IP on OpenBSD link type 12 is raw too', () => {
  const { kind } = decodeFrame(tcpFrame({ link: 'raw' }), 12);
  assert.equal(kind, PacketKind.Tcp);
});

test('null/loop: address family in either byte order, every AF_INET6 value', () => {
  for (const link of ['null', 'loop'] as LinkKind[]) {
    for (const afOrder of ['le', 'be'] as const) {
      assert.equal(decodeFrame(tcpFrame({ link, afOrder }), link).kind, PacketKind.Tcp, `${link} ${afOrder} v4`);
      for (const af of [10, 24, 28, 30]) {
        const { d, kind } = decodeFrame(tcpFrame({ link, afOrder, af, src: '::1', dst: '::1' }), link);
        assert.equal(kind, PacketKind.Tcp, `${link} ${afOrder} AF ${af}`);
        assert.equal(d.pkt.ipVersion, 6);
      }
    }
  }
  const { d, kind } = decodeFrame(tcpFrame({ link: 'null', af: 7 }), 'null');
  assert.equal(kind, PacketKind.Other);
  assert.deepEqual(weirds(d), { 'null-unknown-family': 1 });
});

test('Linux cooked: ARPHRD loopback and tunnels do not matter, netlink is not IP', () => {
  for (const link of ['sll', 'sll2'] as LinkKind[]) {
    for (const hatype of [772, 778, 65534]) {
      assert.equal(decodeFrame(tcpFrame({ link, hatype }), link).kind, PacketKind.Tcp, `${link} ${hatype}`);
    }
    const { d, kind } = decodeFrame(tcpFrame({ link, hatype: 824, etherType: 0x0800 }), link);
    assert.equal(kind, PacketKind.Other);
    assert.deepEqual(weirds(d), {});
  }
});

test('VLAN: one 802.1Q tag', () => {
  const { d, kind } = decodeFrame(tcpFrame({ vlan: [100], seq: 77 }));
  assert.equal(kind, PacketKind.Tcp);
  assert.deepEqual([d.pkt.vlanOuter, d.pkt.vlanInner, d.pkt.seq], [100, 0, 77]);
});

test('VLAN: QinQ with 0x88a8 and 0x9100 outer TPIDs; IPv6 inside', () => {
  for (const outer of [0x88a8, 0x9100, 0x8100]) {
    const { d, kind } = decodeFrame(tcpFrame({ vlan: [300, 4094], vlanTpids: [outer, 0x8100], src: '2001:db8::1', dst: '2001:db8::2' }));
    assert.equal(kind, PacketKind.Tcp, outer.toString(16));
    assert.deepEqual([d.pkt.vlanOuter, d.pkt.vlanInner, d.pkt.ipVersion], [300, 4094, 6]);
  }
});

test('VLAN: more than two tags keeps the outer two; a frame of tags is weird', () => {
  const { d, kind } = decodeFrame(tcpFrame({ vlan: [1, 2, 3, 4], seq: 9 }));
  assert.equal(kind, PacketKind.Tcp);
  assert.deepEqual([d.pkt.vlanOuter, d.pkt.vlanInner, d.pkt.seq], [1, 2, 9]);
  const many = decodeFrame(tcpFrame({ vlan: [1, 2, 3, 4, 5, 6, 7, 8, 9] }));
  assert.equal(many.kind, PacketKind.Other);
  assert.deepEqual(weirds(many.d), { 'vlan-too-many-tags': 1 });
});

test('VLAN tags on Linux cooked v1 and v2', () => {
  for (const link of ['sll', 'sll2'] as LinkKind[]) {
    const { d, kind } = decodeFrame(tcpFrame({ link, vlan: [42], seq: 5 }), link);
    assert.equal(kind, PacketKind.Tcp, link);
    assert.deepEqual([d.pkt.vlanOuter, d.pkt.seq], [42, 5]);
  }
});

test('VLAN fields are reset between frames', () => {
  const d = new Decoder();
  const a = tcpFrame({ vlan: [7, 8] }), b = tcpFrame({});
  d.decode(1, a, 0, a.length);
  d.decode(1, b, 0, b.length);
  assert.deepEqual([d.pkt.vlanOuter, d.pkt.vlanInner], [0, 0]);
});

test('non-IP EtherTypes and non-TCP protocols are Other without a weird', () => {
  for (const etherType of [0x0806, 0x88cc, 0x0040 /* 802.3 length */, 0x0000]) {
    const { d, kind } = decodeFrame(tcpFrame({ etherType }));
    assert.equal(kind, PacketKind.Other);
    assert.deepEqual(weirds(d), {});
  }
  for (const link of ['sll', 'sll2'] as LinkKind[]) {
    assert.equal(decodeFrame(tcpFrame({ link, etherType: 0 }), link).kind, PacketKind.Other, link);
  }
  const udp = decodeFrame(udpFrame({}));
  assert.equal(udp.kind, PacketKind.Other);
  assert.deepEqual(weirds(udp.d), {});
});

test('unsupported link type: counted per number, never thrown', () => {
  const d = new Decoder();
  const buf = tcpFrame({});
  assert.equal(d.decode(147, buf, 0, buf.length), PacketKind.Other);
  assert.equal(d.decode(147, buf, 0, buf.length), PacketKind.Other);
  assert.equal(d.decode(9999, buf, 0, buf.length), PacketKind.Other);
  assert.deepEqual(weirds(d), { 'linktype-unsupported-147': 2, 'linktype-unsupported-9999': 1 });
});

test('truncated link headers', () => {
  const cases: Array<[LinkKind, number, string]> = [
    ['ether', 13, 'ethernet-truncated'], ['sll', 15, 'sll-truncated'], ['sll2', 19, 'sll2-truncated'],
    ['null', 3, 'null-truncated'], ['loop', 0, 'null-truncated'], ['raw', 0, 'ip-truncated'],
  ];
  for (const [link, cut, name] of cases) {
    const { d, kind } = decodeFrame(tcpFrame({ link, truncate: cut }), link);
    assert.equal(kind, PacketKind.Other, link);
    assert.deepEqual(weirds(d), { [name]: 1 }, link);
  }
  const v = decodeFrame(tcpFrame({ vlan: [5] }), 'ether', 16);
  assert.deepEqual(weirds(v.d), { 'vlan-truncated': 1 });
});

test('IP version that does not match the link', () => {
  for (const [link, buf] of [
    ['raw', tcpFrame({ link: 'raw', ipVersion: 5 })],
    ['ipv4', tcpFrame({ link: 'ipv6', src: '::1', dst: '::2' })],
    ['ipv6', tcpFrame({ link: 'ipv4' })],
    ['ether', tcpFrame({ etherType: 0x86dd })],
  ] as Array<[LinkKind, Buffer]>) {
    const { d, kind } = decodeFrame(buf, link);
    assert.equal(kind, PacketKind.Other, link);
    assert.deepEqual(weirds(d), { 'ip-bad-version': 1 }, link);
  }
});

test('decodes at a non-zero offset inside a larger buffer', () => {
  const f = tcpFrame({ vlan: [3], seq: 123456 });
  const big = Buffer.concat([Buffer.alloc(37, 0xee), f, Buffer.alloc(50, 0xee)]);
  const d = new Decoder();
  assert.equal(d.decode(linkTypeOf('ether'), big, 37, f.length), PacketKind.Tcp);
  assert.equal(d.pkt.seq, 123456);
  assert.equal(d.pkt.buf, big);
  assert.deepEqual(addrAt(big, d.pkt.srcOff, 4), parseAddr('10.0.0.1'));
});
