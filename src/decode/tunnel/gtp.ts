// GTP-U version 1 (3GPP TS 29.281) on UDP port 2152: user IP packets (G-PDU) keyed by a TEID.
import { ETHERTYPE_BY_VERSION } from '../link/state';
import { Weird } from '../weird';
import { NOT_TUNNEL, TenantKind, type TunnelState } from './state';

export const GTPU_PORT = 2152;
const G_PDU = 255;
/** Bound on the extension header chain. */
const MAX_EXT = 8;

export function parseGtpU(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 8 > end) return -Weird.GtpTruncated;
  const flags = buf[off];
  // Version 1 with PT = 1 (GTP, not GTP'); anything else on this port is not user data.
  if ((flags & 0xf0) !== 0x30 || buf[off + 1] !== G_PDU) return NOT_TUNNEL;
  st.setTenant(TenantKind.GtpU, 0); // each direction has its own TEID (tunnel/state.ts)
  let p = off + 8;
  if ((flags & 0x07) !== 0) {
    // Sequence number, N-PDU number and next extension header type come as one 4-byte block.
    if (p + 4 > end) return -Weird.GtpTruncated;
    let next = buf[p + 3];
    p += 4;
    for (let n = 0; (flags & 0x04) !== 0 && next !== 0; n++) {
      // Each extension: its length in 4-byte units, contents, and the next type in its last byte.
      if (n === MAX_EXT || p + 1 > end) return -Weird.GtpTruncated;
      const len = buf[p] * 4;
      if (len === 0 || p + len > end) return -Weird.GtpTruncated;
      next = buf[p + len - 1];
      p += len;
    }
  }
  if (p >= end) return -Weird.GtpTruncated;
  const v = buf[p] >> 4;
  if (v !== 4 && v !== 6) return -Weird.GtpUnknownPayload;
  st.etherType = ETHERTYPE_BY_VERSION;
  return p;
}
