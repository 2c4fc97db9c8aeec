import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketKind } from '../../src/decode/packet';
import { icmpErrorFrame, parseAddr, tcpFrame, TcpSpec, udpFrame } from '../support/frames';
import { addrAt, decodeFrame, weirds } from './helpers';

const probe4: TcpSpec = { src: '10.1.1.1', dst: '10.2.2.2', sport: 50000, dport: 443, seq: 0xfffffffe, ack: 77, flags: 'A' };
const probe6: TcpSpec = { src: '2001:db8::1', dst: '2001:db8:2::2', sport: 50001, dport: 22, seq: 0x90000001, flags: 'A' };

test('ICMPv4 errors quoting TCP: outer IP is the sender of the error, quoted is the probe', () => {
  for (const [type, code] of [[3, 1], [3, 3], [3, 4], [11, 0], [4, 0], [12, 0]]) {
    const buf = icmpErrorFrame({ src: '192.0.2.254', type, code, quoted: probe4, mtu: type === 3 && code === 4 ? 1400 : undefined });
    const { d, kind } = decodeFrame(buf);
    assert.equal(kind, PacketKind.IcmpError, `${type}/${code}`);
    const p = d.pkt;
    assert.deepEqual([p.ipVersion, p.icmpType, p.icmpCode], [4, type, code]);
    assert.deepEqual(addrAt(buf, p.srcOff, 4), parseAddr('192.0.2.254'));
    assert.deepEqual(addrAt(buf, p.dstOff, 4), parseAddr('10.1.1.1'));
    assert.equal(p.quotedIpVersion, 4);
    assert.deepEqual(addrAt(buf, p.quotedSrcOff, 4), parseAddr('10.1.1.1'));
    assert.deepEqual(addrAt(buf, p.quotedDstOff, 4), parseAddr('10.2.2.2'));
    assert.deepEqual([p.quotedSrcPort, p.quotedDstPort, p.quotedSeq], [50000, 443, 0xfffffffe]);
    assert.deepEqual(weirds(d), {});
  }
});

test('ICMPv4 error quoting an IPv4 header with options, inside VLAN and padding', () => {
  const buf = icmpErrorFrame({ type: 3, code: 1, vlan: [12], pad: 60, quoted: { ...probe4, ipOptions: 8 } });
  const { d, kind } = decodeFrame(buf);
  assert.equal(kind, PacketKind.IcmpError);
  assert.deepEqual([d.pkt.vlanOuter, d.pkt.quotedSrcPort, d.pkt.quotedSeq], [12, 50000, 0xfffffffe]);
});

test('ICMPv4 quoting a whole TCP segment works too', () => {
  const { d, kind } = decodeFrame(icmpErrorFrame({ type: 11, quoted: { ...probe4, payload: 1 }, quotedBytes: 100 }));
  assert.equal(kind, PacketKind.IcmpError);
  assert.equal(d.pkt.quotedDstPort, 443);
});

test('ICMPv6 errors quoting TCP, including extension headers in the quoted packet', () => {
  for (const [type, code] of [[1, 0], [1, 4], [2, 0], [3, 0], [4, 0]]) {
    for (const quoted of [probe6, { ...probe6, ext: [{ type: 'dest' as const }, { type: 'frag' as const, more: true }] }]) {
      const buf = icmpErrorFrame({ src: '2001:db8:ffff::1', type, code, quoted, mtu: type === 2 ? 1280 : undefined });
      const { d, kind } = decodeFrame(buf);
      assert.equal(kind, PacketKind.IcmpError, `${type}/${code}`);
      const p = d.pkt;
      assert.deepEqual([p.ipVersion, p.icmpType, p.icmpCode, p.quotedIpVersion], [6, type, code, 6]);
      assert.deepEqual(addrAt(buf, p.srcOff, 6), parseAddr('2001:db8:ffff::1'));
      assert.deepEqual(addrAt(buf, p.quotedSrcOff, 6), parseAddr('2001:db8::1'));
      assert.deepEqual(addrAt(buf, p.quotedDstOff, 6), parseAddr('2001:db8:2::2'));
      assert.deepEqual([p.quotedSrcPort, p.quotedDstPort, p.quotedSeq], [50001, 22, 0x90000001]);
    }
  }
});

test('ICMP that is not an error about TCP is Other without a weird', () => {
  const echo = decodeFrame(icmpErrorFrame({ type: 8, quoted: probe4 }));
  const echo6 = decodeFrame(icmpErrorFrame({ type: 128, quoted: probe6 }));
  const redirect = decodeFrame(icmpErrorFrame({ type: 5, quoted: probe4 }));
  for (const { d, kind } of [echo, echo6, redirect]) {
    assert.equal(kind, PacketKind.Other);
    assert.deepEqual(weirds(d), {});
  }
  // An error about UDP: quote a UDP datagram by hand (ICMP type 3 around it).
  const udp = udpFrame({ src: '10.1.1.1', dst: '10.2.2.2' }).subarray(14);
  const err = icmpErrorFrame({ type: 3, code: 3, quoted: probe4, quotedBytes: 8 });
  udp.copy(err, 14 + 20 + 8, 0, 28);
  const u = decodeFrame(err);
  assert.equal(u.kind, PacketKind.Other);
  assert.deepEqual(weirds(u.d), {});
});

test('ICMP over the wrong IP version is not an ICMP error', () => {
  // Protocol 58 inside IPv4 and 1 inside IPv6 are nonsense: not errors, not weird.
  const v4 = icmpErrorFrame({ type: 3, quoted: probe4 });
  v4[14 + 9] = 58;
  assert.equal(decodeFrame(v4).kind, PacketKind.Other);
});

test('truncated and lying ICMP errors', () => {
  const cases: Array<[Buffer, number | undefined, string]> = [
    [icmpErrorFrame({ type: 3, quoted: probe4 }), 14 + 20 + 3, 'icmp-truncated'],
    [icmpErrorFrame({ type: 3, quoted: probe4 }), 14 + 20 + 7, 'icmp-truncated'],
    [icmpErrorFrame({ type: 3, quoted: probe4, quotedBytes: 4 }), undefined, 'icmp-quoted-truncated'],
    [icmpErrorFrame({ type: 3, quoted: probe4 }), 14 + 20 + 8 + 19, 'icmp-quoted-truncated'],
    [icmpErrorFrame({ type: 3, quoted: { ...probe4, ipOptions: 8 } }), 14 + 20 + 8 + 24, 'icmp-quoted-truncated'],
    [icmpErrorFrame({ type: 3, quoted: { ...probe4, frag: { offset: 8 } } }), undefined, 'icmp-quoted-fragment'],
    [icmpErrorFrame({ type: 1, quoted: { ...probe6, ext: [{ type: 'frag', fragOffset: 64 }] } }), undefined, 'icmp-quoted-fragment'],
    [icmpErrorFrame({ type: 1, quoted: probe6 }), 14 + 40 + 8 + 39, 'icmp-quoted-truncated'],
    [icmpErrorFrame({ type: 3, quoted: { ...probe4, ihl: 3 } }), undefined, 'ipv4-bad-ihl'],
    [icmpErrorFrame({ type: 3, quoted: { ...probe4, ipVersion: 6 } }), undefined, 'ip-bad-version'],
  ];
  for (const [buf, caplen, name] of cases) {
    const { d, kind } = decodeFrame(buf, 'ether', caplen);
    assert.equal(kind, PacketKind.Other, name);
    assert.deepEqual(weirds(d), { [name]: 1 }, name);
  }
  // The quoted packet's own Total Length describes the original, not the quote: never a lie.
  const { kind } = decodeFrame(icmpErrorFrame({ type: 3, quoted: { ...probe4, payload: 1000 } }));
  assert.equal(kind, PacketKind.IcmpError);
});

test('the outer IP length bounds the quoted packet (padding is not quoted data)', () => {
  // 8 bytes of TCP quoted, but the outer Total Length says only 4 of them belong to the packet.
  const buf = icmpErrorFrame({ type: 3, quoted: probe4, pad: 100, ipLen: 20 + 8 + 20 + 4 });
  const { d, kind } = decodeFrame(buf);
  assert.equal(kind, PacketKind.Other);
  assert.deepEqual(weirds(d), { 'icmp-quoted-truncated': 1 });
  assert.equal(decodeFrame(tcpFrame({})).kind, PacketKind.Tcp);
});
