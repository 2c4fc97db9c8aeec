// ERSPAN mirror sessions inside GRE (draft-foschiano-erspan): type II (GRE protocol 0x88be, an
// 8-byte header) and type III (0x22eb, 12 bytes and an optional 8-byte platform subheader). The
// mirrored frame follows; the 10-bit session id separates mirror sessions.
import { ETHERTYPE_BY_VERSION } from '../link/state';
import { Weird } from '../weird';
import { innerEthernet } from './ethernet';
import { TenantKind, unsupportedKey, type TunnelState } from './state';

export const ETHERTYPE_ERSPAN_2 = 0x88be, ETHERTYPE_ERSPAN_3 = 0x22eb;
const FRAME_ETHERNET = 0, FRAME_IP = 2;

const session = (buf: Buffer, off: number): number => ((buf[off + 2] & 0x03) << 8) | buf[off + 3];

export function parseErspan2(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 8 > end) return -Weird.ErspanTruncated;
  st.setTenant(TenantKind.Erspan, session(buf, off));
  return innerEthernet(buf, off + 8, end, st);
}

export function parseErspan3(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 12 > end) return -Weird.ErspanTruncated;
  st.setTenant(TenantKind.Erspan, session(buf, off));
  const frameType = (buf[off + 10] >> 2) & 0x1f;
  const p = off + 12 + ((buf[off + 11] & 1) !== 0 ? 8 : 0);
  if (p > end) return -Weird.ErspanTruncated;
  if (frameType === FRAME_ETHERNET) return innerEthernet(buf, p, end, st);
  if (frameType === FRAME_IP) { st.etherType = ETHERTYPE_BY_VERSION; return p; }
  st.unsupported = unsupportedKey('erspan-frame-type', frameType);
  return -Weird.TunnelUnsupported;
}
