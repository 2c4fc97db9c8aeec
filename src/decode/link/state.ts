// What a link-layer parser leaves behind for the IP layer. One instance per Decoder, overwritten
// for every frame.

/** Pseudo-EtherType for link types that carry bare IP: the version nibble decides. Outside 16 bits
 * so that no EtherType or 802.3 length read from a frame (0x0000 included) can match it. */
export const ETHERTYPE_BY_VERSION = -2;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export class LinkState {
  /** EtherType of the network-layer packet, or ETHERTYPE_BY_VERSION. */
  etherType = 0;
  vlanOuter = 0;
  vlanInner = 0;

  reset(): void {
    this.etherType = 0;
    this.vlanOuter = 0;
    this.vlanInner = 0;
  }
}
