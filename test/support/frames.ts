// Builds frame bytes for tests: link header (+ VLAN tags) → IPv4/IPv6 (+ options, fragments,
// extension headers) → TCP (+ options, payload), or an ICMP/ICMPv6 error quoting such a segment.
// Checksums are correct for the bytes as built (before any deliberate lie or truncation).
//
//   const buf = tcpFrame({ link: 'ether', vlan: [100], src: '10.0.0.1', dst: '10.0.0.2',
//     sport: 40000, dport: 22, seq: 1000, ack: 2000, flags: 'A', win: 501, payload: 0, pad: 60 });
//   decoder.decode(linkTypeOf('ether'), buf, 0, buf.length);
//
// Addresses containing ':' make IPv6.

export type LinkKind = 'ether' | 'sll' | 'sll2' | 'raw' | 'ipv4' | 'ipv6' | 'null' | 'loop';

/** LINKTYPE_* numbers as written in pcap/pcapng files. */
export const LINKTYPE: Readonly<Record<LinkKind, number>> = {
  ether: 1, sll: 113, sll2: 276, raw: 101, ipv4: 228, ipv6: 229, null: 0, loop: 108,
};

export const linkTypeOf = (link: LinkKind = 'ether'): number => LINKTYPE[link];

/** One IPv6 extension header, in order after the fixed header. */
export interface Ext6 {
  readonly type: 'hop' | 'routing' | 'frag' | 'dest' | 'ah';
  /** Total bytes of this header (multiple of 8; AH: multiple of 4, at least 12). Default 8 (AH 24). */
  readonly len?: number;
  /** Fragment header: offset in bytes (multiple of 8) and the M flag. */
  readonly fragOffset?: number;
  readonly more?: boolean;
}

export interface LinkSpec {
  /** Default 'ether'. */
  readonly link?: LinkKind;
  /** VLAN IDs, outer first (Ethernet and Linux cooked). */
  readonly vlan?: readonly number[];
  /** TPID per tag; default 0x88a8 for the outer tag of a stack of 2+, else 0x8100. */
  readonly vlanTpids?: readonly number[];
  /** null/loop address family value; default 2 (IPv4) or 30 (IPv6, Darwin). */
  readonly af?: number;
  /** null/loop byte order of the family; default 'le' for null, 'be' for loop. */
  readonly afOrder?: 'le' | 'be';
  /** Linux cooked ARPHRD type; default 1 (Ethernet). 772 is loopback. */
  readonly hatype?: number;
  /** Override the EtherType / cooked protocol (after any tags). */
  readonly etherType?: number;
  /** Zero-pad the finished frame to at least this many bytes (Ethernet minimum: 60). */
  readonly pad?: number;
  /** Cut the finished frame to this many bytes (a short snap length). */
  readonly truncate?: number;
}

export interface IpSpec extends LinkSpec {
  /** Defaults 10.0.0.1 → 10.0.0.2; an address with ':' makes IPv6. */
  readonly src?: string;
  readonly dst?: string;
  /** TTL / hop limit; default 64. */
  readonly ttl?: number;
  readonly ipId?: number;
  /** IPv4 options: bytes as given, or that many bytes of NOPs ending in EOL (padded to 4). */
  readonly ipOptions?: Buffer | number;
  /** IPv4 fragment: offset in bytes (multiple of 8) and the MF flag. */
  readonly frag?: { readonly offset: number; readonly more?: boolean };
  readonly ext?: readonly Ext6[];
  /** Lie: IPv4 Total Length / IPv6 Payload Length (0 = segmentation offload on the capturing host). */
  readonly ipLen?: number;
  /** Lie: IPv4 header length in 32-bit words. */
  readonly ihl?: number;
  /** Lie: the IP version nibble. */
  readonly ipVersion?: number;
}

export interface TcpOptions {
  readonly mss?: number;
  readonly wscale?: number;
  readonly sackPerm?: boolean;
  /** [TSval, TSecr]. */
  readonly ts?: readonly [number, number];
  /** SACK blocks [left, right]. */
  readonly sack?: ReadonlyArray<readonly [number, number]>;
  /** Appended as given (after the others), then NOP-padded to 4. */
  readonly raw?: Buffer;
}

export interface TcpSpec extends IpSpec {
  readonly sport?: number;
  readonly dport?: number;
  readonly seq?: number;
  readonly ack?: number;
  /** Letters F S R P A U E C (e.g. 'SA', 'FA', 'RA', 'PA'), or the flags byte. Default 'A'. */
  readonly flags?: string | number;
  readonly win?: number;
  /** Byte count (filled with 'a'), bytes, or text. Default 0. */
  readonly payload?: number | Buffer | string;
  readonly opts?: TcpOptions;
  /** Lie: the data offset in 32-bit words. */
  readonly dataOffset?: number;
}

export interface UdpSpec extends IpSpec {
  readonly sport?: number;
  readonly dport?: number;
  readonly payload?: number | Buffer | string;
}

export interface IcmpErrorSpec extends IpSpec {
  /** ICMPv4 3/11/4/12 or ICMPv6 1/2/3/4 (version follows the addresses). */
  readonly type: number;
  readonly code?: number;
  /** The segment the error is about, as its sender sent it. */
  readonly quoted: TcpSpec;
  /**
   * Bytes of the quoted packet after its IP header(s) to include; default 8 for ICMPv4
   * (RFC 792's minimum), the whole segment for ICMPv6.
   */
  readonly quotedBytes?: number;
  /** Type-specific word (next-hop MTU for "fragmentation needed" / "packet too big"). */
  readonly mtu?: number;
}

const FLAG_BITS: Readonly<Record<string, number>> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

export function flagsByte(f: string | number): number {
  if (typeof f === 'number') return f;
  let b = 0;
  for (const c of f.toUpperCase()) {
    const bit = FLAG_BITS[c];
    if (bit === undefined) throw new Error(`unknown TCP flag letter '${c}' in '${f}'`);
    b |= bit;
  }
  return b;
}

export function parseAddr(a: string): Buffer {
  if (!a.includes(':')) {
    const parts = a.split('.').map(Number);
    if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad IPv4 address ${a}`);
    return Buffer.from(parts);
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head), t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (all.length !== 8 || all.some((n) => !(n >= 0 && n <= 0xffff))) throw new Error(`bad IPv6 address ${a}`);
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}

function payloadBytes(p: number | Buffer | string | undefined): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  if (typeof p === 'number') return Buffer.alloc(p, 0x61);
  return typeof p === 'string' ? Buffer.from(p) : p;
}

function sum16(b: Buffer, acc = 0): number {
  for (let i = 0; i + 1 < b.length; i += 2) acc += b.readUInt16BE(i);
  if (b.length & 1) acc += b[b.length - 1] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** Upper-layer checksum with the RFC 793 / RFC 8200 pseudo-header. */
function l4Checksum(src: Buffer, dst: Buffer, proto: number, seg: Buffer): number {
  const pseudo = Buffer.alloc(src.length === 4 ? 12 : 40);
  if (src.length === 4) {
    src.copy(pseudo, 0); dst.copy(pseudo, 4); pseudo[9] = proto; pseudo.writeUInt16BE(seg.length, 10);
  } else {
    src.copy(pseudo, 0); dst.copy(pseudo, 16); pseudo.writeUInt32BE(seg.length, 32); pseudo[39] = proto;
  }
  return fold(sum16(seg, sum16(pseudo)));
}

function tcpOptionBytes(o: TcpOptions | undefined): Buffer {
  if (!o) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  if (o.mss !== undefined) { const b = Buffer.from([2, 4, 0, 0]); b.writeUInt16BE(o.mss, 2); parts.push(b); }
  if (o.sackPerm) parts.push(Buffer.from([1, 1, 4, 2]));
  if (o.ts) {
    const b = Buffer.alloc(12); b[0] = 1; b[1] = 1; b[2] = 8; b[3] = 10;
    b.writeUInt32BE(o.ts[0] >>> 0, 4); b.writeUInt32BE(o.ts[1] >>> 0, 8); parts.push(b);
  }
  if (o.wscale !== undefined) parts.push(Buffer.from([1, 3, 3, o.wscale]));
  if (o.sack && o.sack.length) {
    const b = Buffer.alloc(4 + 8 * o.sack.length); b[0] = 1; b[1] = 1; b[2] = 5; b[3] = 2 + 8 * o.sack.length;
    o.sack.forEach(([l, r], i) => { b.writeUInt32BE(l >>> 0, 4 + 8 * i); b.writeUInt32BE(r >>> 0, 8 + 8 * i); });
    parts.push(b);
  }
  if (o.raw) parts.push(o.raw);
  const all = Buffer.concat(parts);
  const padded = Buffer.alloc(Math.ceil(all.length / 4) * 4, 1);
  all.copy(padded);
  return padded;
}

function addrs(s: IpSpec): { src: Buffer; dst: Buffer } {
  const src = parseAddr(s.src ?? (s.dst?.includes(':') ? '2001:db8::1' : '10.0.0.1'));
  const dst = parseAddr(s.dst ?? (src.length === 16 ? '2001:db8::2' : '10.0.0.2'));
  if (src.length !== dst.length) throw new Error('src and dst must be the same IP version');
  return { src, dst };
}

/** TCP header + payload with a correct checksum. */
export function tcpSegment(s: TcpSpec): Buffer {
  const { src, dst } = addrs(s);
  const opts = tcpOptionBytes(s.opts);
  const data = payloadBytes(s.payload);
  const h = Buffer.alloc(20 + opts.length);
  h.writeUInt16BE(s.sport ?? 40000, 0);
  h.writeUInt16BE(s.dport ?? 80, 2);
  h.writeUInt32BE((s.seq ?? 1000) >>> 0, 4);
  h.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  h[12] = (s.dataOffset ?? h.length / 4) << 4;
  h[13] = flagsByte(s.flags ?? 'A');
  h.writeUInt16BE(s.win ?? 65535, 14);
  opts.copy(h, 20);
  const seg = Buffer.concat([h, data]);
  seg.writeUInt16BE(l4Checksum(src, dst, 6, seg), 16);
  return seg;
}

function udpDatagram(s: UdpSpec): Buffer {
  const { src, dst } = addrs(s);
  const data = payloadBytes(s.payload);
  const d = Buffer.alloc(8 + data.length);
  d.writeUInt16BE(s.sport ?? 5353, 0);
  d.writeUInt16BE(s.dport ?? 53, 2);
  d.writeUInt16BE(d.length, 4);
  data.copy(d, 8);
  d.writeUInt16BE(l4Checksum(src, dst, 17, d) || 0xffff, 6);
  return d;
}

function ipv4OptionBytes(o: Buffer | number | undefined): Buffer {
  if (o === undefined) return Buffer.alloc(0);
  if (typeof o !== 'number') {
    const b = Buffer.alloc(Math.ceil(o.length / 4) * 4);
    o.copy(b);
    return b;
  }
  const b = Buffer.alloc(Math.ceil(o / 4) * 4, 1);
  if (b.length) b[b.length - 1] = 0;
  return b;
}

const EXT_NUMBER: Readonly<Record<Ext6['type'], number>> = { hop: 0, routing: 43, frag: 44, dest: 60, ah: 51 };

function extHeader(e: Ext6, next: number): Buffer {
  if (e.type === 'frag') {
    const b = Buffer.alloc(8);
    b[0] = next;
    b.writeUInt16BE(((e.fragOffset ?? 0) & ~7) | (e.more ? 1 : 0), 2);
    b.writeUInt32BE(0x12345678, 4);
    return b;
  }
  if (e.type === 'ah') {
    const len = e.len ?? 24;
    const b = Buffer.alloc(len);
    b[0] = next; b[1] = len / 4 - 2; b.writeUInt32BE(0x100, 4); b.writeUInt32BE(1, 8);
    return b;
  }
  const len = e.len ?? 8;
  const b = Buffer.alloc(len);
  b[0] = next;
  b[1] = len / 8 - 1;
  if (e.type === 'routing') { b[2] = 253; b[3] = 0; } // experimental routing type, no segments left
  else { b[2] = 1; b[3] = len - 4; } // one PadN option filling the header
  return b;
}

/** An IPv4 or IPv6 packet around an upper-layer payload `l4` of protocol `proto`. */
export function ipPacket(s: IpSpec, proto: number, l4: Buffer): Buffer {
  const { src, dst } = addrs(s);
  if (src.length === 4) {
    const opts = ipv4OptionBytes(s.ipOptions);
    const h = Buffer.alloc(20 + opts.length);
    h[0] = ((s.ipVersion ?? 4) << 4) | (s.ihl ?? h.length / 4);
    h.writeUInt16BE(s.ipLen ?? h.length + l4.length, 2);
    h.writeUInt16BE(s.ipId ?? 1, 4);
    const frag = s.frag ? (s.frag.offset >> 3) | (s.frag.more ? 0x2000 : 0) : 0x4000;
    h.writeUInt16BE(frag, 6);
    h[8] = s.ttl ?? 64;
    h[9] = proto;
    src.copy(h, 12); dst.copy(h, 16); opts.copy(h, 20);
    h.writeUInt16BE(fold(sum16(h)), 10);
    return Buffer.concat([h, l4]);
  }
  const exts = s.ext ?? [];
  const extBufs: Buffer[] = [];
  for (let i = 0; i < exts.length; i++) {
    const next = i + 1 < exts.length ? EXT_NUMBER[exts[i + 1].type] : proto;
    extBufs.push(extHeader(exts[i], next));
  }
  const ext = Buffer.concat(extBufs);
  const h = Buffer.alloc(40);
  h.writeUInt32BE(((s.ipVersion ?? 6) << 28) >>> 0, 0);
  h.writeUInt16BE(s.ipLen ?? ext.length + l4.length, 4);
  h[6] = exts.length ? EXT_NUMBER[exts[0].type] : proto;
  h[7] = s.ttl ?? 64;
  src.copy(h, 8); dst.copy(h, 24);
  return Buffer.concat([h, ext, l4]);
}

function tagBytes(s: LinkSpec, etherType: number): { first: number; tags: Buffer } {
  const vlan = s.vlan ?? [];
  const tpid = (i: number): number => s.vlanTpids?.[i] ?? (i === 0 && vlan.length > 1 ? 0x88a8 : 0x8100);
  const tags = Buffer.alloc(4 * vlan.length);
  vlan.forEach((vid, i) => {
    tags.writeUInt16BE(vid & 0x0fff, 4 * i);
    tags.writeUInt16BE(i + 1 < vlan.length ? tpid(i + 1) : etherType, 4 * i + 2);
  });
  return { first: vlan.length ? tpid(0) : etherType, tags };
}

/** Wraps an IP packet in the link header of `s.link`, then pads and truncates. */
export function linkFrame(s: LinkSpec, ip: Buffer): Buffer {
  const v6 = ip.length > 0 && ip[0] >> 4 === 6;
  const etherType = s.etherType ?? (v6 ? 0x86dd : 0x0800);
  const link = s.link ?? 'ether';
  let hdr: Buffer;
  switch (link) {
    case 'ether': {
      const { first, tags } = tagBytes(s, etherType);
      const mac = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0, 0]);
      mac.writeUInt16BE(first, 12);
      hdr = Buffer.concat([mac, tags]);
      break;
    }
    case 'sll': {
      const { first, tags } = tagBytes(s, etherType);
      const h = Buffer.alloc(16);
      h.writeUInt16BE(0, 0); // PACKET_HOST
      h.writeUInt16BE(s.hatype ?? 1, 2);
      h.writeUInt16BE(6, 4);
      Buffer.from([2, 0, 0, 0, 0, 1]).copy(h, 6);
      h.writeUInt16BE(first, 14);
      hdr = Buffer.concat([h, tags]);
      break;
    }
    case 'sll2': {
      const { first, tags } = tagBytes(s, etherType);
      const h = Buffer.alloc(20);
      h.writeUInt16BE(first, 0);
      h.writeUInt32BE(2, 4); // ifindex
      h.writeUInt16BE(s.hatype ?? 1, 8);
      h[10] = 0; h[11] = 6;
      Buffer.from([2, 0, 0, 0, 0, 1]).copy(h, 12);
      hdr = Buffer.concat([h, tags]);
      break;
    }
    case 'null': case 'loop': {
      hdr = Buffer.alloc(4);
      const af = s.af ?? (v6 ? 30 : 2);
      if ((s.afOrder ?? (link === 'null' ? 'le' : 'be')) === 'le') hdr.writeUInt32LE(af, 0);
      else hdr.writeUInt32BE(af, 0);
      break;
    }
    case 'raw': case 'ipv4': case 'ipv6':
      hdr = Buffer.alloc(0);
      break;
  }
  let f = Buffer.concat([hdr, ip]);
  if (s.pad !== undefined && f.length < s.pad) f = Buffer.concat([f, Buffer.alloc(s.pad - f.length)]);
  if (s.truncate !== undefined) f = f.subarray(0, s.truncate);
  return f;
}

export function tcpFrame(s: TcpSpec = {}): Buffer {
  return linkFrame(s, ipPacket(s, 6, tcpSegment(s)));
}

export function udpFrame(s: UdpSpec = {}): Buffer {
  return linkFrame(s, ipPacket(s, 17, udpDatagram(s)));
}

/**
 * An ICMP/ICMPv6 error about `s.quoted`. The outer addresses default to the reverse of the quoted
 * ones (the peer answering); give src for a router in the path.
 */
export function icmpErrorFrame(s: IcmpErrorSpec): Buffer {
  const q = s.quoted;
  const { src: qsrc } = addrs(q);
  const v6 = qsrc.length === 16;
  const outer: IpSpec = {
    ...s,
    src: s.src ?? q.dst ?? (v6 ? '2001:db8::2' : '10.0.0.2'),
    dst: s.dst ?? q.src ?? (v6 ? '2001:db8::1' : '10.0.0.1'),
  };
  const seg = tcpSegment(q);
  const full = ipPacket(q, 6, seg);
  const ipHdrLen = full.length - seg.length;
  const keep = s.quotedBytes ?? (v6 ? seg.length : 8);
  const quotedBytes = full.subarray(0, ipHdrLen + Math.min(keep, seg.length));
  const icmp = Buffer.alloc(8 + quotedBytes.length);
  icmp[0] = s.type;
  icmp[1] = s.code ?? 0;
  if (s.mtu !== undefined) {
    if (v6) icmp.writeUInt32BE(s.mtu, 4);
    else icmp.writeUInt16BE(s.mtu, 6);
  }
  quotedBytes.copy(icmp, 8);
  const { src, dst } = addrs(outer);
  const ck = v6 ? l4Checksum(src, dst, 58, icmp) : fold(sum16(icmp));
  icmp.writeUInt16BE(ck, 2);
  return linkFrame(outer, ipPacket(outer, v6 ? 58 : 1, icmp));
}
