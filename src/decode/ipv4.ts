// IPv4 (RFC 791): header length from IHL, packet length from Total Length.
import { IpState } from './ip';
import { Weird } from './weird';

/**
 * Parses the header at `off`; `capEnd` is the end of the captured bytes. `quoted` is for the copy
 * inside an ICMP error, whose Total Length describes the original packet (and some old BSD stacks
 * quote it byte-swapped), so it is not used there. Returns the upper-layer offset or −Weird.
 */
export function parseIpv4(buf: Buffer, off: number, capEnd: number, st: IpState, quoted: boolean): number {
  if (off + 20 > capEnd) return -Weird.Ipv4Truncated;
  const vihl = buf[off];
  if (vihl >> 4 !== 4) return -Weird.IpBadVersion;
  const hl = (vihl & 0x0f) << 2;
  if (hl < 20) return -Weird.Ipv4BadIhl;
  if (off + hl > capEnd) return -Weird.Ipv4Truncated;
  const total = (buf[off + 2] << 8) | buf[off + 3];
  if (quoted || total === 0) {
    // Total Length 0: the capturing host handed the packet to the NIC for segmentation offload
    // before the length was filled in; the captured bytes are all there is.
    st.end = capEnd;
  } else {
    if (total < hl) return -Weird.Ipv4BadTotalLength;
    st.end = off + total;
  }
  // Only the first fragment (offset 0) carries the transport header.
  if ((((buf[off + 6] << 8) | buf[off + 7]) & 0x1fff) !== 0) return -Weird.Ipv4Fragment;
  st.version = 4;
  st.ttl = buf[off + 8];
  st.ipId = (buf[off + 4] << 8) | buf[off + 5];
  st.proto = buf[off + 9];
  st.srcOff = off + 12;
  st.dstOff = off + 16;
  st.l4Off = off + hl;
  return off + hl;
}
