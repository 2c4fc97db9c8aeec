// The decoder's output: one reused object, overwritten for every frame. Addresses are not copied:
// they stay in `buf` at `srcOff`/`dstOff` (4 bytes for IPv4, 16 for IPv6) and are valid only until
// the next frame.

export const enum PacketKind {
  /** Not TCP and not an ICMP error about TCP (counted, ignored). */
  Other = 0,
  /** A TCP segment: the ip* and tcp* fields describe it. */
  Tcp = 1,
  /**
   * An ICMP/ICMPv6 error quoting a TCP segment. The ip* fields describe the ICMP packet's own
   * IP header (who sent the error); the quoted* fields describe the quoted segment as its sender
   * sent it (quotedSrc = the TCP sender, i.e. the host whose probe drew the error).
   */
  IcmpError = 2,
}

/**
 * TCP flag bits as in the header's 13th byte. A const enum, so each use is the number itself:
 * imported constants are property loads, and the engine's optimized code was thrown away the first
 * time a rare branch (a FIN after a probe, say) loaded one.
 */
export const enum TcpFlag { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20 }

export class DecodedPacket {
  kind: PacketKind = PacketKind.Other;
  buf: Buffer = Buffer.alloc(0);

  /** 802.1Q/802.1ad VLAN IDs, outer and inner; 0 when absent. */
  vlanOuter = 0;
  vlanInner = 0;

  /**
   * What separates tenants in the innermost tunnel the segment came through (decode/tunnel/):
   * a TenantKind (0: none) and its identifier (VNI, GRE key, top MPLS label, PPPoE session, …).
   */
  tenantKind = 0;
  tenantId = 0;

  /** 4 or 6. */
  ipVersion = 0;
  /** IPv4 Identification of the (innermost) IP header; -1 for IPv6. */
  ipId = -1;
  srcOff = 0;
  dstOff = 0;
  /** IPv4 TTL or IPv6 hop limit of the (outer) IP header: tells the sending stack's family apart. */
  ttl = 0;

  // TCP (kind === Tcp)
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  /** Raw window field, unscaled. */
  window = 0;
  /** Payload bytes from the IP length fields (not the captured length; 0 padding excluded). */
  payloadLen = 0;
  /** Window scale option shift count on this segment, or -1 when absent (only SYNs carry it). */
  wscale = -1;
  /** MSS option, or -1. */
  mss = -1;
  sackPermitted = false;
  /** RFC 7323 timestamps option: present, TSval, TSecr (unsigned 32-bit). */
  hasTimestamps = false;
  tsVal = 0;
  tsEcr = 0;
  /** Offset of the TCP payload in buf; fewer than payloadLen bytes may be captured there. */
  payloadOff = 0;

  // ICMP error (kind === IcmpError)
  /** ICMP type and code of the error (ICMPv4 or ICMPv6 numbering per ipVersion). */
  icmpType = 0;
  icmpCode = 0;
  /** The quoted IP header's version and address offsets into buf. */
  quotedIpVersion = 0;
  quotedSrcOff = 0;
  quotedDstOff = 0;
  quotedSrcPort = 0;
  quotedDstPort = 0;
  /** Quoted TCP sequence number: RFC 792 guarantees the first 8 bytes, which hold ports and seq. */
  quotedSeq = 0;
}
