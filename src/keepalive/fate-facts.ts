// What a flow's fate needs from each segment (README "Why idle connections die"), kept in the
// flow record's fate words (flow/store.ts FlowWord.TtlRange … RetxGapB, FateBit) and judged only
// when the flow is retired (fate-row.ts, fate/decide.ts, fate/rst.ts):
//  - each side's TTL / hop-limit range and its last IPv4 ID (an injected RST's fingerprint);
//  - each side's run of segments still waiting for an answer, the idle gap before it, and its
//    retransmissions with their back-off (a blackhole, a retransmission timeout);
//  - who sent the first FIN, the first RST's TTL, IP ID, flags, seq and ack;
//  - the last ICMP error about the flow, until the side it was about hears from its peer.
// Words of the record only: nothing is allocated per segment. One FateBook per engine.
import { TcpFlag, type DecodedPacket } from '../decode/packet';
import { seqAdd, seqDelta } from '../units';
import { End, FateBit, FlowBit, FlowDouble, FlowWord, Layout, type FlowStore } from '../flow/store';
import type { SideView } from '../flow/side-view';
import { IP_ID_STEP } from '../fate/rst';
import { IDLE_GAP_SECONDS } from '../fate/decide';
import type { PathAccumulator } from '../path/paths';

const IDLE_GAP_NS = IDLE_GAP_SECONDS * 1e9;

export class FateBook {
  /**
   * Silence before the current segment in its flow, ns (0 for a flow's first), set by the engine
   * before note(): a field, because a double argument to a call V8 does not inline is boxed.
   */
  gapNs = NaN;
  /** The current segment's time on its flow's own clock (own-time.ts), ns: set with gapNs. */
  nowNs = NaN;

  constructor(private readonly paths: PathAccumulator) {}

  /**
   * The fate facts of one segment from `snd` (its side of the flow in `slot`), before the segment
   * updates snd_nxt. `ip` is the segment record's TTL | IP ID << 8; `probeShaped`: a keepalive,
   * zero-window probe or candidate, which waits for an answer like data but is never a retransmission.
   */
  note(store: FlowStore, slot: number, snd: SideView, flags: number, seq: number, ack: number, len: number, ip: number,
    probeShaped: boolean): void {
    const i32 = store.i32, r = slot * Layout.Words, fromA = snd.isA;
    let fb = i32[r + FlowWord.Fate];
    if ((flags & TcpFlag.RST) === 0) {
      const shift = fromA ? 0 : 16, ttl = ip & 0xff;
      const range = (i32[r + FlowWord.TtlRange] >>> shift) & 0xffff;
      if (range === 0 || ttl < (range & 0xff) || ttl > (range >>> 8)) widenTtl(i32, r, shift, range, ttl);
      const id = (ip >>> 8) & 0xffff;
      if (id !== 0) {
        const ids = i32[r + FlowWord.IpId], last = (ids >>> shift) & 0xffff;
        if (last !== 0 && ((id - last) & 0xffff) > IP_ID_STEP) fb |= fromA ? FateBit.IpIdJumpA : FateBit.IpIdJumpB;
        i32[r + FlowWord.IpId] = (ids & ~(0xffff << shift)) | (id << shift);
      }
      // The sender spoke: the receiver's waiting run (or an ICMP error about it) is answered.
      if ((fb & ((fromA ? FateBit.PendingB : FateBit.PendingA) | FateBit.Icmp)) !== 0) fb = answered(store.f64, slot, fromA, fb);
      if ((fb & (fromA ? FateBit.PendingA : FateBit.PendingB)) === 0) {
        if (len > 0 || (flags & (TcpFlag.SYN | TcpFlag.FIN)) !== 0 || probeShaped) {
          fb = (fb & ~(fromA ? FateBit.PendIdleA : FateBit.PendIdleB)) | (fromA ? FateBit.PendingA : FateBit.PendingB);
          const gap = this.gapNs;
          if (gap >= IDLE_GAP_NS) {
            fb |= fromA ? FateBit.PendIdleA : FateBit.PendIdleB;
            const d = slot * Layout.Doubles;
            store.f64[d + (fromA ? FlowDouble.PendGapA : FlowDouble.PendGapB)] = gap;
            store.f64[d + (fromA ? FlowDouble.PendStartA : FlowDouble.PendStartB)] = this.nowNs;
          }
        }
      } else if ((len > 0 || (flags & TcpFlag.FIN) !== 0) && !probeShaped && snd.nextSeqKnown &&
        seqDelta(seqAdd(seq, len + (flags & TcpFlag.FIN)), snd.nextSeq) <= 0) fb = this.retransmitted(i32, r, fromA, fb);
      if ((flags & TcpFlag.FIN) !== 0 && (fb & FateBit.FinFirstSeen) === 0) fb |= FateBit.FinFirstSeen | (fromA ? 0 : FateBit.FinFirstB);
    } else if ((fb & FateBit.RstSeen) === 0) {
      fb |= FateBit.RstSeen | (fromA ? 0 : FateBit.RstFromB) | ((flags & TcpFlag.ACK) !== 0 ? FateBit.RstHasAck : 0);
      i32[r + FlowWord.RstIp] = ip; i32[r + FlowWord.RstSeq] = seq; i32[r + FlowWord.RstAck] = ack;
    }
    i32[r + FlowWord.Fate] = fb;
  }

  /** The sender resent data or FIN while waiting for an answer: count it, and whether the intervals grow (RTO back-off). */
  private retransmitted(i32: Int32Array, r: number, fromA: boolean, fb: number): number {
    const shift = fromA ? FateBit.RetxShiftA : FateBit.RetxShiftB, n = (fb >>> shift) & 0xff;
    const gapMs = Math.round(this.gapNs / 1e6), firstAt = r + (fromA ? FlowWord.RetxGapA : FlowWord.RetxGapB);
    if (n === 0) i32[firstAt] = gapMs;
    else if (gapMs >= 2 * i32[firstAt]) fb |= fromA ? FateBit.BackoffA : FateBit.BackoffB;
    return n === 0xff ? fb : (fb & ~(0xff << shift)) | ((n + 1) << shift);
  }

  /** An ICMP error about a's (aboutA) or b's segment of the flow in `slot`: remembered until the other side answers. */
  icmpError(store: FlowStore, slot: number, aboutA: boolean, p: DecodedPacket): void {
    const i32 = store.i32, r = slot * Layout.Words;
    // From the peer's own address (a host's port unreachable) or from a router on the way.
    const n = p.ipVersion === 6 ? 16 : 4;
    let fromPeer = p.quotedIpVersion === p.ipVersion;
    for (let i = 0; fromPeer && i < n; i++) fromPeer = p.buf[p.srcOff + i] === p.buf[p.quotedDstOff + i];
    i32[r + FlowWord.Fate] = (i32[r + FlowWord.Fate] & ~(FateBit.IcmpAboutB | FateBit.IcmpFromPeer)) | FateBit.Icmp |
      (aboutA ? 0 : FateBit.IcmpAboutB) | (fromPeer ? FateBit.IcmpFromPeer : 0);
    i32[r + FlowWord.Icmp] = (p.icmpType << 8) | p.icmpCode;
  }

  /**
   * Whether the retired flow in `slot` can tell its path anything: an idle gap of a second or more
   * survived, or a run still waiting after such a gap (every death after idle starts with one,
   * fate/decide.ts). Without either its fate adds nothing to a path and it did not die after idle.
   */
  tellsPath(store: FlowStore, slot: number): boolean {
    return (store.i32[slot * Layout.Words + FlowWord.Fate] & (FateBit.PendIdleA | FateBit.PendIdleB)) !== 0 ||
      store.f64[slot * Layout.Doubles + FlowDouble.SurvivedGap] >= IDLE_GAP_NS;
  }

  /**
   * For a retired flow that is not listed and tellsPath(): false when it may have died after idle (a
   * side still waiting after an idle gap and then reset or retransmitting, or an ICMP error), so its
   * fate must be built. Otherwise true, and its survived gap has gone to its path: most flows are
   * not listed and did not die, and building a fate for each costs a third of the engine's time.
   * Such a flow has no probes (it would be listed), so its fate is `open` or `closed` exactly when it
   * ended open or by FIN, and no fate of it is a death after idle.
   */
  survivorOnly(store: FlowStore, slot: number): boolean {
    const w = slot * Layout.Words, fb = store.i32[w + FlowWord.Fate];
    const end = store.i32[w + FlowWord.End];
    // Dying after idle (fate/decide.ts) takes an ICMP error, or a run after an idle gap ended by a
    // RST or retransmitted; anything else is open, closed, a RST without idle, or evicted.
    if ((fb & FateBit.Icmp) !== 0 || ((fb & (FateBit.PendIdleA | FateBit.PendIdleB)) !== 0 &&
      (end === End.Rst || (fb >>> FateBit.RetxShiftA) !== 0))) return false;
    const survived = store.f64[slot * Layout.Doubles + FlowDouble.SurvivedGap];
    if (survived < IDLE_GAP_NS) return true;
    const serverIsA = (store.i32[w + FlowWord.Bits] & FlowBit.ClientIsA) === 0;
    const ports = store.i32[w + FlowWord.Ports], port = serverIsA ? ports >>> 16 : ports & 0xffff;
    const gap = Math.round(survived / 1e3) / 1e6, counts = end === End.Open || end === End.Fin;
    const i32 = store.i32, v6 = (i32[w + FlowWord.Key] & 0xf) === 6, w1 = w + (serverIsA ? FlowWord.A1 : FlowWord.B1);
    this.paths.addSurvivorAt(v6, i32[w + (serverIsA ? FlowWord.A0 : FlowWord.B0)], v6 ? i32[w1] : 0, v6 ? i32[w1 + 1] : 0,
      v6 ? i32[w1 + 2] : 0, port, gap, counts);
    return true;
  }
}

function widenTtl(i32: Int32Array, r: number, shift: number, range: number, ttl: number): void {
  const lo = range === 0 || ttl < (range & 0xff) ? ttl : range & 0xff, hi = range === 0 || ttl > (range >>> 8) ? ttl : range >>> 8;
  i32[r + FlowWord.TtlRange] = (i32[r + FlowWord.TtlRange] & ~(0xffff << shift)) | ((lo | (hi << 8)) << shift);
}

/** The sender (a when fromA) answered the receiver: its idle gap was survived; its run and ICMP error are settled. */
function answered(f64: Float64Array, slot: number, fromA: boolean, fb: number): number {
  const d = slot * Layout.Doubles;
  if ((fb & (fromA ? FateBit.PendingB : FateBit.PendingA)) !== 0) {
    if ((fb & (fromA ? FateBit.PendIdleB : FateBit.PendIdleA)) !== 0) {
      const g = f64[d + (fromA ? FlowDouble.PendGapB : FlowDouble.PendGapA)];
      if (g > f64[d + FlowDouble.SurvivedGap]) f64[d + FlowDouble.SurvivedGap] = g;
    }
    fb &= fromA ? ~(FateBit.PendingB | FateBit.PendIdleB | FateBit.BackoffB | (0xff << FateBit.RetxShiftB))
      : ~(FateBit.PendingA | FateBit.PendIdleA | FateBit.BackoffA | (0xff << FateBit.RetxShiftA));
  }
  if ((fb & FateBit.Icmp) !== 0 && ((fb & FateBit.IcmpAboutB) !== 0) === fromA) fb &= ~(FateBit.Icmp | FateBit.IcmpAboutB | FateBit.IcmpFromPeer);
  return fb;
}

/** The longest idle gap the flow in `slot` survived so far, ns. */
export function survivedGap(store: FlowStore, slot: number): number {
  return store.f64[slot * Layout.Doubles + FlowDouble.SurvivedGap];
}

/**
 * A prober gave up after answers lost on the way to it: the gaps its series' ACKs seemed to end
 * were not survived, so the flow's survived gap goes back to `ns`, its value when the series began.
 */
export function survivedBefore(store: FlowStore, slot: number, ns: number): void {
  store.f64[slot * Layout.Doubles + FlowDouble.SurvivedGap] = ns;
}
