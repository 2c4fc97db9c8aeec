// IEEE 802.2 LLC with a SNAP header, as 802.3 frames (a length where the EtherType would be) and
// Linux cooked captures (protocol 4) carry it: AA AA 03, OUI 00-00-00, then an EtherType.
import { Weird } from '../weird';
import { NOT_TUNNEL, type TunnelState } from './state';

const SAP_SNAP = 0xaa, LLC_UI = 0x03;

export function parseLlcSnap(buf: Buffer, off: number, end: number, st: TunnelState): number {
  if (off + 3 > end) return -Weird.LlcTruncated;
  if (buf[off] !== SAP_SNAP || buf[off + 1] !== SAP_SNAP || buf[off + 2] !== LLC_UI) return NOT_TUNNEL; // STP, NetBIOS, …
  if (off + 8 > end) return -Weird.LlcTruncated;
  // Only OUI 0 carries EtherTypes; others are vendor protocols (Cisco CDP, …).
  if (buf[off + 3] !== 0 || buf[off + 4] !== 0 || buf[off + 5] !== 0) return NOT_TUNNEL;
  st.etherType = (buf[off + 6] << 8) | buf[off + 7];
  return off + 8;
}
