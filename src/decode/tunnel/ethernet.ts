// An Ethernet frame inside a tunnel (VXLAN, Geneve, GRE bridging, ERSPAN, MPLS pseudowires).
import { parseEthernet } from '../link/ethernet';
import type { TunnelState } from './state';

/** Parses the inner frame at `off`; sets `st.etherType` (and st.link's VLANs) and returns the payload offset, or −Weird. */
export function innerEthernet(buf: Buffer, off: number, end: number, st: TunnelState): number {
  st.link.reset();
  const p = parseEthernet(buf, off, end, st.link);
  if (p >= 0) st.etherType = st.link.etherType;
  return p;
}
