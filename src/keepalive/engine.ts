// The keepalive engine: every decoded TCP segment and ICMP error goes through here once. It
// updates the flow's two endpoints, classifies the segment, matches answers to probes and emits
// events; reports are built when a flow is retired.
import { seqAdd, seqDelta, type FrameNo, type Nanos } from '../units';
import { ACK, FIN, RST, SYN, type DecodedPacket } from '../decode/packet';
import { Endpoint, Flow, FlowState, UNKNOWN_TIME } from '../flow/flow';
import { FlowTable } from '../flow/table';
import { flowHash } from '../flow/key';
import { classifySmallSegment, SegmentClass } from './classify';
import { MAX_CANDIDATES, ProberState } from './prober';
import { buildFlowReport } from './report';
import type { KeepaliveEvent, Outcome } from './model';
import { ReportStore } from './report-store';

/** How event times become text; owned by the analysis (it knows the capture's epoch and resolution). */
export interface EventClock {
  iso(t: Nanos): string;
  rel(t: Nanos): number;
}

export interface EngineOptions {
  readonly idleTimeoutNs: number;
  readonly maxFlows: number;
  readonly allFlows: boolean;
  /** Reports kept as objects before the rest spill to a temporary file (ReportStore). */
  readonly reportsInMemory?: number;
}

export class KeepaliveEngine {
  private readonly table: FlowTable;
  readonly reports: ReportStore;
  flowsSeen = 0;
  evictedFlows = 0;
  expiredFlows = 0;
  probes = 0;
  zeroWindowProbes = 0;
  readonly outcomes: Record<Outcome, number> = { alive: 0, reset: 0, icmp: 0, timeout: 0, unanswered: 0 };
  flowsWithKeepalive = 0;

  // The segment being processed, so helpers need no argument lists or objects per packet.
  private frame = 0;
  private now = 0 as Nanos;
  private recTime = 0 as Nanos;

  constructor(private readonly opts: EngineOptions, private readonly clock: EventClock,
    private readonly onEvent: ((e: KeepaliveEvent) => void) | null) {
    this.reports = new ReportStore(opts.reportsInMemory);
    this.table = new FlowTable(opts.maxFlows, opts.idleTimeoutNs, (flow, why) => {
      if (why === 'evicted') { this.evictedFlows++; flow.end = 'evicted'; } else this.expiredFlows++;
      this.retire(flow);
    });
  }

  /**
   * The current packet's times, written by the caller before tcp() or icmpError(): [0] monotonic
   * capture time (never steps back), [1] the record's own time. Passed in a typed array because a
   * double argument to a call V8 does not inline is boxed: two heap numbers per packet otherwise.
   */
  readonly time = new Float64Array(2);

  tcp(frame: number, p: DecodedPacket): void {
    const now = this.time[0] as Nanos;
    this.frame = frame; this.now = now; this.recTime = this.time[1] as Nanos;
    this.table.expire(now);
    const addrLen = p.ipVersion === 4 ? 4 : 16;
    const hash = flowHash(p.buf, p.srcOff, p.dstOff, addrLen, p.srcPort, p.dstPort, p.vlanOuter, p.vlanInner);
    const flags = p.flags;
    let flow = this.table.lookup(hash, p.ipVersion, p.vlanOuter, p.vlanInner, p.buf, p.srcOff, p.dstOff, p.srcPort, p.dstPort);
    if (flow !== null && this.table.isStale(flow, now)) { this.table.expireNow(flow); flow = null; }
    if (flow !== null && (flags & (SYN | ACK)) === SYN && this.startsNewConnection(flow, this.table.fromA, p.seq)) {
      this.table.unlink(flow);
      this.retire(flow);
      flow = null;
    }
    if (flow === null) {
      flow = this.table.create(hash, p.ipVersion, p.vlanOuter, p.vlanInner, p.buf, p.srcOff, p.dstOff, p.srcPort, p.dstPort, now);
      this.flowsSeen++;
      flow.firstFrame = frame;
      if (flags & SYN) { flow.midstream = false; flow.clientIsA = (flags & ACK) === 0; }
      else flow.clientIsA = isClientByPort(p.srcPort, p.dstPort);
    } else {
      const gap = now - flow.lastTime;
      if (gap > flow.maxGap) flow.maxGap = gap;
    }
    flow.lastTime = now;
    flow.lastFrame = frame;
    flow.packets++;
    this.segment(flow, this.table.fromA, p);
  }

  /** An ICMP error quoting a TCP segment: it may answer that segment's sender's probe. */
  icmpError(frame: number, p: DecodedPacket): void {
    const now = this.time[0] as Nanos;
    this.frame = frame; this.now = now; this.recTime = this.time[1] as Nanos;
    const addrLen = p.quotedIpVersion === 4 ? 4 : 16;
    const hash = flowHash(p.buf, p.quotedSrcOff, p.quotedDstOff, addrLen, p.quotedSrcPort, p.quotedDstPort, p.vlanOuter, p.vlanInner);
    const flow = this.table.lookup(hash, p.quotedIpVersion, p.vlanOuter, p.vlanInner, p.buf, p.quotedSrcOff, p.quotedDstOff, p.quotedSrcPort, p.quotedDstPort);
    if (flow === null || this.table.isStale(flow, now)) return; // a stale flow is retired by the next sweep
    const proberIsA = this.table.fromA;
    const pr = (proberIsA ? flow.a : flow.b).ka;
    if (pr === null || !pr.awaiting || pr.lastProbeSeq !== p.quotedSeq) return;
    pr.icmp++;
    pr.icmpAnswered = true;
    pr.outcome = 'icmp';
    if (this.onEvent) this.onEvent({ type: 'probe-icmp', ...this.base(flow, !proberIsA), probeFrame: pr.lastProbeFrame as FrameNo,
      rttMs: ms(now - pr.lastProbeTime), icmpType: p.icmpType, icmpCode: p.icmpCode });
  }

  /** Closes out every flow still open; returns all reports (they iterate in flow-id order). */
  finish(): ReportStore {
    this.table.sweep(this.now); // flows already stale at the last packet count as expired
    for (const flow of this.table.drain()) { this.table.unlink(flow); this.retire(flow); }
    return this.reports;
  }

  private segment(flow: Flow, fromA: boolean, p: DecodedPacket): void {
    const s = fromA ? flow.a : flow.b; // sender
    const r = fromA ? flow.b : flow.a; // receiver
    const flags = p.flags, seq = p.seq, len = p.payloadLen, now = this.now;
    const hasAck = (flags & ACK) !== 0;

    if (flags & SYN) { s.synSeen = true; s.synSeq = seq; s.wscale = p.wscale; }
    // The peer's ACK may prove that the receiver's earlier probe-shaped segments were probes.
    if (hasAck && r.ka !== null && r.ka.candidates.length > 0) this.resolveByAck(flow, !fromA, r, p.ack);

    let cls = SegmentClass.Normal;
    if ((flags & (SYN | FIN | RST)) === 0 && len <= 1) {
      const sinceData = s.lastData === UNKNOWN_TIME ? Infinity : now - s.lastData;
      cls = classifySmallSegment(s, seq, len, r.window, sinceData);
    }

    // Answers to the receiver's outstanding probe.
    const rp = r.ka;
    if (rp !== null && rp.awaiting && cls !== SegmentClass.Keepalive) {
      if (flags & RST) this.answer(flow, !fromA, rp, 'probe-reset');
      else if (hasAck && seqDelta(p.ack, rp.lastProbeSeq) === 1) {
        this.answer(flow, !fromA, rp, 'probe-ack');
        if (cls === SegmentClass.Candidate) cls = SegmentClass.Normal; // an answer is an ordinary ACK at snd_nxt
      }
    }

    switch (cls) {
      case SegmentClass.Keepalive: this.probe(flow, fromA, s, seq, len, false, this.frame, now, this.recTime); break;
      case SegmentClass.ZeroWindowProbe: this.zeroWindowProbe(flow, fromA, len); break;
      case SegmentClass.Candidate: this.addCandidate(flow, s, seq, p.ack, len); break;
      default: break;
    }

    // The sender gives up: its RST (Linux) or FIN after unanswered probes.
    const sp = s.ka;
    if (sp !== null && (flags & (RST | FIN)) !== 0) {
      if (sp.candidates.length > 0) this.resolveBySeq(flow, fromA, s, seq);
      if (sp.awaiting) this.giveUp(flow, fromA, sp, (flags & RST) !== 0 ? 'rst' : 'fin');
    } else if (sp !== null && len > 0 && cls === SegmentClass.Normal) {
      if (sp.candidates.length > 0) this.resolveBySeq(flow, fromA, s, seq);
      if (sp.awaiting) { sp.closeRun(); sp.awaiting = false; } // data resumed: the keepalive timer is off while data is in flight
    }

    // State updates (after classification, which needs the state before this segment).
    const isProbe = cls === SegmentClass.Keepalive || cls === SegmentClass.ZeroWindowProbe || cls === SegmentClass.Candidate;
    if (!isProbe && (flags & RST) === 0) {
      const end = seqAdd(seq, len + ((flags & SYN) ? 1 : 0) + ((flags & FIN) ? 1 : 0));
      if (!s.nextSeqKnown || seqDelta(end, s.nextSeq) > 0) { s.nextSeq = end; s.nextSeqKnown = true; }
    }
    if (hasAck && (flags & RST) === 0 && (!r.ackedKnown || seqDelta(p.ack, r.acked) > 0)) { r.acked = p.ack; r.ackedKnown = true; }
    if ((flags & RST) === 0) {
      // RFC 7323: the window field of a SYN is never scaled; later ones are when both SYNs agreed.
      const scale = (flags & SYN) === 0 && s.wscale >= 0 && r.wscale >= 0 ? s.wscale : 0;
      s.window = p.window * (1 << scale);
    }
    if (!isProbe) r.lastRecv = now;
    if (len > 0 && !isProbe && cls !== SegmentClass.Retransmission) s.lastData = now;

    if (flags & RST) { flow.end = 'rst'; this.table.markClosed(flow, now); }
    else if (flags & FIN) {
      s.finSent = true;
      if (fromA) flow.finA = true; else flow.finB = true;
      if (flow.finA && flow.finB) { flow.end = 'fin'; this.table.markClosed(flow, now); }
    }
  }

  private probe(flow: Flow, fromA: boolean, s: Endpoint, seq: number, len: number, late: boolean,
    frame: number, t: Nanos, recTime: Nanos): void {
    const pr = s.ka ??= new ProberState();
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
    const pr = s.ka ??= new ProberState();
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
    const c = prober.ka!.candidates;
    const atProbeSeq = c.some((x) => x.len === 0 && seqDelta(x.seq, ack) === -1);
    if (atProbeSeq) this.confirm(flow, proberIsA, prober, seqAdd(ack, -1));
    else c.length = 0;
  }

  /** The sender's own later data or RST starts at seq: candidates at seq − 1 were probes. */
  private resolveBySeq(flow: Flow, fromA: boolean, s: Endpoint, seq: number): void {
    const c = s.ka!.candidates;
    if (c.some((x) => x.len === 0 && seqDelta(x.seq, seq) === -1)) this.confirm(flow, fromA, s, seqAdd(seq, -1));
    else c.length = 0;
  }

  /** Replays the candidates at `seq` as probes, reported late, in capture order. */
  private confirm(flow: Flow, isA: boolean, s: Endpoint, seq: number): void {
    const pr = s.ka!;
    const confirmed = pr.candidates.filter((x) => x.seq === seq);
    pr.candidates = [];
    for (const x of confirmed) this.probe(flow, isA, s, x.seq, x.len, true, x.frame, x.time, x.recordTime);
    if (!s.nextSeqKnown) { s.nextSeq = seqAdd(seq, 1); s.nextSeqKnown = true; }
  }

  private startsNewConnection(flow: Flow, fromA: boolean, seq: number): boolean {
    const s = fromA ? flow.a : flow.b;
    if (s.synSeen && s.synSeq === seq && flow.state === FlowState.Open) return false; // a retransmitted SYN
    return true;
  }

  private retire(flow: Flow): void {
    if (!flow.active && !this.opts.allFlows) return;
    const a = this.closeProber(flow.a), b = this.closeProber(flow.b);
    if (a || b) this.flowsWithKeepalive++;
    this.reports.add(buildFlowReport(flow, this.clock));
  }

  /** Settles an endpoint's last series at the end of its flow; true when it probed at all. */
  private closeProber(e: Endpoint): boolean {
    const pr = e.ka;
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
