// ICMP/ICMPv6 errors that quote a TCP segment (RFC 792, RFC 4443): how a router or host says a
// keepalive probe could not be delivered.
import { u32 } from './bytes';
import { IPPROTO_TCP, IpState } from './ip';
import { parseIpv4 } from './ipv4';
import { parseIpv6 } from './ipv6';
import type { DecodedPacket } from './packet';
import { Weird } from './weird';

/** Result of parseIcmpError besides a −Weird: an error about TCP, or anything else. */
export const ICMP_NOT_TCP_ERROR = 0, ICMP_TCP_ERROR = 1;

/** ICMPv4 Destination Unreachable, Source Quench, Time Exceeded, Parameter Problem. */
const isIcmp4Error = (t: number): boolean => t === 3 || t === 4 || t === 11 || t === 12;
/** ICMPv6 Destination Unreachable, Packet Too Big, Time Exceeded, Parameter Problem. */
const isIcmp6Error = (t: number): boolean => t >= 1 && t <= 4;

/**
 * `off` is the ICMP header; `end` the smaller of the IP-length end and the captured end. Fills
 * the icmp* and quoted* fields of `pkt`, using `q` as scratch for the quoted IP header.
 */
export function parseIcmpError(buf: Buffer, off: number, end: number, v6: boolean,
  pkt: DecodedPacket, q: IpState): number {
  if (off + 4 > end) return -Weird.IcmpTruncated;
  const type = buf[off];
  if (!(v6 ? isIcmp6Error(type) : isIcmp4Error(type))) return ICMP_NOT_TCP_ERROR;
  // Type, code, checksum and 4 type-specific bytes precede the quoted packet.
  if (off + 8 > end) return -Weird.IcmpTruncated;
  const r = v6 ? parseIpv6(buf, off + 8, end, q, true) : parseIpv4(buf, off + 8, end, q, true);
  if (r < 0) return -quotedWeird(-r);
  if (q.proto !== IPPROTO_TCP) return ICMP_NOT_TCP_ERROR;
  // RFC 792 guarantees 8 bytes of the original transport header: ports and sequence number.
  if (r + 8 > end) return -Weird.IcmpQuotedTruncated;
  pkt.icmpType = type;
  pkt.icmpCode = buf[off + 1];
  pkt.quotedIpVersion = q.version;
  pkt.quotedSrcOff = q.srcOff;
  pkt.quotedDstOff = q.dstOff;
  pkt.quotedSrcPort = (buf[r] << 8) | buf[r + 1];
  pkt.quotedDstPort = (buf[r + 2] << 8) | buf[r + 3];
  pkt.quotedSeq = u32(buf, r + 4);
  return ICMP_TCP_ERROR;
}

function quotedWeird(w: Weird): Weird {
  switch (w) {
    case Weird.Ipv4Truncated: case Weird.Ipv6Truncated: case Weird.Ipv6ExtTruncated:
    case Weird.Ipv6BadPayloadLength:
      return Weird.IcmpQuotedTruncated;
    case Weird.Ipv4Fragment: case Weird.Ipv6Fragment:
      return Weird.IcmpQuotedFragment;
    default:
      return w;
  }
}
