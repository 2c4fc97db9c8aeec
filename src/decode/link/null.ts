// BSD loopback: LINKTYPE_NULL (0) stores the address family in the capturing host's byte order,
// LINKTYPE_LOOP (108, OpenBSD) in network order. Files move between hosts, so both orders are
// accepted for both types.
import { Weird } from '../weird';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, type LinkState } from './state';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_LOOP = 108;

const AF_INET = 2;

/** AF_INET6 differs per OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30. */
const isAfInet6 = (af: number): boolean => af === 10 || af === 24 || af === 28 || af === 30;

export function parseNull(buf: Buffer, off: number, end: number, st: LinkState): number {
  if (off + 4 > end) return -Weird.NullTruncated;
  let af = buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24);
  // Families are small numbers, so a value with high bits set was written in the other order.
  if ((af & 0xffff0000) !== 0) af = (buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
  if (af === AF_INET) st.etherType = ETHERTYPE_IPV4;
  else if (isAfInet6(af)) st.etherType = ETHERTYPE_IPV6;
  else return -Weird.NullUnknownFamily;
  return off + 4;
}
