// What the IPv4/IPv6 parsers leave for the transport layer. One instance per use (outer packet,
// quoted packet inside an ICMP error), overwritten for every frame.

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_ICMPV6 = 58;

export class IpState {
  version = 0;
  /** Upper-layer protocol after any IPv6 extension headers. */
  proto = 0;
  srcOff = 0;
  dstOff = 0;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl = 0;
  /** IPv4 Identification; 0 for IPv6 (its ID lives only in a fragment header). */
  ipId = 0;
  /** Offset of the upper-layer header. */
  l4Off = 0;
  /**
   * Where the IP length fields say the packet ends. It may lie beyond the captured bytes (snap
   * length); when the length field is 0 (TSO/GSO on the capturing host, jumbograms) it is the
   * captured end instead.
   */
  end = 0;
}
