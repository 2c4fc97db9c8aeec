// Copies of one TCP segment in one capture: `tcpdump -i any` on a bridge sees each frame on the
// port it arrives by and on the one it leaves by; a router capturing two interfaces sees it before
// and after forwarding (TTL one lower); merged captures and two taps hold copies too. A copy has
// the same flow key, direction, seq, ack, flags, payload length, window and TCP timestamp, and the
// same IP ID where IPv4 has one; only the link header, the TTL and a few µs differ. A real
// retransmission is a new packet (Linux gives it a new IP ID) and comes at least an RTO later, and
// no keepalive timer goes below a second, so within a few ms such a segment is a copy.
//
// Memory is bounded: a direct-mapped table of recent segments, overwritten as segments come. A
// copy that arrives after hundreds of other segments may find its slot taken, and is then kept
// as the engine would have seen it without folding.
import type { FlowKey } from './flow-key';
import type { DecodedPacket } from './packet';

export const DEFAULT_DUP_WINDOW_MS = 5;

/** Slots (a power of two): 512 × 32 bytes plus their times, 20 KiB, within a core's L1 cache. */
const SLOTS = 512;
/** Words per slot: fingerprint, seq, ack, flags | length, IP ID | window, TSval. */
const STRIDE = 8;

export class DuplicateFolder {
  private readonly words = new Int32Array(SLOTS * STRIDE);
  private readonly times = new Float64Array(SLOTS).fill(-Infinity);
  /**
   * The current segment's capture time (Nanos), written by the caller before isCopy(): a double
   * passed as an argument to a call V8 does not inline is a new heap number per packet.
   */
  readonly now = new Float64Array(1);

  /** `windowNs`: the longest gap between a segment and a copy of it, in capture time (ns). */
  constructor(private readonly windowNs: number) {}

  /**
   * Whether segment `p` (flow key `k`), captured at `now[0]`, copies one seen within the window
   * before or after it (merged captures need not be in time order). If not, it is remembered in
   * place of whatever held its slot.
   */
  isCopy(p: DecodedPacket, k: FlowKey): boolean {
    const rec = this.now[0];
    // The flow key's hash covers addresses, ports, VLANs and tunnel; ports and the first source
    // word add the direction.
    let fp = Math.imul(k.hash ^ k.ports, 0x9e3779b1) ^ k.s0;
    fp = Math.imul(fp ^ (fp >>> 15), 0x85ebca6b);
    const seq = p.seq | 0, ack = p.ack | 0;
    const flagsLen = p.flags | (p.payloadLen << 8), idWin = (p.ipId << 16) ^ p.window;
    const tsVal = p.tsVal | 0; // 0 without the option
    // Every compared field picks the slot: a pure ACK and the data segment after it share seq and ack.
    let h = Math.imul(fp ^ seq ^ Math.imul(ack, 0xc2b2ae35), 0x27d4eb2f);
    h = Math.imul(h ^ flagsLen ^ Math.imul(idWin ^ tsVal, 0x165667b1), 0x9e3779b1);
    h ^= h >>> 15;
    const slot = h & (SLOTS - 1), w = slot * STRIDE;
    const words = this.words;
    if (words[w] === fp && words[w + 1] === seq && words[w + 2] === ack && words[w + 3] === flagsLen &&
      words[w + 4] === idWin && words[w + 5] === tsVal) {
      const dt = rec - this.times[slot];
      // The first copy's time is kept, so a third copy (three interfaces) is measured from it too.
      if (dt <= this.windowNs && dt >= -this.windowNs) return true;
    }
    words[w] = fp; words[w + 1] = seq; words[w + 2] = ack; words[w + 3] = flagsLen;
    words[w + 4] = idWin; words[w + 5] = tsVal;
    this.times[slot] = rec;
    return false;
  }
}
