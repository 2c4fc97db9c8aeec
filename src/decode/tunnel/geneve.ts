// Geneve (RFC 8926) on UDP port 6081: 8 bytes + options, a protocol type, a 24-bit VNI.
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../link/state';
import { Weird } from '../weird';
import { innerEthernet } from './ethernet';
import { TenantKind, unsupportedKey, type TunnelState } from './state';

export const GENEVE_PORT = 6081;
/** Transparent Ethernet bridging: the payload is an Ethernet frame (Geneve, GRE). */
export const ETHERTYPE_TEB = 0x6558;

export function parseGeneve(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 8 > end) return -Weird.GeneveTruncated;
  if (buf[off] >> 6 !== 0) return -Weird.GeneveBadVersion;
  const p = off + 8 + (buf[off] & 0x3f) * 4;
  if (p > end) return -Weird.GeneveTruncated;
  st.setTenant(TenantKind.Geneve, (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6]);
  const proto = (buf[off + 2] << 8) | buf[off + 3];
  if (proto === ETHERTYPE_TEB) return innerEthernet(buf, p, end, st);
  if (proto === ETHERTYPE_IPV4 || proto === ETHERTYPE_IPV6) { st.etherType = proto; return p; }
  st.unsupported = unsupportedKey('geneve', proto);
  return -Weird.TunnelUnsupported;
}
