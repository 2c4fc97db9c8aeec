// LINKTYPE_ETHERNET (1): 6+6 address bytes, then EtherType (possibly a VLAN tag stack).
import { Weird } from '../weird';
import type { LinkState } from './state';
import { walkTags } from './vlan';

export const LINKTYPE_ETHERNET = 1;

/** Returns the network-layer offset with `st` filled, or −Weird. */
export function parseEthernet(buf: Buffer, off: number, end: number, st: LinkState): number {
  if (off + 14 > end) return -Weird.EthernetTruncated;
  // Values below 0x0600 are 802.3 lengths (LLC/SNAP); they stay in etherType and are not IP.
  return walkTags(buf, (buf[off + 12] << 8) | buf[off + 13], off + 14, end, st);
}
