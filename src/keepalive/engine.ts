// The keepalive engine: every decoded TCP segment (as a record, decode/segment-record.ts) and ICMP
// error goes through here once. It updates the flow's two endpoints, classifies the segment,
// matches answers to probes and emits events; a retired flow's report is kept as a row of numbers
// and built when it is read (report.ts).
import { seq32, seqAdd, seqDelta, type FrameNo, type Nanos, type SeqNum } from '../units';
import { TcpFlag, type DecodedPacket } from '../decode/packet';
import { MAX_RECORD_WORDS, metaFlags, metaWords, metaWScale, SegmentWord, writeKey } from '../decode/segment-record';
import { Endpoint, Flow, UNKNOWN_TIME } from '../flow/flow';
import { FlowBit, FlowDouble, EndpointBit, End, FateBit, Layout, FlowWord } from '../flow/store';
import { IP_ID_STEP } from '../fate/rst';
import { FlowTable } from '../flow/table';
import { FlowKey } from '../decode/flow-key';
import { classifySmallSegment, MIN_PROBE_IDLE_NS, SegmentClass } from './classify';
import { MAX_CANDIDATES, type ProberState } from './prober';
import { ProberSlots } from './prober-slots';
import { buildFlowReport, SNAPSHOT_DOUBLES, SnapshotField, snapshotFate, snapshotFlow } from './report';
import { EvictedFlows } from '../flow/evicted';
import { diedAfterIdle, fateOf, pathFlowOf } from './fate-row';
import { IDLE_GAP_SECONDS } from '../fate/decide';
import { PathAccumulator, type PathsBy } from '../path/paths';

const IDLE_GAP_NS = IDLE_GAP_SECONDS * 1e9;
import type { KeepaliveEvent, Outcome } from './model';
import { ReportStore } from './report-store';

/** How event times become text; owned by the analysis (it knows the capture's epoch and resolution). */
export interface EventClock {
  iso(t: Nanos): string;
  rel(t: Nanos): number;
  /** The capture's first whole second, which Nanos count from. */
  readonly epochSecond: number;
  /** Fractional digits of the capture's timestamps so far (0 before any). */
  readonly digits: number;
}

export interface EngineOptions {
  readonly idleTimeoutNs: number;
  readonly maxFlows: number;
  readonly allFlows: boolean;
  /** Reports gathered in memory before they go to a temporary file as a sorted run (ReportStore). */
  readonly reportsInMemory?: number;
  /** Told once, as it happens, that flows still active are being evicted (--max-flows too low). */
  readonly onNotice?: (line: string) => void;
  /** How flows are grouped into paths (default by the server's address). */
  readonly pathsBy?: PathsBy;
}

export class KeepaliveEngine {
  private readonly table: FlowTable;
  /** Each flow side's keepalive state, by slot. */
  private readonly probers = new ProberSlots();
  readonly reports: ReportStore;
  /** Each path's idle-timeout evidence, from every retired flow (listed or not). */
  readonly paths: PathAccumulator;
  /** A snapshot row for flows that are looked at but may not be listed. */
  private readonly scratch = new Float64Array(SNAPSHOT_DOUBLES);
  flowsSeen = 0;
  evictedFlows = 0;
  expiredFlows = 0;
  probes = 0;
  zeroWindowProbes = 0;
  readonly outcomes: Record<Outcome, number> = { alive: 0, reset: 0, icmp: 0, timeout: 0, unanswered: 0 };
  flowsWithKeepalive = 0;
  /** --max-flows: open flows evicted, how many of them came back, and the most flows held plus remembered at once. */
  evictedOpen = 0;
  resumedFlows = 0;
  peakOpenFlows = 0;
  private readonly evicted: EvictedFlows;
  /** Slot → id of the evicted flow it continues, for flows that came back. */
  private readonly continues = new Map<number, number>();

  // The segment being processed, so helpers need no argument lists or objects per packet.
  private frame = 0;
  // NaN until the first segment, not 0: these hold doubles, and a field that first held a small
  // integer changes representation at its first double, discarding the optimized code that read it.
  private now = NaN as Nanos;
  private recTime = NaN as Nanos;
  /** Silence before the current segment in its flow, ns (0 for a flow's first). */
  private gap = NaN;
  /** finish() is retiring the flows still open: their silence runs to the end of the capture. */
  private draining = false;
  /** An ICMP error's quoted flow key, refilled per error, and as a record for the table's lookup. */
  private readonly key = new FlowKey();
  private readonly keyRecord = new Int32Array(MAX_RECORD_WORDS);

  constructor(private readonly opts: EngineOptions, private readonly clock: EventClock,
    private readonly onEvent: ((e: KeepaliveEvent) => void) | null) {
    this.paths = new PathAccumulator(opts.pathsBy ?? 'address');
    this.reports = new ReportStore(SNAPSHOT_DOUBLES, (rows, off) => buildFlowReport(rows, off, clock.epochSecond), opts.reportsInMemory);
    this.evicted = new EvictedFlows(opts.idleTimeoutNs);
    this.table = new FlowTable(opts.maxFlows, opts.idleTimeoutNs, this.time, (slot, why) => {
      if (why === 'evicted') {
        this.evictedFlows++;
        const store = this.table.store, w = slot * Layout.Words;
        store.i32[w + FlowWord.End] = End.Evicted;
        // An open flow evicted may come back; a closed one only lingered.
        if ((store.i32[w + FlowWord.Bits] & FlowBit.Closed) === 0) {
          this.evicted.add(store.i32, slot, store.i32[w + FlowWord.Id], store.f64[slot * Layout.Doubles + FlowDouble.LastTime]);
          this.evictedOpen++;
        }
      } else this.expiredFlows++;
      this.retire(slot);
    });
  }

  /**
   * The current packet's times, written by tcpBatch() per segment and by the caller before
   * icmpError(): [0] monotonic capture time (never steps back), [1] the record's own time. Passed in a typed array because a
   * double argument to a call V8 does not inline is boxed: two heap numbers per packet otherwise.
   */
  readonly time = new Float64Array(2);

  /**
   * The segment records in words [from, to) of `rec`, in capture order (`f64` views the same
   * memory, for their times). Their flows' records are touched first, all before any segment is
   * processed: the loads are independent, so the memory system fetches them together (see BATCH in
   * pipeline/front.ts).
   */
  tcpBatch(rec: Int32Array, f64: Float64Array, from: number, to: number): void {
    this.table.prefetch(rec, from, to);
    const time = this.time;
    for (let r = from; r < to; r += metaWords(rec[r + SegmentWord.Meta])) {
      time[0] = f64[(r + SegmentWord.Clock) >> 1];
      time[1] = f64[(r + SegmentWord.Rec) >> 1];
      this.keyed(rec, r);
    }
  }

  /** The segment record at word `r` of `rec`. */
  private keyed(rec: Int32Array, r: number): void {
    const now = this.time[0] as Nanos;
    const frame = rec[r + SegmentWord.Frame] >>> 0; // frame numbers are unsigned 32-bit
    this.frame = frame; this.now = now; this.recTime = this.time[1] as Nanos;
    const table = this.table;
    table.expire();
    const flags = metaFlags(rec[r + SegmentWord.Meta]);
    let slot = table.lookup(rec, r);
    let store = table.store;
    const d = slot * Layout.Doubles;
    if (slot >= 0 && !table.isStale(slot) &&
      !((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && this.startsNewConnection(slot, table.fromA, rec[r + SegmentWord.Seq]))) {
      const gap = now - store.f64[d + FlowDouble.LastTime];
      this.gap = gap;
      if (gap > store.f64[d + FlowDouble.MaxGap]) store.f64[d + FlowDouble.MaxGap] = gap;
    } else {
      this.gap = 0;
      slot = this.newFlow(slot, frame, flags, rec, r);
      store = table.store;
    }
    const w = slot * Layout.Words;
    store.f64[slot * Layout.Doubles + FlowDouble.LastTime] = now;
    store.u32[w + FlowWord.LastFrame] = frame;
    store.u32[w + FlowWord.Packets]++;
    this.segment(slot, table.fromA, rec, r);
  }

  /**
   * The packet's flow is new: none was found, the one found went stale (retired as expired), or a
   * SYN starts a new connection on its tuple (the old one is retired). Returns the new flow's slot.
   */
  private newFlow(found: number, frame: number, flags: number, rec: Int32Array, r: number): number {
    const table = this.table;
    if (found >= 0) {
      if (table.isStale(found)) table.expireNow(found);
      else { table.unlink(found); this.retire(found); }
    }
    const slot = table.create(rec, r);
    this.flowsSeen++;
    // A SYN starts a connection of its own; anything else on an evicted flow's tuple continues it.
    if (this.evictedOpen > 0 && (flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) this.resumed(slot, rec, r);
    const i32 = table.store.i32, w = slot * Layout.Words;
    table.store.u32[w + FlowWord.FirstFrame] = frame;
    const ports = rec[r + SegmentWord.KeyPorts];
    if (flags & TcpFlag.SYN) {
      i32[w + FlowWord.Bits] &= ~(FlowBit.Midstream | FlowBit.ClientIsA);
      if ((flags & TcpFlag.ACK) === 0) i32[w + FlowWord.Bits] |= FlowBit.ClientIsA;
    } else if (!isClientByPort(ports >>> 16, ports & 0xffff)) i32[w + FlowWord.Bits] &= ~FlowBit.ClientIsA;
    return slot;
  }

  /** An ICMP error quoting a TCP segment: it may answer that segment's sender's probe. */
  icmpError(frame: number, p: DecodedPacket): void {
    const now = this.time[0] as Nanos;
    this.frame = frame; this.now = now; this.recTime = this.time[1] as Nanos;
    const k = this.key;
    k.set(p.buf, p.quotedSrcOff, p.quotedDstOff, p.quotedIpVersion, p.quotedSrcPort, p.quotedDstPort, p.vlanOuter, p.vlanInner,
      p.tenantKind, p.tenantId);
    writeKey(this.keyRecord, 0, k);
    const slot = this.table.lookup(this.keyRecord, 0);
    if (slot < 0 || this.table.isStale(slot)) return; // a stale flow is retired by the next sweep
    const proberIsA = this.table.fromA;
    this.icmpFacts(slot, proberIsA, p);
    const flow = this.table.flowAt(slot);
    const pr = this.probers.get(flow.endpoint(proberIsA));
    if (pr === null || !pr.awaiting || pr.lastProbeSeq !== seq32(p.quotedSeq)) return;
    pr.icmp++;
    pr.icmpAnswered = true;
    pr.outcome = 'icmp';
    if (this.onEvent) this.onEvent({ type: 'probe-icmp', ...this.base(flow, !proberIsA), probeFrame: pr.lastProbeFrame as FrameNo,
      rttMs: ms(now - pr.lastProbeTime), icmpType: p.icmpType, icmpCode: p.icmpCode });
  }

  /** An ICMP error about a's (proberIsA) or b's segment: remembered until the other side answers. */
  private icmpFacts(slot: number, aboutA: boolean, p: DecodedPacket): void {
    const i32 = this.table.store.i32, r = slot * Layout.Words;
    // From the peer's own address (a host's port unreachable) or from a router on the way.
    const n = p.ipVersion === 6 ? 16 : 4;
    let fromPeer = p.quotedIpVersion === p.ipVersion;
    for (let i = 0; fromPeer && i < n; i++) fromPeer = p.buf[p.srcOff + i] === p.buf[p.quotedDstOff + i];
    i32[r + FlowWord.Fate] = (i32[r + FlowWord.Fate] & ~(FateBit.IcmpAboutB | FateBit.IcmpFromPeer)) | FateBit.Icmp |
      (aboutA ? 0 : FateBit.IcmpAboutB) | (fromPeer ? FateBit.IcmpFromPeer : 0);
    i32[r + FlowWord.Icmp] = (p.icmpType << 8) | p.icmpCode;
  }

  /**
   * Closes out every flow still open; returns all reports (they iterate in flow-id order). Called
   * once, at the end: the open flows are reported where they are, without unlinking each from its
   * hash chain first (tens of thousands at the end of a busy capture; bench/README.md).
   */
  finish(): ReportStore {
    this.table.sweep(); // flows already stale at the last packet count as expired
    this.draining = true;
    for (const slot of this.table.drain()) this.retire(slot);
    this.draining = false;
    return this.reports;
  }

  /**
   * One segment of the flow in `slot`, sent by endpoint a when fromA. The per-packet work reads
   * and writes the flow's record (store.ts); a Flow view is made only for probes and answers.
   * Store arrays are re-read after every call that may retire flows, never kept across create().
   */
  private segment(slot: number, fromA: boolean, rec: Int32Array, at: number): void {
    const store = this.table.store;
    const i32 = store.i32, f64 = store.f64;
    const r = slot * Layout.Words, d = slot * Layout.Doubles;
    // Sender's and receiver's word, double and bit offsets.
    const sw = r + (fromA ? 0 : Layout.EndpointBW), rw = r + (fromA ? Layout.EndpointBW : 0);
    const sd = d + (fromA ? 0 : Layout.EndpointBD), rd = d + (fromA ? Layout.EndpointBD : 0);
    const sb = fromA ? Layout.EA : Layout.EB, rb = fromA ? Layout.EB : Layout.EA;
    const meta = rec[at + SegmentWord.Meta];
    const flags = metaFlags(meta), seq = rec[at + SegmentWord.Seq] as SeqNum, ack = rec[at + SegmentWord.Ack] as SeqNum, len = rec[at + SegmentWord.PayloadLen], now = this.now;
    const hasAck = (flags & TcpFlag.ACK) !== 0;
    // The flow's bits, kept in a local and stored back at the end; re-read after each cold branch.
    let bits = i32[r + FlowWord.Bits];

    if (flags & TcpFlag.SYN) {
      bits |= EndpointBit.SynSeen << sb;
      i32[r + FlowWord.Bits] = bits;
      i32[r + (fromA ? FlowWord.SynSeqA : FlowWord.SynSeqB)] = seq;
      i32[sw + FlowWord.WScaleA] = metaWScale(meta);
    }
    // The peer's ACK may prove that the receiver's earlier probe-shaped segments were probes.
    // Each cold branch below ends with syncProberBits(), so the next branch's test of the bits is exact.
    if (hasAck && (bits & (EndpointBit.Candidates << rb)) !== 0) {
      const flow = this.table.flowAt(slot);
      this.resolveByAck(flow, !fromA, flow.endpoint(!fromA), ack);
      this.probers.sync(flow);
      bits = i32[r + FlowWord.Bits];
    }

    let cls = SegmentClass.Normal;
    if ((flags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) === 0 && len <= 1) {
      const lastData = f64[sd + FlowDouble.LastDataA];
      cls = classifySmallSegment((bits & (EndpointBit.FinSent << sb)) !== 0, (bits & (EndpointBit.AckedKnown << sb)) !== 0,
        i32[sw + FlowWord.AckedA], (bits & (EndpointBit.NextSeqKnown << sb)) !== 0, i32[sw + FlowWord.NextSeqA], seq, len,
        i32[rw + FlowWord.WindowA], lastData !== UNKNOWN_TIME && now - lastData < MIN_PROBE_IDLE_NS);
    }

    // Answers to the receiver's outstanding probe.
    if ((bits & (EndpointBit.Awaiting << rb)) !== 0 && cls !== SegmentClass.Keepalive) {
      const flow = this.table.flowAt(slot);
      const rp = this.probers.get(flow.endpoint(!fromA))!;
      if (flags & TcpFlag.RST) this.answer(flow, !fromA, rp, 'probe-reset');
      else if (hasAck && seqDelta(ack, rp.lastProbeSeq) === 1) {
        this.answer(flow, !fromA, rp, 'probe-ack');
        if (cls === SegmentClass.Candidate) cls = SegmentClass.Normal; // an answer is an ordinary TcpFlag.ACK at snd_nxt
      }
      this.probers.sync(flow);
      bits = i32[r + FlowWord.Bits];
    }

    if (cls !== SegmentClass.Normal && cls !== SegmentClass.Retransmission) {
      const flow = this.table.flowAt(slot);
      const s = flow.endpoint(fromA);
      switch (cls) {
        case SegmentClass.Keepalive: this.probe(flow, fromA, s, seq, len, false, this.frame, now, this.recTime); break;
        case SegmentClass.ZeroWindowProbe: this.zeroWindowProbe(flow, fromA, len); break;
        case SegmentClass.Candidate: this.addCandidate(flow, s, seq, ack, len); break;
        default: break;
      }
      this.probers.sync(flow);
      bits = i32[r + FlowWord.Bits];
    }

    // The sender gives up: its RST (Linux) or FIN after unanswered probes.
    if ((bits & ((EndpointBit.Candidates | EndpointBit.Awaiting) << sb)) !== 0 &&
      ((flags & (TcpFlag.RST | TcpFlag.FIN)) !== 0 || (len > 0 && cls === SegmentClass.Normal))) {
      const flow = this.table.flowAt(slot);
      const s = flow.endpoint(fromA);
      const sp = this.probers.get(s)!;
      if ((flags & (TcpFlag.RST | TcpFlag.FIN)) !== 0) {
        if (sp.candidates.length > 0) this.resolveBySeq(flow, fromA, s, seq);
        if (sp.awaiting) this.giveUp(flow, fromA, sp, (flags & TcpFlag.RST) !== 0 ? 'rst' : 'fin');
      } else {
        if (sp.candidates.length > 0) this.resolveBySeq(flow, fromA, s, seq);
        if (sp.awaiting) { sp.closeRun(); sp.awaiting = false; } // data resumed: the keepalive timer is off while data is in flight
      }
      this.probers.sync(flow);
      bits = i32[r + FlowWord.Bits];
    }

    // State updates (after classification, which needs the state before this segment).
    const isProbe = cls === SegmentClass.Keepalive || cls === SegmentClass.ZeroWindowProbe || cls === SegmentClass.Candidate;
    // What the flow's fate needs (fate/): each side's TTL range and IP ID series, and its run of
    // segments still waiting for an answer, with the idle gap before it and its retransmissions.
    const ip = rec[at + SegmentWord.Ip];
    let fb = i32[r + FlowWord.Fate];
    if ((flags & TcpFlag.RST) === 0) {
      const shift = fromA ? 0 : 16, ttl = ip & 0xff;
      const range = (i32[r + FlowWord.TtlRange] >>> shift) & 0xffff;
      if (range === 0 || ttl < (range & 0xff) || ttl > (range >>> 8)) this.widenTtl(r, shift, range, ttl);
      const id = (ip >>> 8) & 0xffff;
      if (id !== 0) {
        const ids = i32[r + FlowWord.IpId], last = (ids >>> shift) & 0xffff;
        if (last !== 0 && ((id - last) & 0xffff) > IP_ID_STEP) fb |= fromA ? FateBit.IpIdJumpA : FateBit.IpIdJumpB;
        i32[r + FlowWord.IpId] = (ids & ~(0xffff << shift)) | (id << shift);
      }
      // The sender spoke: the receiver's waiting run (or an ICMP error about it) is answered.
      if ((fb & ((fromA ? FateBit.PendingB : FateBit.PendingA) | FateBit.Icmp)) !== 0) fb = this.answered(r, d, fromA, fb);
      if ((fb & (fromA ? FateBit.PendingA : FateBit.PendingB)) === 0) {
        if (len > 0 || (flags & (TcpFlag.SYN | TcpFlag.FIN)) !== 0 || isProbe) {
          fb = (fb & ~(fromA ? FateBit.PendIdleA : FateBit.PendIdleB)) | (fromA ? FateBit.PendingA : FateBit.PendingB);
          if (this.gap >= IDLE_GAP_NS) {
            fb |= fromA ? FateBit.PendIdleA : FateBit.PendIdleB;
            f64[d + (fromA ? FlowDouble.PendGapA : FlowDouble.PendGapB)] = this.gap;
          }
        }
      } else if ((len > 0 || (flags & TcpFlag.FIN) !== 0) && !isProbe && (bits & (EndpointBit.NextSeqKnown << sb)) !== 0 &&
        seqDelta(seqAdd(seq, len + (flags & TcpFlag.FIN)), i32[sw + FlowWord.NextSeqA]) <= 0) fb = this.retransmitted(r, fromA, fb);
      if ((flags & TcpFlag.FIN) !== 0 && (fb & FateBit.FinFirstSeen) === 0) fb |= FateBit.FinFirstSeen | (fromA ? 0 : FateBit.FinFirstB);
    } else if ((fb & FateBit.RstSeen) === 0) {
      fb |= FateBit.RstSeen | (fromA ? 0 : FateBit.RstFromB) | (hasAck ? FateBit.RstHasAck : 0);
      i32[r + FlowWord.RstIp] = ip; i32[r + FlowWord.RstSeq] = seq; i32[r + FlowWord.RstAck] = ack;
    }
    i32[r + FlowWord.Fate] = fb;
    if (!isProbe && (flags & TcpFlag.RST) === 0) {
      const end = seqAdd(seq, len + ((flags & TcpFlag.SYN) ? 1 : 0) + ((flags & TcpFlag.FIN) ? 1 : 0));
      if ((bits & (EndpointBit.NextSeqKnown << sb)) === 0 || seqDelta(end, i32[sw + FlowWord.NextSeqA]) > 0) {
        i32[sw + FlowWord.NextSeqA] = end;
        bits |= EndpointBit.NextSeqKnown << sb;
      }
    }
    if (hasAck && (flags & TcpFlag.RST) === 0 &&
      ((bits & (EndpointBit.AckedKnown << rb)) === 0 || seqDelta(ack, i32[rw + FlowWord.AckedA]) > 0)) {
      i32[rw + FlowWord.AckedA] = ack;
      bits |= EndpointBit.AckedKnown << rb;
    }
    if ((flags & TcpFlag.RST) === 0) {
      // RFC 7323: the window field of a SYN is never scaled; later ones are when both SYNs agreed.
      const sScale = i32[sw + FlowWord.WScaleA];
      const scale = (flags & TcpFlag.SYN) === 0 && sScale >= 0 && i32[rw + FlowWord.WScaleA] >= 0 ? sScale : 0;
      i32[sw + FlowWord.WindowA] = rec[at + SegmentWord.Window] * (1 << scale);
    }
    if (!isProbe) f64[rd + FlowDouble.LastRecvA] = now;
    if (len > 0 && !isProbe && cls !== SegmentClass.Retransmission) f64[sd + FlowDouble.LastDataA] = now;

    if (flags & TcpFlag.RST) {
      i32[r + FlowWord.Bits] = fromA ? bits & ~FlowBit.RstFromB : bits | FlowBit.RstFromB;
      i32[r + FlowWord.End] = End.Rst;
      this.table.markClosed(slot);
      return;
    }
    if (flags & TcpFlag.FIN) {
      bits |= (EndpointBit.FinSent << sb) | (fromA ? FlowBit.FinA : FlowBit.FinB);
      i32[r + FlowWord.Bits] = bits;
      if ((bits & (FlowBit.FinA | FlowBit.FinB)) === (FlowBit.FinA | FlowBit.FinB)) { i32[r + FlowWord.End] = End.Fin; this.table.markClosed(slot); }
      return;
    }
    i32[r + FlowWord.Bits] = bits;
  }

  private widenTtl(r: number, shift: number, range: number, ttl: number): void {
    const lo = range === 0 || ttl < (range & 0xff) ? ttl : range & 0xff, hi = range === 0 || ttl > (range >>> 8) ? ttl : range >>> 8;
    const i32 = this.table.store.i32;
    i32[r + FlowWord.TtlRange] = (i32[r + FlowWord.TtlRange] & ~(0xffff << shift)) | ((lo | (hi << 8)) << shift);
  }

  /** The sender (a when fromA) answered the receiver: its idle gap was survived; its run and ICMP error are settled. */
  private answered(r: number, d: number, fromA: boolean, fb: number): number {
    const f64 = this.table.store.f64;
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

  /** The sender resent data or FIN while waiting for an answer: count it, and whether the intervals grow (RTO back-off). */
  private retransmitted(r: number, fromA: boolean, fb: number): number {
    const i32 = this.table.store.i32;
    const shift = fromA ? FateBit.RetxShiftA : FateBit.RetxShiftB, n = (fb >>> shift) & 0xff;
    const gapMs = Math.round(this.gap / 1e6), firstAt = r + (fromA ? FlowWord.RetxGapA : FlowWord.RetxGapB);
    if (n === 0) i32[firstAt] = gapMs;
    else if (gapMs >= 2 * i32[firstAt]) fb |= fromA ? FateBit.BackoffA : FateBit.BackoffB;
    return n === 0xff ? fb : (fb & ~(0xff << shift)) | ((n + 1) << shift);
  }

  private probe(flow: Flow, fromA: boolean, s: Endpoint, seq: number, len: number, late: boolean,
    frame: number, t: Nanos, recTime: Nanos): void {
    const pr = this.probers.create(s);
    flow.active = true;
    this.probes++;
    // Same series: the previous probe is unanswered and nothing but probes came from the peer since.
    const continues = pr.awaiting && !(s.lastRecv !== UNKNOWN_TIME && s.lastRecv > pr.lastProbeTime);
    let idle: number | null = null;
    if (pr.awaiting) pr.closeRun();
    if (continues) {
      pr.interval.add(t - pr.lastProbeTime);
      pr.seriesLen++;
    } else {
      pr.seriesLen = 1;
      if (s.lastRecv !== UNKNOWN_TIME) { idle = t - s.lastRecv; pr.idle.add(idle); }
    }
    pr.probes++;
    if (len > pr.probeBytes) pr.probeBytes = len;
    pr.awaiting = true;
    pr.icmpAnswered = false;
    pr.lastProbeFrame = frame;
    pr.lastProbeTime = t;
    pr.lastProbeSeq = seq;
    if (this.onEvent) {
      this.onEvent({ type: 'probe', ...this.baseAt(flow, fromA, frame, recTime), payloadBytes: len,
        idleSeconds: idle === null ? null : secs(idle), series: pr.seriesLen, late });
    }
  }

  private answer(flow: Flow, proberIsA: boolean, pr: ProberState, type: 'probe-ack' | 'probe-reset'): void {
    const rtt = this.now - pr.lastProbeTime;
    pr.rtt.add(rtt);
    pr.awaiting = false;
    pr.runUnanswered = 0;
    if (type === 'probe-ack') { pr.acked++; pr.outcome = 'alive'; } else { pr.resets++; pr.outcome = 'reset'; }
    if (this.onEvent) this.onEvent({ type, ...this.base(flow, !proberIsA), probeFrame: pr.lastProbeFrame as FrameNo, rttMs: ms(rtt) });
  }

  private giveUp(flow: Flow, proberIsA: boolean, pr: ProberState, via: 'rst' | 'fin'): void {
    pr.closeRun();
    pr.awaiting = false;
    pr.outcome = 'timeout';
    pr.giveUpAfter = pr.seriesLen;
    if (this.onEvent) this.onEvent({ type: 'keepalive-timeout', ...this.base(flow, proberIsA), probes: pr.seriesLen, via });
  }

  private zeroWindowProbe(flow: Flow, fromA: boolean, len: number): void {
    flow.active = true;
    flow.zeroWindowProbes++;
    this.zeroWindowProbes++;
    if (this.onEvent) this.onEvent({ type: 'zero-window-probe', ...this.base(flow, fromA), payloadBytes: len });
  }

  private addCandidate(flow: Flow, s: Endpoint, seq: number, ack: number, len: number): void {
    const pr = this.probers.create(s);
    const c = pr.candidates;
    // Repeated identical empty segments with nothing from the peer in between are probes: an
    // ordinary ACK is not re-sent unprompted.
    const last = c.length > 0 ? c[c.length - 1] : null;
    if (last !== null && last.seq === seq && last.ack === ack && last.len === len &&
      (s.lastRecv === UNKNOWN_TIME || s.lastRecv < last.time)) {
      c.push({ frame: this.frame, time: this.now, recordTime: this.recTime, seq, ack, len });
      this.confirm(flow, flow.a === s, s, seq);
      return;
    }
    if (c.length >= MAX_CANDIDATES) c.shift();
    c.push({ frame: this.frame, time: this.now, recordTime: this.recTime, seq, ack, len });
  }

  /** The peer acknowledged `ack`: candidates at ack − 1 were probes, those at ack were ordinary ACKs. */
  private resolveByAck(flow: Flow, proberIsA: boolean, prober: Endpoint, ack: number): void {
    const c = this.probers.get(prober)!.candidates;
    const atProbeSeq = c.some((x) => x.len === 0 && seqDelta(x.seq, ack) === -1);
    if (atProbeSeq) this.confirm(flow, proberIsA, prober, seqAdd(ack, -1));
    else c.length = 0;
  }

  /** The sender's own later data or TcpFlag.RST starts at seq: candidates at seq − 1 were probes. */
  private resolveBySeq(flow: Flow, fromA: boolean, s: Endpoint, seq: number): void {
    const c = this.probers.get(s)!.candidates;
    if (c.some((x) => x.len === 0 && seqDelta(x.seq, seq) === -1)) this.confirm(flow, fromA, s, seqAdd(seq, -1));
    else c.length = 0;
  }

  /** Replays the candidates at `seq` as probes, reported late, in capture order. */
  private confirm(flow: Flow, isA: boolean, s: Endpoint, seq: number): void {
    const pr = this.probers.get(s)!;
    const confirmed = pr.candidates.filter((x) => x.seq === seq);
    pr.candidates = [];
    for (const x of confirmed) this.probe(flow, isA, s, x.seq, x.len, true, x.frame, x.time, x.recordTime);
    if (!s.nextSeqKnown) { s.nextSeq = seqAdd(seq, 1); s.nextSeqKnown = true; }
  }

  private startsNewConnection(slot: number, fromA: boolean, seq: number): boolean {
    const store = this.table.store, r = slot * Layout.Words;
    const bits = store.i32[r + FlowWord.Bits];
    // A retransmitted SYN: same initial sequence number, connection not closed.
    if ((bits & (EndpointBit.SynSeen << (fromA ? Layout.EA : Layout.EB))) !== 0 &&
      store.i32[r + (fromA ? FlowWord.SynSeqA : FlowWord.SynSeqB)] === seq &&
      (bits & FlowBit.Closed) === 0) return false;
    return true;
  }

  /** Reports the flow in `slot` if it is to be reported; its record is still readable (unlink keeps it). */
  private retire(slot: number): void {
    const prev = this.continues.get(slot);
    if (prev !== undefined) this.continues.delete(slot);
    const store = this.table.store, w = slot * Layout.Words, d = slot * Layout.Doubles;
    const listed = (store.i32[w + FlowWord.Bits] & FlowBit.Active) !== 0 || this.opts.allFlows;
    // Silence at the end of the capture counts as idle too.
    const silent = this.draining ? this.now - store.f64[d + FlowDouble.LastTime] : -1;
    if (silent > store.f64[d + FlowDouble.MaxGap]) store.f64[d + FlowDouble.MaxGap] = silent;
    if (!listed) {
      // Most flows are not listed and did not die: at most a survived gap for their path, counted
      // without building a fate (a fate per flow cost a third of the engine's time).
      const fast = this.survivorOnly(slot);
      if (fast !== 0) {
        this.probers.forget(slot);
        return;
      }
    }
    const flow = this.table.flowAt(slot);
    // Only flows that probed (FlowBit.Active, so listed) have probes to settle and count.
    const a = this.closeProber(flow.a), b = this.closeProber(flow.b);
    if (a || b) this.flowsWithKeepalive++;
    // A flow that is not listed is looked at in a scratch row: listed only if it died after idle.
    let rows: Float64Array = this.scratch, off = 0;
    if (listed) { off = this.reports.append(); rows = this.reports.rows; }
    snapshotFlow(flow, this.probers.get(flow.a), this.probers.get(flow.b), this.clock.digits || 6, rows, off);
    snapshotFate(store, slot, silent, rows, off);
    rows[off + SnapshotField.Continues] = prev ?? -1;
    const fate = fateOf(rows, off);
    const pf = pathFlowOf(rows, off, fate);
    if (pf !== null) this.paths.add(pf);
    if (!listed && diedAfterIdle(fate)) this.reports.rows.set(this.scratch, this.reports.append());
    this.probers.forget(slot);
  }

  private resumed(slot: number, rec: Int32Array, r: number): void {
    const prev = this.evicted.take(rec, r, this.now);
    // The flows held (this one included) and the evicted ones that would still be open.
    const held = this.table.openFlows + this.evicted.size;
    if (held > this.peakOpenFlows) this.peakOpenFlows = held;
    if (prev < 0) return;
    this.continues.set(slot, prev);
    if (this.resumedFlows++ === 0) {
      this.opts.onNotice?.(`--max-flows ${this.opts.maxFlows} is below the number of flows open at once: flow ${prev}, evicted, ` +
        `came back at frame ${this.frame} (${this.evictedOpen} open flows evicted so far, at least ${this.peakOpenFlows} open at once); ` +
        'flows that come back are reported with "continues"');
    }
  }

  /**
   * For a flow that is not listed: 0 when it may have died after idle (a side still waiting after
   * an idle gap, or an ICMP error) or is an IPv6 survivor: the caller builds its fate. Otherwise it
   * is done here, an IPv4 flow's survived gap going to its path by number.
   */
  private survivorOnly(slot: number): number {
    const store = this.table.store, w = slot * Layout.Words, d = slot * Layout.Doubles, fb = store.i32[w + FlowWord.Fate];
    const end = store.i32[w + FlowWord.End];
    // Dying after idle (fate/decide.ts) takes an ICMP error, or a run after an idle gap ended by a
    // RST or retransmitted; anything else is open, closed, a RST without idle, or evicted.
    if ((fb & FateBit.Icmp) !== 0 || ((fb & (FateBit.PendIdleA | FateBit.PendIdleB)) !== 0 &&
      (end === End.Rst || (fb >>> FateBit.RetxShiftA) !== 0))) return 0;
    const survived = store.f64[d + FlowDouble.SurvivedGap];
    if (survived < IDLE_GAP_NS) return 1;
    if ((store.i32[w + FlowWord.Key] & 0xf) !== 4) return 0;
    const bits = store.i32[w + FlowWord.Bits];
    const serverIsA = (bits & FlowBit.ClientIsA) === 0;
    const ports = store.i32[w + FlowWord.Ports];
    this.paths.addIpv4Survivor(store.i32[w + (serverIsA ? FlowWord.A0 : FlowWord.B0)], serverIsA ? ports >>> 16 : ports & 0xffff,
      Math.round(survived / 1e3) / 1e6, end === End.Open || end === End.Fin);
    return 1;
  }

  /** Settles an endpoint's last series at the end of its flow; true when it probed at all. */
  private closeProber(e: Endpoint): boolean {
    const pr = this.probers.get(e);
    if (pr === null || pr.probes === 0) return false;
    if (pr.awaiting) { pr.closeRun(); if (!pr.icmpAnswered) pr.outcome = 'unanswered'; pr.awaiting = false; }
    this.outcomes[pr.outcome ?? 'unanswered']++;
    return true;
  }

  private base(flow: Flow, fromA: boolean) {
    return this.baseAt(flow, fromA, this.frame, this.recTime);
  }

  private baseAt(flow: Flow, fromA: boolean, frame: number, recTime: Nanos) {
    return {
      frame: frame as FrameNo, time: this.clock.iso(recTime), relTime: this.clock.rel(recTime),
      flow: flow.id, from: flow.endpointName(fromA), to: flow.endpointName(!fromA),
    };
  }
}

/** Without a handshake: the lower port is the listening side (well-known and registered ports are low). */
function isClientByPort(srcPort: number, dstPort: number): boolean {
  return srcPort > dstPort || srcPort === dstPort;
}

const ms = (ns: number): number => Number((ns / 1e6).toFixed(6));
const secs = (ns: number): number => Number((ns / 1e9).toFixed(9));
