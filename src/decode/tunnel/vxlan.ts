// VXLAN (RFC 7348) on UDP port 4789: 8 bytes (flags, 24-bit VNI), then an Ethernet frame.
import { Weird } from '../weird';
import { innerEthernet } from './ethernet';
import { TenantKind, type TunnelState } from './state';

export const VXLAN_PORT = 4789;

/** `off` is the VXLAN header (after UDP). Returns the inner network-layer offset or −Weird. */
export function parseVxlan(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 8 > end) return -Weird.VxlanTruncated;
  // The VNI is valid when the I flag (0x08) is set; without it the tenant is unknown (0).
  st.setTenant(TenantKind.Vxlan, (buf[off] & 0x08) !== 0 ? (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6] : 0);
  return innerEthernet(buf, off + 8, end, st);
}
