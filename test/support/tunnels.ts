// Builds tunnelled frames for tests: an inner TCP segment (frames.ts) wrapped in the encapsulation
// headers as their specifications lay them out, inside an outer Ethernet/IP frame.
import { ipPacket, linkFrame, tcpFrame, tcpSegment, udpFrame, type IpSpec, type LinkSpec, type TcpSpec } from './frames';

/** The inner IP packet (with its TCP segment) of `s`. */
export const innerIp = (s: TcpSpec): Buffer => ipPacket(s, 6, tcpSegment(s));
/** The inner Ethernet frame (with VLAN tags if `s.vlan`) of `s`. */
export const innerEthernet = (s: TcpSpec): Buffer => tcpFrame({ ...s, link: 'ether' });

const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };

/** Outer addresses; outer link defaults to Ethernet. */
const OUTER: IpSpec = { src: '198.51.100.1', dst: '198.51.100.2' };

export function vxlanFrame(vni: number, inner: Buffer, outer: LinkSpec & IpSpec = {}): Buffer {
  const h = Buffer.concat([Buffer.from([0x08, 0, 0, 0]), u32(vni << 8)]);
  return udpFrame({ ...OUTER, ...outer, sport: 49152, dport: 4789, payload: Buffer.concat([h, inner]) });
}

/** Geneve with `optWords` 4-byte option words; protocol 0x6558 (Ethernet) or an EtherType. */
export function geneveFrame(vni: number, proto: number, inner: Buffer, optWords = 0): Buffer {
  const h = Buffer.concat([Buffer.from([optWords & 0x3f, 0]), u16(proto), u32(vni << 8), Buffer.alloc(optWords * 4, 0xcc)]);
  return udpFrame({ ...OUTER, sport: 49153, dport: 6081, payload: Buffer.concat([h, inner]) });
}

export interface GreSpec { readonly key?: number; readonly seq?: number; readonly csum?: boolean; readonly version?: number; readonly ack?: number }

export function greHeader(proto: number, g: GreSpec = {}): Buffer {
  const v = g.version ?? 0;
  const flags = (g.csum ? 0x80 : 0) | (g.key !== undefined ? 0x20 : 0) | (g.seq !== undefined ? 0x10 : 0);
  const parts = [Buffer.from([flags, (g.ack !== undefined ? 0x80 : 0) | v]), u16(proto)];
  if (g.csum) parts.push(Buffer.alloc(4));
  if (g.key !== undefined) parts.push(u32(g.key));
  if (g.seq !== undefined) parts.push(u32(g.seq));
  if (g.ack !== undefined) parts.push(u32(g.ack));
  return Buffer.concat(parts);
}

/** GRE over outer IPv4 (or IPv6 if `outer.src` has ':'). */
export function greFrame(proto: number, inner: Buffer, g: GreSpec = {}, outer: IpSpec = OUTER): Buffer {
  return linkFrame({}, ipPacket(outer, 47, Buffer.concat([greHeader(proto, g), inner])));
}

export function erspan2Header(session: number, vlan = 0): Buffer {
  return Buffer.concat([u16(0x1000 | vlan), u16(session & 0x3ff), u32(7)]);
}

/** ERSPAN type III: `frameType` 0 (Ethernet) or 2 (IP); `subheader` adds the 8-byte platform subheader. */
export function erspan3Header(session: number, frameType = 0, subheader = false): Buffer {
  const w2 = Buffer.from([0, 0, (frameType & 0x1f) << 2, subheader ? 1 : 0]);
  return Buffer.concat([u16(0x2000), u16(session & 0x3ff), u32(123456), w2, subheader ? Buffer.alloc(8, 0xee) : Buffer.alloc(0)]);
}

/** A label stack entry: label, bottom-of-stack, TTL 64. */
export const mplsLabel = (label: number, bottom: boolean): Buffer => u32((label << 12) | (bottom ? 0x100 : 0) | 64);

export function mplsFrame(labels: readonly number[], payload: Buffer, link: LinkSpec = {}): Buffer {
  const stack = Buffer.concat(labels.map((l, i) => mplsLabel(l, i === labels.length - 1)));
  return linkFrame({ ...link, etherType: 0x8847 }, Buffer.concat([stack, payload]));
}

/** PPPoE session frame; `compress` writes the PPP protocol in one byte. */
export function pppoeFrame(session: number, ip: Buffer, compress = false): Buffer {
  const v6 = ip[0] >> 4 === 6;
  const ppp = compress && !v6 ? Buffer.from([0x21]) : u16(v6 ? 0x0057 : 0x0021);
  const h = Buffer.concat([Buffer.from([0x11, 0]), u16(session), u16(ppp.length + ip.length)]);
  return linkFrame({ etherType: 0x8864 }, Buffer.concat([h, ppp, ip]));
}

/** GTP-U G-PDU; `ext` adds the optional fields and one PDU session container extension. */
export function gtpuFrame(teid: number, ip: Buffer, ext = false): Buffer {
  const opt = ext ? Buffer.concat([u16(1), Buffer.from([0, 0x85]), Buffer.from([1, 0x10, 0x05, 0])]) : Buffer.alloc(0);
  const h = Buffer.concat([Buffer.from([ext ? 0x34 : 0x30, 255]), u16(opt.length + ip.length), u32(teid), opt]);
  return udpFrame({ ...OUTER, sport: 2152, dport: 2152, payload: Buffer.concat([h, ip]) });
}

/** An 802.3 frame (length instead of EtherType) with LLC/SNAP carrying `ip`. */
export function llcSnapFrame(ip: Buffer, link: LinkSpec = {}): Buffer {
  const snap = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, ...u16(ip[0] >> 4 === 6 ? 0x86dd : 0x0800)]);
  const body = Buffer.concat([snap, ip]);
  return linkFrame({ ...link, etherType: (link.link ?? 'ether') === 'ether' ? body.length : 4 }, body);
}

/** `ip` inside an outer IPv4 or IPv6 packet (protocol 4 or 41 by the inner version). */
export function ipInIpFrame(ip: Buffer, outer: IpSpec = OUTER): Buffer {
  return linkFrame({}, ipPacket(outer, ip[0] >> 4 === 6 ? 41 : 4, ip));
}
