// STUB (decode helper replaces this file): link layer → IP → TCP / ICMP error, into a reused DecodedPacket.
import { DecodedPacket, PacketKind } from './packet';

export class Decoder {
  readonly pkt = new DecodedPacket();
  /** Anomaly counters by name ("ipv4-truncated", "linktype-unsupported-147", …). */
  readonly weird: Record<string, number> = Object.create(null);

  /** Decodes `buf[off, off+caplen)` captured on `linkType`; fills `pkt` and returns its kind. */
  decode(linkType: number, buf: Buffer, off: number, caplen: number): PacketKind {
    void linkType; void buf; void off; void caplen;
    this.pkt.kind = PacketKind.Other;
    return PacketKind.Other;
  }
}
