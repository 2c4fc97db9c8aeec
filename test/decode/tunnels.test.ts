// Every encapsulation the decoder goes through, on generated frames: the inner segment's fields
// and what separates tenants come out, nothing is counted as odd, and tshark (when installed)
// finds the same inner ports in the same frames.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketKind } from '../../src/decode/packet';
import { TenantKind } from '../../src/decode/tunnel/state';
import { linkTypeOf, parseAddr, tcpFrame, type TcpSpec } from '../support/frames';
import {
  erspan2Header, erspan3Header, geneveFrame, greFrame, gtpuFrame, innerEthernet, innerIp, ipInIpFrame,
  llcSnapFrame, mplsFrame, pppoeFrame, vxlanFrame,
} from '../support/tunnels';
import { addrAt, decodeFrame, haveTshark, tsharkFields, weirds, writePcap } from './helpers';

const v4: TcpSpec = { src: '10.1.1.1', dst: '10.2.2.2', sport: 43210, dport: 22, seq: 0xdeadbeef, ack: 0x01020304, flags: 'A', win: 501, payload: 0, ipId: 0x4242 };
const v6: TcpSpec = { ...v4, src: 'fd00::1', dst: 'fd00::2' };

interface Case { readonly name: string; readonly frame: Buffer; readonly inner: TcpSpec; readonly kind: TenantKind; readonly id: number; readonly link?: 'ether' | 'sll' | 'sll2' }

const CASES: Case[] = [
  { name: 'VXLAN (UDP 4789)', frame: vxlanFrame(5001, innerEthernet(v4)), inner: v4, kind: TenantKind.Vxlan, id: 5001 },
  { name: 'VXLAN carrying IPv6 over an IPv6 underlay', frame: vxlanFrame(0xabcdef, innerEthernet(v6), { src: '2001:db8::a', dst: '2001:db8::b' }), inner: v6, kind: TenantKind.Vxlan, id: 0xabcdef },
  { name: 'Geneve with options, Ethernet inside', frame: geneveFrame(77, 0x6558, innerEthernet(v4), 3), inner: v4, kind: TenantKind.Geneve, id: 77 },
  { name: 'Geneve carrying IPv4 directly', frame: geneveFrame(78, 0x0800, innerIp(v4)), inner: v4, kind: TenantKind.Geneve, id: 78 },
  { name: 'GRE, IPv4 inside, no key', frame: greFrame(0x0800, innerIp(v4)), inner: v4, kind: TenantKind.None, id: 0 },
  { name: 'GRE with checksum, key and sequence, IPv6 inside', frame: greFrame(0x86dd, innerIp(v6), { csum: true, key: 0x80000001, seq: 9 }), inner: v6, kind: TenantKind.GreKey, id: 0x80000001 | 0 },
  { name: 'GRE transparent Ethernet bridging (gretap)', frame: greFrame(0x6558, innerEthernet(v4), { key: 7 }), inner: v4, kind: TenantKind.GreKey, id: 7 },
  { name: 'GRE over IPv6', frame: greFrame(0x0800, innerIp(v4), { key: 3 }, { src: '2001:db8::1', dst: '2001:db8::2' }), inner: v4, kind: TenantKind.GreKey, id: 3 },
  { name: 'GRE version 1 (PPTP) with PPP', frame: greFrame(0x880b, Buffer.concat([Buffer.from([0xff, 0x03, 0x00, 0x21]), innerIp(v4)]), { version: 1, key: (40 << 16) | 99, seq: 1, ack: 0 }), inner: v4, kind: TenantKind.None, id: 0 },
  { name: 'ERSPAN type I (GRE 0x88be, no sequence)', frame: greFrame(0x88be, innerEthernet(v4)), inner: v4, kind: TenantKind.None, id: 0 },
  { name: 'ERSPAN type II', frame: greFrame(0x88be, Buffer.concat([erspan2Header(300), innerEthernet(v4)]), { seq: 5 }), inner: v4, kind: TenantKind.Erspan, id: 300 },
  { name: 'ERSPAN type III with platform subheader', frame: greFrame(0x22eb, Buffer.concat([erspan3Header(1023, 0, true), innerEthernet(v6)]), { seq: 6 }), inner: v6, kind: TenantKind.Erspan, id: 1023 },
  { name: 'MPLS stack of three, IPv4', frame: mplsFrame([16001, 17, 299999], innerIp(v4)), inner: v4, kind: TenantKind.Mpls, id: 0 },
  { name: 'MPLS, IPv6', frame: mplsFrame([100], innerIp(v6)), inner: v6, kind: TenantKind.Mpls, id: 0 },
  { name: 'MPLS pseudowire: control word, Ethernet', frame: mplsFrame([200, 300], Buffer.concat([Buffer.alloc(4), innerEthernet(v4)])), inner: v4, kind: TenantKind.Mpls, id: 0 },
  { name: 'MPLS over VLAN tags', frame: mplsFrame([16000], innerIp(v4), { vlan: [10, 20] }), inner: v4, kind: TenantKind.Mpls, id: 0 },
  { name: 'PPPoE session, IPv4', frame: pppoeFrame(0x1234, innerIp(v4)), inner: v4, kind: TenantKind.Pppoe, id: 0x1234 },
  { name: 'PPPoE session, compressed PPP protocol', frame: pppoeFrame(45, innerIp(v4), true), inner: v4, kind: TenantKind.Pppoe, id: 45 },
  { name: 'PPPoE session, IPv6', frame: pppoeFrame(7, innerIp(v6)), inner: v6, kind: TenantKind.Pppoe, id: 7 },
  { name: 'GTP-U G-PDU', frame: gtpuFrame(0x11223344, innerIp(v4)), inner: v4, kind: TenantKind.GtpU, id: 0 },
  { name: 'GTP-U with an extension header', frame: gtpuFrame(0x55, innerIp(v6), true), inner: v6, kind: TenantKind.GtpU, id: 0 },
  { name: 'IP-in-IP (4in4)', frame: ipInIpFrame(innerIp(v4)), inner: v4, kind: TenantKind.None, id: 0 },
  { name: '6in4', frame: ipInIpFrame(innerIp(v6)), inner: v6, kind: TenantKind.None, id: 0 },
  { name: '4in6', frame: ipInIpFrame(innerIp(v4), { src: '2001:db8::1', dst: '2001:db8::2' }), inner: v4, kind: TenantKind.None, id: 0 },
  { name: '6in6', frame: ipInIpFrame(innerIp(v6), { src: '2001:db8::1', dst: '2001:db8::2' }), inner: v6, kind: TenantKind.None, id: 0 },
  { name: '802.3 with LLC/SNAP', frame: llcSnapFrame(innerIp(v4)), inner: v4, kind: TenantKind.None, id: 0 },
  { name: 'Linux cooked (SLL2) 802.2 LLC/SNAP', frame: llcSnapFrame(innerIp(v6), { link: 'sll2' }), inner: v6, kind: TenantKind.None, id: 0, link: 'sll2' },
  { name: 'VXLAN inside GRE inside MPLS', frame: mplsFrame([50], Buffer.from(greFrame(0x0800, vxlanFrame(9, innerEthernet(v4)).subarray(14)).subarray(14))), inner: v4, kind: TenantKind.Vxlan, id: 9 },
];

for (const c of CASES) {
  test(`tunnel: ${c.name} decodes to the inner segment`, () => {
    const { d, kind } = decodeFrame(c.frame, c.link ?? 'ether');
    assert.equal(kind, PacketKind.Tcp);
    const p = d.pkt;
    const ver = c.inner.src!.includes(':') ? 6 : 4;
    assert.equal(p.ipVersion, ver);
    assert.deepEqual(addrAt(c.frame, p.srcOff, ver), parseAddr(c.inner.src!));
    assert.deepEqual(addrAt(c.frame, p.dstOff, ver), parseAddr(c.inner.dst!));
    assert.deepEqual([p.srcPort, p.dstPort, p.seq, p.ack, p.flags, p.window, p.payloadLen], [43210, 22, 0xdeadbeef, 0x01020304, 0x10, 501, 0]);
    assert.equal(p.ipId, ver === 4 ? 0x4242 : -1);
    assert.deepEqual([p.tenantKind, p.tenantId], [c.kind, c.id]);
    assert.deepEqual(weirds(d), {});
  });
}

test('tunnel: an inner Ethernet frame\'s VLAN tags replace the outer ones', () => {
  const { d } = decodeFrame(vxlanFrame(1, innerEthernet({ ...v4, vlan: [300] }), { vlan: [5] } as never));
  assert.deepEqual([d.pkt.vlanOuter, d.pkt.vlanInner], [300, 0]);
});

test('tunnel: tshark finds the same inner TCP ports in every generated frame', (t) => {
  if (!haveTshark()) { t.skip('tshark not installed'); return; }
  for (const link of ['ether', 'sll2'] as const) {
    // tshark takes an MPLS payload starting with 0 for a control word only when told the pseudowire type.
    const cases = CASES.filter((c) => (c.link ?? 'ether') === link && !c.name.startsWith('MPLS pseudowire'));
    const file = writePcap(linkTypeOf(link), cases.map((c) => c.frame));
    // Geneve on 6081 and GTP-U on 2152 are tshark's defaults too.
    const rows = tsharkFields(file, ['tcp.srcport', 'tcp.dstport']);
    assert.equal(rows.length, cases.length);
    const wrong = rows.flatMap((r, i) => (r.join(' ') === '43210 22' ? [] : [`${cases[i]!.name}: '${r.join(' ')}'`]));
    assert.deepEqual(wrong, []);
  }
});

const odd: Array<[string, Buffer, string]> = [
  ['VXLAN cut short', vxlanFrame(1, innerEthernet(v4)).subarray(0, 14 + 20 + 8 + 5), 'vxlan-truncated'],
  ['Geneve of a version that does not exist', (() => { const f = geneveFrame(1, 0x6558, innerEthernet(v4)); f[14 + 20 + 8] |= 0x40; return f; })(), 'geneve-bad-version'],
  ['Geneve carrying an unknown protocol', geneveFrame(1, 0x1234, innerIp(v4)), 'geneve-unsupported-0x1234'],
  ['GRE carrying an unknown protocol', greFrame(0x9999, innerIp(v4)), 'gre-unsupported-0x9999'],
  ['GRE version 2', (() => { const f = greFrame(0x0800, innerIp(v4)); f[14 + 20 + 1] = 2; return f; })(), 'gre-version-unsupported-0x0002'],
  ['GRE with source routing', (() => { const f = greFrame(0x0800, innerIp(v4)); f[14 + 20] |= 0x40; return f; })(), 'gre-unsupported-routing'],
  ['ERSPAN III with a frame type it does not know', greFrame(0x22eb, Buffer.concat([erspan3Header(1, 5), innerEthernet(v4)]), { seq: 1 }), 'erspan-frame-type-unsupported-0x0005'],
  ['MPLS without a bottom of stack', mplsFrame([1, 2], Buffer.alloc(0)).subarray(0, 14 + 8), 'mpls-truncated'],
  ['MPLS of seventeen labels', mplsFrame(Array.from({ length: 17 }, (_, i) => i + 16), innerIp(v4)), 'mpls-too-many-labels'],
  ['MPLS carrying neither IP nor a control word', mplsFrame([16], Buffer.from([0x80, 1, 2, 3, 4, 5])), 'mpls-unknown-payload'],
  ['PPPoE header cut short', pppoeFrame(1, innerIp(v4)).subarray(0, 14 + 4), 'pppoe-truncated'],
  ['GTP-U cut short', gtpuFrame(1, innerIp(v4)).subarray(0, 14 + 20 + 8 + 6), 'gtp-truncated'],
  ['GTP-U G-PDU not holding IP', gtpuFrame(1, Buffer.from([0x10, 0, 0, 0])), 'gtp-unknown-payload'],
  ['LLC/SNAP cut short', llcSnapFrame(innerIp(v4)).subarray(0, 14 + 5), 'llc-truncated'],
];
for (const [name, frame, weird] of odd) {
  test(`tunnel: ${name} is counted as ${weird}`, () => {
    const { d, kind } = decodeFrame(frame);
    assert.equal(kind, PacketKind.Other);
    assert.deepEqual(weirds(d), { [weird]: 1 });
  });
}

test('tunnel: nine tunnels deep is counted, not followed', () => {
  let ip = innerIp(v4);
  for (let i = 0; i < 9; i++) ip = Buffer.from(ipInIpFrame(ip).subarray(14));
  const { d, kind } = decodeFrame(Buffer.concat([tcpFrame().subarray(0, 14), ip])); // an IPv4 Ethernet header
  assert.equal(kind, PacketKind.Other);
  assert.deepEqual(weirds(d), { 'tunnel-too-deep': 1 });
});

test('tunnel: control traffic inside tunnels is not odd (PPP LCP, GTP echo, STP over LLC)', () => {
  const lcp = pppoeFrame(1, innerIp(v4));
  lcp.writeUInt16BE(0xc021, 14 + 6);
  const echo = gtpuFrame(1, innerIp(v4));
  echo[14 + 20 + 8 + 1] = 1; // echo request
  const stp = llcSnapFrame(innerIp(v4));
  stp[14] = 0x42; stp[15] = 0x42;
  for (const f of [lcp, echo, stp]) {
    const { d, kind } = decodeFrame(f);
    assert.equal(kind, PacketKind.Other);
    assert.deepEqual(weirds(d), {});
  }
});

test('tunnel: the tunnel\'s identifier of one frame does not stick to the next', () => {
  const d = decodeFrame(vxlanFrame(5, innerEthernet(v4))).d;
  const plain = tcpFrame(v4), ipip = ipInIpFrame(innerIp(v4));
  assert.equal(d.decode(1, plain, 0, plain.length), PacketKind.Tcp);
  assert.deepEqual([d.pkt.tenantKind, d.pkt.tenantId], [0, 0]);
  assert.equal(d.decode(1, ipip, 0, ipip.length), PacketKind.Tcp);
  assert.deepEqual([d.pkt.tenantKind, d.pkt.tenantId], [0, 0]);
});

test('tunnel: GRE key 0 and no key are told apart', () => {
  const a = decodeFrame(greFrame(0x0800, innerIp(v4), { key: 0 })).d.pkt;
  const b = decodeFrame(greFrame(0x0800, innerIp(v4))).d.pkt;
  assert.deepEqual([a.tenantKind, b.tenantKind], [TenantKind.GreKey, TenantKind.None]);
});

