// GRE (RFC 2784 with the key and sequence fields of RFC 2890; version 1 is PPTP's, RFC 2637)
// and what it carries: IP, bridged Ethernet, MPLS, PPP, and ERSPAN mirror sessions.
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../link/state';
import { Weird } from '../weird';
import { parseErspan2, parseErspan3, ETHERTYPE_ERSPAN_2, ETHERTYPE_ERSPAN_3 } from './erspan';
import { innerEthernet } from './ethernet';
import { ETHERTYPE_TEB } from './geneve';
import { ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST } from './mpls';
import { parsePpp } from './ppp';
import { TenantKind, unsupportedKey, type TunnelState } from './state';

export const IPPROTO_GRE = 47;
const GRE_CSUM = 0x80, GRE_ROUTING = 0x40, GRE_KEY = 0x20, GRE_SEQ = 0x10, GRE_ACK = 0x80;
const ETHERTYPE_PPP = 0x880b;

/** `off` is the GRE header (the IP payload). Returns the inner network-layer offset or −Weird. */
export function parseGre(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 4 > end) return -Weird.GreTruncated;
  const flags = buf[off], version = buf[off + 1] & 7;
  const proto = (buf[off + 2] << 8) | buf[off + 3];
  let p = off + 4;
  if (version === 0) {
    if ((flags & GRE_ROUTING) !== 0) return -Weird.GreRouting; // source routing: long obsolete (RFC 2784)
    if ((flags & GRE_CSUM) !== 0) p += 4;
    if ((flags & GRE_KEY) !== 0) {
      if (p + 4 > end) return -Weird.GreTruncated;
      st.setTenant(TenantKind.GreKey, (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]);
      p += 4;
    }
    if ((flags & GRE_SEQ) !== 0) p += 4;
  } else if (version === 1) {
    // PPTP: the key field is payload length and the receiver's call id, which differs per
    // direction; the outer addresses tell sessions apart, so the tunnel adds nothing to the key.
    if (off + 8 > end) return -Weird.GreTruncated;
    p += 4;
    if ((flags & GRE_SEQ) !== 0) p += 4;
    if ((buf[off + 1] & GRE_ACK) !== 0) p += 4;
  } else {
    st.unsupported = unsupportedKey('gre-version', version);
    return -Weird.TunnelUnsupported;
  }
  if (p > end) return -Weird.GreTruncated;
  switch (proto) {
    case ETHERTYPE_IPV4: case ETHERTYPE_IPV6: case ETHERTYPE_MPLS: case ETHERTYPE_MPLS_MULTICAST:
      st.etherType = proto;
      return p;
    case ETHERTYPE_TEB: return innerEthernet(buf, p, end, st);
    case ETHERTYPE_PPP: return parsePpp(buf, p, end, st, true);
    // ERSPAN type I has no header of its own (and no sequence number); type II has both.
    case ETHERTYPE_ERSPAN_2: return (flags & GRE_SEQ) !== 0 ? parseErspan2(buf, p, end, st) : innerEthernet(buf, p, end, st);
    case ETHERTYPE_ERSPAN_3: return parseErspan3(buf, p, end, st);
    default:
      st.unsupported = unsupportedKey('gre', proto);
      return -Weird.TunnelUnsupported;
  }
}
