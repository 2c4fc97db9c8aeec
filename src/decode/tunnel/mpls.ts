// MPLS (RFC 3032, EtherTypes 0x8847/0x8848): a stack of 4-byte label entries, the last with the
// bottom-of-stack bit. The payload has no type field: IPv4 and IPv6 tell themselves by their version
// nibble; a first nibble of 0 is a pseudowire control word (RFC 4385) before an Ethernet frame.
import { ETHERTYPE_BY_VERSION } from '../link/state';
import { Weird } from '../weird';
import { innerEthernet } from './ethernet';
import { TenantKind, type TunnelState } from './state';

export const ETHERTYPE_MPLS = 0x8847, ETHERTYPE_MPLS_MULTICAST = 0x8848;
const MAX_LABELS = 16;

export function parseMpls(buf: Buffer, off: number, end: number, st: TunnelState): number {
  let p = off;
  for (let n = 0; ; n++) {
    if (n === MAX_LABELS) return -Weird.MplsTooManyLabels;
    if (p + 4 > end) return -Weird.MplsTruncated;
    if (n === 0) st.setTenant(TenantKind.Mpls, 0); // labels differ per direction (tunnel/state.ts)
    const bottom = (buf[p + 2] & 1) !== 0;
    p += 4;
    if (bottom) break;
  }
  if (p >= end) return -Weird.MplsTruncated;
  const nibble = buf[p] >> 4;
  if (nibble === 4 || nibble === 6) { st.etherType = ETHERTYPE_BY_VERSION; return p; }
  if (nibble === 0) return innerEthernet(buf, p + 4, end, st);
  return -Weird.MplsUnknownPayload;
}
