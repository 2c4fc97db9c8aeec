// PPPoE session stage (RFC 2516, EtherType 0x8864): a 6-byte header with the session id, then PPP.
import { Weird } from '../weird';
import { parsePpp } from './ppp';
import { TenantKind, type TunnelState } from './state';

export const ETHERTYPE_PPPOE_SESSION = 0x8864;

export function parsePppoe(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 6 > end) return -Weird.PppoeTruncated;
  st.setTenant(TenantKind.Pppoe, (buf[off + 2] << 8) | buf[off + 3]);
  // The length field bounds the PPP frame (Ethernet pads short frames).
  const len = (buf[off + 4] << 8) | buf[off + 5];
  const stop = off + 6 + len < end ? off + 6 + len : end;
  return parsePpp(buf, off + 6, stop, st, false);
}
