// 802.1Q / 802.1ad tag stacks, shared by Ethernet and Linux cooked captures (a cooked header can
// carry a TPID as its protocol when the NIC did not strip the tag; the tag body then follows the
// cooked header).
import { Weird } from '../weird';
import type { LinkState } from './state';

/** 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ TPID some switches still emit. */
export const isVlanTpid = (t: number): boolean => t === 0x8100 || t === 0x88a8 || t === 0x9100;

/** Beyond two tags only the outer two are kept; the bound stops a frame made of tags. */
const MAX_TAGS = 8;

/**
 * `type` is the EtherType/TPID just read and `p` the offset after it. Walks any tags (TCI(2) +
 * next type(2) each), records the outer two VLAN IDs, sets `st.etherType` to the inner protocol
 * and returns the offset of its payload, or −Weird when the tags do not fit before `end`.
 */
export function walkTags(buf: Buffer, type: number, p: number, end: number, st: LinkState): number {
  let tags = 0;
  while (isVlanTpid(type)) {
    if (p + 4 > end) return -Weird.VlanTruncated;
    if (++tags > MAX_TAGS) return -Weird.VlanTooManyTags;
    const vid = ((buf[p] << 8) | buf[p + 1]) & 0x0fff;
    if (tags === 1) st.vlanOuter = vid;
    else if (tags === 2) st.vlanInner = vid;
    type = (buf[p + 2] << 8) | buf[p + 3];
    p += 4;
  }
  st.etherType = type;
  return p;
}
