// Where a tunnel starts: an EtherType the IP dispatch does not take (MPLS, PPPoE, LLC/SNAP), or an
// IP payload that is another packet (IP-in-IP, 4in6, 6in4, GRE) or a UDP tunnel (VXLAN, Geneve,
// GTP-U). Each returns the inner network-layer offset with st.etherType set, NOT_TUNNEL when the
// payload is simply something else, or −Weird.
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../link/state';
import { parseGeneve, GENEVE_PORT } from './geneve';
import { IPPROTO_GRE, parseGre } from './gre';
import { GTPU_PORT, parseGtpU } from './gtp';
import { parseLlcSnap } from './llc';
import { ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST, parseMpls } from './mpls';
import { ETHERTYPE_PPPOE_SESSION, parsePppoe } from './pppoe';
import { NOT_TUNNEL, type TunnelState } from './state';
import { parseVxlan, VXLAN_PORT } from './vxlan';

const IPPROTO_IPIP = 4, IPPROTO_IPV6 = 41, IPPROTO_UDP = 17;
/** Below this an Ethernet "EtherType" is an 802.3 length (Linux cooked: an ETH_P_ code such as 4, 802.2). */
const MIN_ETHERTYPE = 0x0600;

export function innerOfLink(buf: Buffer, off: number, end: number, etherType: number, st: TunnelState): number {
  switch (etherType) {
    case ETHERTYPE_MPLS: case ETHERTYPE_MPLS_MULTICAST: return parseMpls(buf, off, end, st);
    case ETHERTYPE_PPPOE_SESSION: return parsePppoe(buf, off, end, st);
    default: return etherType >= 0 && etherType < MIN_ETHERTYPE ? parseLlcSnap(buf, off, end, st) : NOT_TUNNEL;
  }
}

/** `l4` is the IP payload of protocol `proto`; `end` the IP packet's end within the captured bytes. */
export function innerOfIp(buf: Buffer, l4: number, end: number, proto: number, st: TunnelState): number {
  switch (proto) {
    case IPPROTO_IPIP: st.etherType = ETHERTYPE_IPV4; return l4;
    case IPPROTO_IPV6: st.etherType = ETHERTYPE_IPV6; return l4;
    case IPPROTO_GRE: return parseGre(buf, l4, end, st);
    case IPPROTO_UDP: {
      if (l4 + 8 > end) return NOT_TUNNEL;
      const sport = (buf[l4] << 8) | buf[l4 + 1], dport = (buf[l4 + 2] << 8) | buf[l4 + 3];
      // The UDP length bounds the payload (a short capture ends it sooner).
      const len = (buf[l4 + 4] << 8) | buf[l4 + 5];
      const stop = len >= 8 && l4 + len < end ? l4 + len : end;
      if (dport === VXLAN_PORT) return parseVxlan(buf, l4 + 8, stop, st);
      if (dport === GENEVE_PORT) return parseGeneve(buf, l4 + 8, stop, st);
      if (dport === GTPU_PORT || sport === GTPU_PORT) return parseGtpU(buf, l4 + 8, stop, st);
      return NOT_TUNNEL;
    }
    default: return NOT_TUNNEL;
  }
}
