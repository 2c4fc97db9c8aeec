// PPP frames carried by PPPoE sessions and by GRE version 1 (PPTP): only IP is ours; LCP, IPCP
// and the other control protocols are simply not TCP.
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../link/state';
import { Weird } from '../weird';
import { NOT_TUNNEL, type TunnelState } from './state';

const PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057;

/** `off` is the PPP frame; `hdlc`: it may start with address and control bytes FF 03 (PPTP). */
export function parsePpp(buf: Buffer, off: number, end: number, st: TunnelState, hdlc: boolean): number {
  let p = off;
  if (hdlc && p + 2 <= end && buf[p] === 0xff && buf[p + 1] === 0x03) p += 2;
  if (p + 1 > end) return -Weird.PppTruncated;
  let proto: number;
  // Protocol-field compression (RFC 1661 §6.5): an odd first byte is the whole protocol. RFC 2516
  // forbids it on PPPoE, yet some peers do it there too.
  if ((buf[p] & 1) !== 0) { proto = buf[p]; p += 1; } else {
    if (p + 2 > end) return -Weird.PppTruncated;
    proto = (buf[p] << 8) | buf[p + 1];
    p += 2;
  }
  if (proto === PPP_IPV4) { st.etherType = ETHERTYPE_IPV4; return p; }
  if (proto === PPP_IPV6) { st.etherType = ETHERTYPE_IPV6; return p; }
  return NOT_TUNNEL;
}
