// IPv6 (RFC 8200): fixed 40-byte header, then a chain of extension headers before the upper layer.
import { IpState } from './ip';
import { Weird } from './weird';

const HOP_BY_HOP = 0, ROUTING = 43, FRAGMENT = 44, AH = 51, DEST_OPTS = 60;
/** RFC 8200 expects few extension headers; the bound stops a crafted endless chain. */
const MAX_EXT = 8;

/** An extension header reaching `need`: a lie when Payload Length ends first, else a short capture. */
const extShort = (need: number, claimedEnd: number): number =>
  need > claimedEnd ? -Weird.Ipv6BadPayloadLength : -Weird.Ipv6ExtTruncated;

/**
 * Parses the header at `off` and walks extension headers. `quoted` is for the copy inside an
 * ICMPv6 error, whose Payload Length describes the original packet. Returns the upper-layer
 * offset (with `st.proto` the upper-layer protocol: ESP and No Next Header stop the walk there
 * and are simply not TCP) or −Weird.
 */
export function parseIpv6(buf: Buffer, off: number, capEnd: number, st: IpState, quoted: boolean): number {
  if (off + 40 > capEnd) return -Weird.Ipv6Truncated;
  if (buf[off] >> 4 !== 6) return -Weird.IpBadVersion;
  const plen = (buf[off + 4] << 8) | buf[off + 5];
  // Payload Length 0: segmentation offload on the capturing host, or a jumbogram (RFC 2675);
  // either way the captured bytes are all there is.
  const claimed = !quoted && plen !== 0;
  const end = claimed ? off + 40 + plen : capEnd;
  const avail = end < capEnd ? end : capEnd;
  const claimedEnd = claimed ? end : Number.MAX_SAFE_INTEGER;
  let nh = buf[off + 6];
  let p = off + 40;
  for (let n = 0; ; n++) {
    let len: number;
    if (nh === HOP_BY_HOP || nh === ROUTING || nh === DEST_OPTS) {
      if (p + 8 > avail) return extShort(p + 8, claimedEnd);
      len = (buf[p + 1] + 1) << 3;
    } else if (nh === FRAGMENT) {
      if (p + 8 > avail) return extShort(p + 8, claimedEnd);
      // Only the first fragment (offset 0) carries the transport header.
      if ((((buf[p + 2] << 8) | buf[p + 3]) & 0xfff8) !== 0) return -Weird.Ipv6Fragment;
      len = 8;
    } else if (nh === AH) {
      if (p + 8 > avail) return extShort(p + 8, claimedEnd);
      // RFC 4302: AH counts 32-bit words minus 2, unlike the other extension headers.
      len = (buf[p + 1] + 2) << 2;
    } else {
      break;
    }
    if (n >= MAX_EXT) return -Weird.Ipv6TooManyExt;
    if (p + len > avail) return extShort(p + len, claimedEnd);
    nh = buf[p];
    p += len;
  }
  st.version = 6;
  st.ttl = buf[off + 7];
  st.ipId = 0;
  st.proto = nh;
  st.srcOff = off + 8;
  st.dstOff = off + 24;
  st.l4Off = p;
  st.end = end;
  return p;
}
