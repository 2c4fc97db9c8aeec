// A packet's flow key, read once from the packet's bytes into integers: no strings, no objects
// per packet. The hash is symmetric (sum of the two endpoint hashes) so both directions land in
// one bucket, and is computed from whole 32-bit address words, not byte by byte.

export class FlowKey {
  hash = 0;
  /**
   * ipVersion | vlanOuter << 4 | vlanInner << 16 | tenantKind << 28 (VLAN IDs are 12 bits, tunnel
   * kinds 3), as the store's FlowWord.Key.
   */
  key = 0;
  /** The tunnel's tenant identifier (VNI, GRE key, …; decode/tunnel/state.ts), 0 outside tunnels. */
  tenant = 0;
  /** srcPort << 16 | dstPort (reversePorts gives the other direction's). */
  ports = 0;
  /** Source and destination address words as signed 32-bit integers; IPv4 uses word 0 only. */
  s0 = 0; s1 = 0; s2 = 0; s3 = 0;
  d0 = 0; d1 = 0; d2 = 0; d3 = 0;

  /** Reads the key of a segment whose addresses are at srcOff/dstOff in buf (4 or 16 bytes). */
  set(buf: Buffer, srcOff: number, dstOff: number, ipVersion: number, sport: number, dport: number,
    vlanOuter: number, vlanInner: number, tenantKind = 0, tenantId = 0): void {
    this.key = ipVersion | vlanOuter << 4 | vlanInner << 16 | tenantKind << 28;
    this.tenant = tenantId;
    this.ports = sport << 16 | dport;
    const s0 = word(buf, srcOff), d0 = word(buf, dstOff);
    this.s0 = s0;
    this.d0 = d0;
    let hs = mix(sport ^ 0x811c9dc5, s0), hd = mix(dport ^ 0x811c9dc5, d0);
    if (ipVersion === 6) {
      const s1 = word(buf, srcOff + 4), s2 = word(buf, srcOff + 8), s3 = word(buf, srcOff + 12);
      const d1 = word(buf, dstOff + 4), d2 = word(buf, dstOff + 8), d3 = word(buf, dstOff + 12);
      this.s1 = s1; this.s2 = s2; this.s3 = s3;
      this.d1 = d1; this.d2 = d2; this.d3 = d3;
      hs = mix(mix(mix(hs, s1), s2), s3);
      hd = mix(mix(mix(hd, d1), d2), d3);
    }
    // Final avalanche (the 32-bit finalizer of MurmurHash3), so the low bits that pick a bucket
    // depend on every input bit. 30 bits: V8 keeps it a small integer everywhere.
    let h = (hs + hd) ^ this.key ^ Math.imul(tenantId, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.hash = (h ^ (h >>> 16)) & 0x3fffffff;
  }
}

/** The `ports` word of the other direction: destination << 16 | source. */
export const reversePorts = (ports: number): number => ports << 16 | ports >>> 16;

function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** The 4 bytes at off as one signed 32-bit word. */
function word(buf: Buffer, off: number): number {
  return buf[off] << 24 | buf[off + 1] << 16 | buf[off + 2] << 8 | buf[off + 3];
}
