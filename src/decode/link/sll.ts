// Linux cooked captures (the `any` interface). Only the protocol field matters: the ARPHRD type
// (Ethernet, loopback, tunnels…) and the address are not needed to find the IP header.
import { Weird } from '../weird';
import type { LinkState } from './state';
import { walkTags } from './vlan';

export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

/** ARPHRD_NETLINK: the protocol field is a netlink family, not an EtherType. */
const ARPHRD_NETLINK = 824;
/** An EtherType no IP dispatch matches. */
const NOT_IP = -1;

/** SLL v1: type(2) ARPHRD(2) addr-len(2) addr(8) protocol(2), 16 bytes. */
export function parseSll(buf: Buffer, off: number, end: number, st: LinkState): number {
  if (off + 16 > end) return -Weird.SllTruncated;
  if (((buf[off + 2] << 8) | buf[off + 3]) === ARPHRD_NETLINK) { st.etherType = NOT_IP; return off + 16; }
  return walkTags(buf, (buf[off + 14] << 8) | buf[off + 15], off + 16, end, st);
}

/** SLL v2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) type(1) addr-len(1) addr(8), 20 bytes. */
export function parseSll2(buf: Buffer, off: number, end: number, st: LinkState): number {
  if (off + 20 > end) return -Weird.Sll2Truncated;
  if (((buf[off + 8] << 8) | buf[off + 9]) === ARPHRD_NETLINK) { st.etherType = NOT_IP; return off + 20; }
  return walkTags(buf, (buf[off] << 8) | buf[off + 1], off + 20, end, st);
}
