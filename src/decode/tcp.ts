// TCP header (RFC 9293) and the options the keepalive analysis cares about.
import { u32 } from './bytes';
import type { DecodedPacket } from './packet';
import { Weird } from './weird';

const OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3, OPT_SACK_PERM = 4, OPT_TIMESTAMPS = 8;

/**
 * Parses the TCP header at `off` into `pkt`. `ipEnd` is where the IP length fields end the segment
 * (possibly past the capture), `capEnd` the end of the captured bytes. Returns Weird.None, or a
 * Weird code when the header does not fit; a malformed option only stops the option walk.
 */
export function parseTcp(buf: Buffer, off: number, ipEnd: number, capEnd: number, pkt: DecodedPacket): Weird {
  if (off + 20 > ipEnd) return Weird.TcpTruncated;
  if (off + 20 > capEnd) return Weird.TcpTruncated;
  const hl = (buf[off + 12] >> 4) << 2;
  // A data offset below 5 words or past the IP length cannot be a real header.
  if (hl < 20 || off + hl > ipEnd) return Weird.TcpBadOffset;
  if (off + hl > capEnd) return Weird.TcpTruncated;
  pkt.srcPort = (buf[off] << 8) | buf[off + 1];
  pkt.dstPort = (buf[off + 2] << 8) | buf[off + 3];
  pkt.seq = u32(buf, off + 4);
  pkt.ack = u32(buf, off + 8);
  pkt.flags = buf[off + 13];
  pkt.window = (buf[off + 14] << 8) | buf[off + 15];
  pkt.payloadOff = off + hl;
  pkt.payloadLen = ipEnd - off - hl;
  pkt.mss = -1;
  pkt.wscale = -1;
  pkt.sackPermitted = false;
  pkt.hasTimestamps = false;
  pkt.tsVal = 0;
  pkt.tsEcr = 0;
  return hl > 20 ? parseOptions(buf, off + 20, off + hl, pkt) : Weird.None;
}

function parseOptions(buf: Buffer, p: number, end: number, pkt: DecodedPacket): Weird {
  while (p < end) {
    const kind = buf[p];
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) { p++; continue; }
    if (p + 2 > end) return Weird.TcpBadOption;
    const len = buf[p + 1];
    if (len < 2 || p + len > end) return Weird.TcpBadOption;
    if (kind === OPT_MSS) {
      if (len !== 4) return Weird.TcpBadOption;
      pkt.mss = (buf[p + 2] << 8) | buf[p + 3];
    } else if (kind === OPT_WSCALE) {
      if (len !== 3) return Weird.TcpBadOption;
      pkt.wscale = buf[p + 2];
    } else if (kind === OPT_SACK_PERM) {
      if (len !== 2) return Weird.TcpBadOption;
      pkt.sackPermitted = true;
    } else if (kind === OPT_TIMESTAMPS) {
      if (len !== 10) return Weird.TcpBadOption;
      pkt.hasTimestamps = true;
      pkt.tsVal = u32(buf, p + 2);
      pkt.tsEcr = u32(buf, p + 6);
    }
    p += len;
  }
  return Weird.None;
}
