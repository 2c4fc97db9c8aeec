// Link layer → IP → TCP / ICMP error, into one reused DecodedPacket. Every layer checks its length
// against the captured bytes and the IP length fields, and reports a problem as a named counter in
// `weird` instead of throwing.
import { ICMP_TCP_ERROR, parseIcmpError } from './icmp';
import { IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IpState } from './ip';
import { parseIpv4 } from './ipv4';
import { parseIpv6 } from './ipv6';
import { LINKTYPE_ETHERNET, parseEthernet } from './link/ethernet';
import { LINKTYPE_LOOP, LINKTYPE_NULL, parseNull } from './link/null';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, parseSll, parseSll2 } from './link/sll';
import { ETHERTYPE_BY_VERSION, ETHERTYPE_IPV4, ETHERTYPE_IPV6, LinkState } from './link/state';
import { DecodedPacket, PacketKind } from './packet';
import { parseTcp } from './tcp';
import { innerOfIp, innerOfLink } from './tunnel/inner';
import { NOT_TUNNEL, TunnelState } from './tunnel/state';
import { Weird, WEIRD_NAMES } from './weird';

/** Bare IP, version from the first nibble: LINKTYPE_RAW, and DLT_RAW's number on OpenBSD files. */
const LINKTYPE_RAW = 101, LINKTYPE_RAW_OPENBSD = 12;
const LINKTYPE_IPV4 = 228, LINKTYPE_IPV6 = 229;
/** Tunnels inside tunnels: a bound, so a crafted frame cannot loop. Real stacks are 2–3 deep. */
const MAX_TUNNEL_DEPTH = 8;

export class Decoder {
  readonly pkt = new DecodedPacket();
  /** Anomaly counters by name ("ipv4-truncated", "linktype-unsupported-147", …). */
  readonly weird: Record<string, number> = Object.create(null);

  private readonly link = new LinkState();
  private readonly ip = new IpState();
  private readonly quoted = new IpState();
  private readonly tun = new TunnelState();
  /** "linktype-unsupported-N" keys, built once per N. */
  private readonly unsupportedKeys = new Map<number, string>();

  /**
   * Decodes `buf[off, off+caplen)` captured on `linkType` into `pkt` (by default the decoder's own)
   * and returns its kind.
   */
  decode(linkType: number, buf: Buffer, off: number, caplen: number, pkt: DecodedPacket = this.pkt): PacketKind {
    pkt.kind = PacketKind.Other;
    pkt.buf = buf;
    pkt.vlanOuter = 0;
    pkt.vlanInner = 0;
    pkt.tenantKind = 0;
    pkt.tenantId = 0;
    pkt.ipVersion = 0;
    // A record claiming more bytes than the buffer holds is clamped: nothing past it is read.
    let end = off + caplen <= buf.length ? off + caplen : buf.length;
    const link = this.link;
    link.reset();

    let l3: number;
    switch (linkType) {
      case LINKTYPE_ETHERNET: l3 = parseEthernet(buf, off, end, link); break;
      case LINKTYPE_LINUX_SLL: l3 = parseSll(buf, off, end, link); break;
      case LINKTYPE_LINUX_SLL2: l3 = parseSll2(buf, off, end, link); break;
      case LINKTYPE_NULL: case LINKTYPE_LOOP: l3 = parseNull(buf, off, end, link); break;
      case LINKTYPE_RAW: case LINKTYPE_RAW_OPENBSD: link.etherType = ETHERTYPE_BY_VERSION; l3 = off; break;
      case LINKTYPE_IPV4: link.etherType = ETHERTYPE_IPV4; l3 = off; break;
      case LINKTYPE_IPV6: link.etherType = ETHERTYPE_IPV6; l3 = off; break;
      default: return this.unsupported(linkType);
    }
    if (l3 < 0) return this.fail(-l3, pkt);
    pkt.vlanOuter = link.vlanOuter;
    pkt.vlanInner = link.vlanInner;

    let etherType = link.etherType;
    const ip = this.ip;
    // Once per layer: plain IP takes one pass; a tunnel or encapsulation goes round again with its
    // inner packet (decode/tunnel/), up to MAX_TUNNEL_DEPTH layers.
    for (let depth = 0; ; depth++) {
      if (etherType === ETHERTYPE_BY_VERSION) {
        if (l3 >= end) return this.fail(Weird.IpTruncated, pkt);
        const v = buf[l3] >> 4;
        if (v === 4) etherType = ETHERTYPE_IPV4;
        else if (v === 6) etherType = ETHERTYPE_IPV6;
        else return this.fail(Weird.IpBadVersion, pkt);
      }
      let l4: number;
      if (etherType === ETHERTYPE_IPV4) l4 = parseIpv4(buf, l3, end, ip, false);
      else if (etherType === ETHERTYPE_IPV6) l4 = parseIpv6(buf, l3, end, ip, false);
      else {
        // MPLS, PPPoE, LLC/SNAP; ARP and the like are not ours, and not odd.
        if (depth === 0) this.tun.reset();
        const inner = this.enter(depth, pkt, innerOfLink(buf, l3, end, etherType, this.tun));
        if (inner < 0) return PacketKind.Other;
        etherType = this.tun.etherType;
        l3 = inner;
        continue;
      }
      if (l4 < 0) return this.fail(-l4, pkt);
      pkt.ipVersion = ip.version;
      pkt.srcOff = ip.srcOff;
      pkt.dstOff = ip.dstOff;
      pkt.ttl = ip.ttl;
      pkt.ipId = ip.version === 4 ? (buf[l3 + 4] << 8) | buf[l3 + 5] : -1;

      const proto = ip.proto;
      if (proto === IPPROTO_TCP) {
        const w = parseTcp(buf, l4, ip.end, end, pkt);
        if (w === Weird.TcpBadOption) this.bump(w); // the fixed header is still good
        else if (w !== Weird.None) return this.fail(w, pkt);
        return (pkt.kind = PacketKind.Tcp);
      }
      if ((proto === IPPROTO_ICMP && ip.version === 4) || (proto === IPPROTO_ICMPV6 && ip.version === 6)) {
        const r = parseIcmpError(buf, l4, ip.end < end ? ip.end : end, ip.version === 6, pkt, this.quoted);
        if (r < 0) return this.fail(-r, pkt);
        return r === ICMP_TCP_ERROR ? (pkt.kind = PacketKind.IcmpError) : PacketKind.Other;
      }
      // IP-in-IP, 4in6/6in4, GRE, and UDP to a tunnel port.
      if (ip.end < end) end = ip.end;
      if (depth === 0) this.tun.reset();
      const inner = this.enter(depth, pkt, innerOfIp(buf, l4, end, proto, this.tun));
      if (inner < 0) return PacketKind.Other;
      etherType = this.tun.etherType;
      l3 = inner;
    }
  }

  /**
   * After a tunnel parser returned `inner` for layer `depth`: the inner offset, with what separates
   * tenants (and an inner frame's VLANs) copied to pkt; or −1 when there is nothing more to decode,
   * counted in `weird` when that was odd.
   */
  private enter(depth: number, pkt: DecodedPacket, inner: number): number {
    const tun = this.tun;
    if (inner === NOT_TUNNEL) return -1;
    if (inner < 0) {
      if (inner === -Weird.TunnelUnsupported) this.weird[tun.unsupported] = (this.weird[tun.unsupported] ?? 0) + 1;
      else this.bump(-inner);
      return -1;
    }
    if (depth >= MAX_TUNNEL_DEPTH) { this.bump(Weird.TunnelTooDeep); return -1; }
    pkt.tenantKind = tun.tenantKind;
    pkt.tenantId = tun.tenantId;
    if (tun.link.vlanOuter !== 0) { pkt.vlanOuter = tun.link.vlanOuter; pkt.vlanInner = tun.link.vlanInner; }
    return inner;
  }

  private bump(w: Weird): void {
    const k = WEIRD_NAMES[w];
    this.weird[k] = (this.weird[k] ?? 0) + 1;
  }

  private fail(w: Weird, pkt: DecodedPacket): PacketKind {
    this.bump(w);
    pkt.kind = PacketKind.Other;
    return PacketKind.Other;
  }

  private unsupported(linkType: number): PacketKind {
    let k = this.unsupportedKeys.get(linkType);
    if (k === undefined) {
      k = `linktype-unsupported-${linkType}`;
      this.unsupportedKeys.set(linkType, k);
    }
    this.weird[k] = (this.weird[k] ?? 0) + 1;
    return PacketKind.Other;
  }
}
