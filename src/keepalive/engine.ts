// The keepalive engine: every decoded TCP segment (as a record, decode/segment-record.ts) and ICMP
// error goes through here once. It updates the flow's two endpoints, classifies the segment,
// matches answers to probes and emits events; a retired flow's report is kept as a row of numbers
// and built when it is read (report.ts).
import { seqAdd, seqDelta, type FrameNo, type Nanos } from '../units';
import { TcpFlag, type DecodedPacket } from '../decode/packet';
import { MAX_RECORD_WORDS, META_FROM_B, META_NEW_FLOW, metaFlags, metaWords, SegmentWord, writeKey } from '../decode/segment-record';
import { Endpoint, Flow, UNKNOWN_TIME } from '../flow/flow';
import { FlowBit, FlowDouble, End, Layout, FlowWord } from '../flow/store';
import { FlowTable } from '../flow/table';
import { SideView } from '../flow/side-view';
import { FlowKey } from '../decode/flow-key';
import { classifySmallSegment, MIN_PROBE_IDLE_NS, SegmentClass, SmallSegmentFacts } from './classify';
import { Answer, answerTo, icmpAnswers } from './answers';
import { givesUpAfterLostAnswers, ProberStep, proberStep, probeSent, SeriesEvent, settle } from './series';
import { confirmedByAck, confirmedBySeq, repeatsLast } from './candidates';
import { MAX_CANDIDATES, type ProberState } from './prober';
import { ProberSlots } from './prober-slots';
import { buildFlowReport, SNAPSHOT_DOUBLES, SnapshotField, snapshotFate, snapshotFlow } from './report';
import { EvictedFlows } from '../flow/evicted';
import { FateBook, survivedBefore, survivedGap } from './fate-facts';
import { diedAfterIdle, fateOf, pathFlowOf } from './fate-row';
import { PathAccumulator, type PathsBy } from '../path/paths';
import type { KeepaliveEvent, Outcome } from './model';
import { ReportStore } from './report-store';
import { OwnTimes } from './own-time';

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
  /**
   * Whether each segment record, once processed, gets its flow's id (SegmentWord.FlowId) and the
   * META_NEW_FLOW and META_FROM_B bits, for a tap that reads the records after the engine.
   */
  marksRecords = false;
  /** Each flow's own time, once the capture's timestamps have stepped back (null before). */
  own: OwnTimes | null = null;
  /** What each flow's fate needs from its segments (fate-facts.ts). */
  private readonly fate: FateBook;
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
  /** While finish() retires the flows still open, the end of the capture, which their silence runs to; NaN otherwise. */
  private drainAt = NaN as Nanos;
  /** An ICMP error's quoted flow key, refilled per error, and as a record for the table's lookup. */
  private readonly key = new FlowKey();
  private readonly keyRecord = new Int32Array(MAX_RECORD_WORDS);
  /** The segment's sender's and receiver's sides of its flow record, rebound per segment. */
  private readonly snd = new SideView();
  private readonly rcv = new SideView();
  /** What classify needs of a small segment, refilled per segment. */
  private readonly facts = new SmallSegmentFacts();

  constructor(private readonly opts: EngineOptions, private readonly clock: EventClock,
    private readonly onEvent: ((e: KeepaliveEvent) => void) | null) {
    this.paths = new PathAccumulator(opts.pathsBy ?? 'address');
    this.fate = new FateBook(this.paths);
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
   * icmpError(): [0] monotonic capture time (never steps back; the flow table's expiry), [1] the record's own time
   * (its flow's durations once the capture has stepped back, own-time.ts). Passed in a typed array because a
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
    // The capture stepped back: from now on each flow's durations run on its own time (own-time.ts).
    if (this.recTime !== now && this.own === null) this.own = new OwnTimes();
    const own = this.own;
    const table = this.table;
    table.expire();
    const flags = metaFlags(rec[r + SegmentWord.Meta]);
    let slot = table.lookup(rec, r);
    let store = table.store, isNew = false;
    const d = slot * Layout.Doubles;
    if (slot >= 0 && !table.isStale(slot) &&
      !((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && this.startsNewConnection(slot, table.fromA, rec[r + SegmentWord.Seq]))) {
      let gap: number;
      if (own === null) gap = now - store.f64[d + FlowDouble.LastTime];
      else {
        const prev = own.lastOf(store, slot);
        this.now = own.advance(slot, store.i32[slot * Layout.Words + FlowWord.Id], this.recTime, prev, frame);
        gap = this.now - prev;
      }
      this.fate.gapNs = gap;
      if (gap > store.f64[d + FlowDouble.MaxGap]) store.f64[d + FlowDouble.MaxGap] = gap;
    } else {
      this.fate.gapNs = 0;
      isNew = true;
      slot = this.newFlow(slot, frame, flags, rec, r);
      store = table.store;
      if (own !== null) {
        this.now = this.recTime;
        own.set(slot, this.now);
        store.f64[slot * Layout.Doubles + FlowDouble.FirstTime] = this.now;
      }
    }
    const w = slot * Layout.Words;
    this.fate.nowNs = this.now;
    store.f64[slot * Layout.Doubles + FlowDouble.LastTime] = now;
    store.u32[w + FlowWord.LastFrame] = frame;
    store.u32[w + FlowWord.Packets]++;
    const fromA = table.fromA;
    this.segment(slot, fromA, rec, r);
    // A tap after the engine (the HTML report's segment spill) names connections by flow id.
    if (this.marksRecords) {
      rec[r + SegmentWord.FlowId] = this.table.store.i32[w + FlowWord.Id];
      rec[r + SegmentWord.Meta] |= (isNew ? META_NEW_FLOW : 0) | (fromA ? 0 : META_FROM_B);
    }
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
    const now = (this.own === null ? this.time[0] : this.time[1]) as Nanos;
    this.frame = frame; this.now = now; this.recTime = this.time[1] as Nanos;
    const k = this.key;
    k.set(p.buf, p.quotedSrcOff, p.quotedDstOff, p.quotedIpVersion, p.quotedSrcPort, p.quotedDstPort, p.vlanOuter, p.vlanInner,
      p.tenantKind, p.tenantId);
    writeKey(this.keyRecord, 0, k);
    const slot = this.table.lookup(this.keyRecord, 0);
    if (slot < 0 || this.table.isStale(slot)) return; // a stale flow is retired by the next sweep
    const proberIsA = this.table.fromA;
    this.fate.icmpError(this.table.store, slot, proberIsA, p);
    const flow = this.table.flowAt(slot);
    const pr = this.probers.get(flow.endpoint(proberIsA));
    if (pr === null || !pr.awaiting || !icmpAnswers(pr.lastProbeSeq, p.quotedSeq)) return;
    settle(pr, SeriesEvent.Icmp, 0);
    if (this.onEvent) this.onEvent({ type: 'probe-icmp', ...this.base(flow, !proberIsA), probeFrame: pr.lastProbeFrame as FrameNo,
      rttMs: ms(now - pr.lastProbeTime), icmpType: p.icmpType, icmpCode: p.icmpCode });
  }

  /**
   * Closes out every flow still open; returns all reports (they iterate in flow-id order). Called
   * once, at the end: the open flows are reported where they are, without unlinking each from its
   * hash chain first (tens of thousands at the end of a busy capture; bench/README.md). `endNs`:
   * when the capture ended, if later than its last packet (a live run's stop), in capture Nanos.
   */
  finish(endNs: number = NaN): ReportStore {
    this.table.sweep(); // flows already stale at the last packet count as expired
    // A live run ends when it is stopped, later than its last packet: open flows were silent till then.
    this.drainAt = (endNs > this.time[0] ? endNs : this.time[0]) as Nanos;
    for (const slot of this.table.drain()) this.retire(slot);
    this.drainAt = NaN as Nanos;
    return this.reports;
  }

  /**
   * One segment of the flow in `slot`, sent by endpoint a when fromA: the rules in order, each a
   * call into its unit (classify, answers, series, candidates). The record is read through the two
   * side views; a Flow view and the probers are fetched only in the cold branches.
   */
  private segment(slot: number, fromA: boolean, rec: Int32Array, at: number): void {
    const store = this.table.store;
    const snd = this.snd.bind(store, slot, fromA), rcv = this.rcv.bind(store, slot, !fromA);
    const meta = rec[at + SegmentWord.Meta], flags = metaFlags(meta);
    const seq = rec[at + SegmentWord.Seq], ack = rec[at + SegmentWord.Ack], len = rec[at + SegmentWord.PayloadLen];
    const syn = (flags & TcpFlag.SYN) !== 0, fin = (flags & TcpFlag.FIN) !== 0, rst = (flags & TcpFlag.RST) !== 0;
    const hasAck = (flags & TcpFlag.ACK) !== 0;

    if (syn) snd.sawSyn(seq);
    // The peer's ACK may prove that the receiver's earlier probe-shaped segments were probes.
    if (hasAck && rcv.hasCandidates) this.candidatesMeetAck(slot, fromA, ack);
    let cls = !syn && !fin && !rst && len <= 1 ? this.classify(snd, rcv, seq, len) : SegmentClass.Normal;
    // Answers to the receiver's outstanding probe; the peer's own keepalives answer nothing.
    if (rcv.awaiting && cls !== SegmentClass.Keepalive && this.answers(slot, fromA, rst, hasAck, ack) === Answer.Ack &&
      cls === SegmentClass.Candidate) cls = SegmentClass.Normal; // an answer is an ordinary ACK at snd_nxt
    const probeShaped = cls === SegmentClass.Keepalive || cls === SegmentClass.ZeroWindowProbe || cls === SegmentClass.Candidate;
    if (probeShaped) this.probeShaped(slot, fromA, cls, seq, ack, len);
    // The sender's own segment may end its series (or confirm its candidates).
    if (snd.probing) {
      const step = proberStep(rst || fin, len, cls === SegmentClass.Normal);
      if (step !== ProberStep.Nothing) this.proberStep(slot, fromA, step, rst, seq);
    } else if ((rst || fin) && snd.hasProber) this.lostAnswersGiveUp(slot, fromA, rst);

    // What the flow's fate needs (fate-facts.ts), from the sender's state before this segment.
    this.fate.note(store, slot, snd, flags, seq, ack, len, rec[at + SegmentWord.Ip], probeShaped);

    // State updates (after classification, which needs the state before this segment).
    if (!probeShaped && !rst) {
      const end = seqAdd(seq, len + (syn ? 1 : 0) + (fin ? 1 : 0));
      if (!snd.nextSeqKnown || seqDelta(end, snd.nextSeq) > 0) snd.setNextSeq(end);
    }
    if (hasAck && !rst && (!rcv.ackedKnown || seqDelta(ack, rcv.acked) > 0)) rcv.setAcked(ack);
    // Only whether the peer's window is zero is read (classify.ts), and RFC 7323 scaling never
    // changes that: the field is kept as sent.
    if (!rst) snd.window = rec[at + SegmentWord.Window];
    if (!probeShaped) rcv.lastRecv = this.now;
    if (len > 0 && !probeShaped && cls !== SegmentClass.Retransmission) snd.lastData = this.now;
    if (rst) { snd.sawRst(); this.close(slot, End.Rst); } else if (fin && snd.sawFin()) this.close(slot, End.Fin);
  }

  private close(slot: number, end: End): void {
    this.table.store.i32[slot * Layout.Words + FlowWord.End] = end;
    this.table.markClosed(slot);
  }

  /** The class of a segment of at most one byte without SYN/FIN/RST (classify.ts). */
  private classify(snd: SideView, rcv: SideView, seq: number, len: number): SegmentClass {
    const f = this.facts;
    f.seq = seq; f.len = len;
    f.ackedKnown = snd.ackedKnown; f.acked = snd.acked;
    f.nextSeqKnown = snd.nextSeqKnown; f.nextSeq = snd.nextSeq;
    f.peerWindow = rcv.window;
    const lastData = snd.lastData;
    f.recentData = lastData !== UNKNOWN_TIME && this.now - lastData < MIN_PROBE_IDLE_NS;
    return classifySmallSegment(f);
  }

  /** The peer's (sent by a when fromA) segment against the receiver's outstanding probe (answers.ts). */
  private answers(slot: number, fromA: boolean, rst: boolean, hasAck: boolean, ack: number): Answer {
    const flow = this.table.flowAt(slot);
    const pr = this.probers.get(flow.endpoint(!fromA))!;
    const a = answerTo(pr.lastProbeSeq, rst, hasAck, ack);
    if (a === Answer.None) {
      // The prober's FIN after its probe, and the peer's next segment does not answer it: a give-up.
      if (pr.finFrame !== 0) this.giveUp(flow, !fromA, pr, 'fin');
      return a;
    }
    pr.finFrame = 0; // an answer after the prober's FIN: the application closed, the probe was answered
    const rtt = this.now - pr.lastProbeTime;
    settle(pr, a === Answer.Ack ? SeriesEvent.Acked : SeriesEvent.Reset, rtt);
    if (this.onEvent) {
      this.onEvent({ type: a === Answer.Ack ? 'probe-ack' : 'probe-reset', ...this.base(flow, fromA), probeFrame: pr.lastProbeFrame as FrameNo, rttMs: ms(rtt) });
    }
    return a;
  }

  /** A keepalive, zero-window probe or candidate from a (fromA) or b. */
  private probeShaped(slot: number, fromA: boolean, cls: SegmentClass, seq: number, ack: number, len: number): void {
    const flow = this.table.flowAt(slot);
    if (cls === SegmentClass.Keepalive) this.probe(flow, fromA, seq, len, false, this.frame, this.now, this.recTime);
    else if (cls === SegmentClass.ZeroWindowProbe) this.zeroWindowProbe(flow, fromA, len);
    else this.addCandidate(flow, fromA, seq, ack, len);
  }

  /** The prober's own RST, FIN or new data while it awaits an answer or holds candidates (series.ts). */
  private proberStep(slot: number, fromA: boolean, step: ProberStep, rst: boolean, seq: number): void {
    const flow = this.table.flowAt(slot);
    const pr = this.probers.get(flow.endpoint(fromA))!;
    // Its data or RST starting at seq shows where snd_una was: candidates at seq − 1 were probes.
    if (pr.candidates.length > 0) this.candidatesMeetSeq(flow, fromA, pr, seq);
    if (!pr.awaiting) return;
    if (pr.finFrame !== 0) { this.giveUp(flow, fromA, pr, 'fin'); return; }
    if (step === ProberStep.GivesUp) {
      // A FIN may be the application closing right after a probe, before its answer could come:
      // decided by the peer's next segment (answers) or the end of the flow.
      if (!rst) { pr.finFrame = this.frame; pr.finTime = this.recTime; return; }
      settle(pr, SeriesEvent.GaveUp, 0);
      if (this.onEvent) this.onEvent({ type: 'keepalive-timeout', ...this.base(flow, fromA), probes: pr.seriesLen, via: 'rst' });
    } else settle(pr, SeriesEvent.DataResumed, 0);
  }

  /** The prober's RST or FIN after its last probe was ACKed on the wire: a give-up when those ACKs were lost (series.ts). */
  private lostAnswersGiveUp(slot: number, fromA: boolean, rst: boolean): void {
    const flow = this.table.flowAt(slot);
    const s = flow.endpoint(fromA), pr = this.probers.get(s);
    if (pr === null || !givesUpAfterLostAnswers(pr, s.lastRecv, this.now)) return;
    settle(pr, SeriesEvent.GaveUpAnswerLost, 0);
    // The idle gaps whose answers were lost were not survived: the path's evidence is what it was before the series.
    survivedBefore(this.table.store, slot, pr.survivedBefore);
    if (this.onEvent) {
      this.onEvent({ type: 'keepalive-timeout', ...this.base(flow, fromA), probes: pr.seriesLen, via: rst ? 'rst' : 'fin', answersLost: pr.answersLost });
    }
  }

  /** The prober's FIN (frame pr.finFrame) after an unanswered probe was its give-up. */
  private giveUp(flow: Flow, proberIsA: boolean, pr: ProberState, via: 'fin'): void {
    const frame = pr.finFrame, t = pr.finTime;
    pr.finFrame = 0;
    settle(pr, SeriesEvent.GaveUp, 0);
    if (this.onEvent) this.onEvent({ type: 'keepalive-timeout', ...this.baseAt(flow, proberIsA, frame, t), probes: pr.seriesLen, via });
  }

  private probe(flow: Flow, fromA: boolean, seq: number, len: number, late: boolean,
    frame: number, t: Nanos, recTime: Nanos): void {
    const s = flow.endpoint(fromA);
    const pr = this.probers.create(s);
    flow.active = true;
    this.probes++;
    pr.finFrame = 0; // probing on after its FIN: the FIN was no give-up (half-close)
    const idle = probeSent(pr, s.lastRecv, t, frame, seq, len);
    if (pr.seriesLen === 1 && pr.suspects.length === 0) pr.survivedBefore = survivedGap(this.table.store, flow.slot);
    if (this.onEvent) {
      this.onEvent({ type: 'probe', ...this.baseAt(flow, fromA, frame, recTime), payloadBytes: len,
        idleSeconds: idle < 0 ? null : secs(idle), series: pr.seriesLen, late });
    }
  }

  private zeroWindowProbe(flow: Flow, fromA: boolean, len: number): void {
    flow.active = true;
    flow.zeroWindowProbes++;
    this.zeroWindowProbes++;
    if (this.onEvent) this.onEvent({ type: 'zero-window-probe', ...this.base(flow, fromA), payloadBytes: len });
  }

  private addCandidate(flow: Flow, fromA: boolean, seq: number, ack: number, len: number): void {
    const s = flow.endpoint(fromA);
    const pr = this.probers.create(s);
    const repeat = repeatsLast(pr, seq, ack, len, s.lastRecv, this.now);
    if (!repeat && pr.candidates.length >= MAX_CANDIDATES) pr.dropOldestCandidate();
    pr.addCandidate({ frame: this.frame, time: this.now, recordTime: this.recTime, seq, ack, len });
    if (repeat) this.confirm(flow, fromA, pr, seq);
  }

  /** The peer (sent by a when fromA) acknowledged `ack`: the receiver's candidates are confirmed or dropped. */
  private candidatesMeetAck(slot: number, fromA: boolean, ack: number): void {
    const flow = this.table.flowAt(slot);
    const pr = this.probers.get(flow.endpoint(!fromA))!;
    if (confirmedByAck(pr, ack)) this.confirm(flow, !fromA, pr, seqAdd(ack, -1));
    else pr.clearCandidates();
  }

  private candidatesMeetSeq(flow: Flow, fromA: boolean, pr: ProberState, seq: number): void {
    if (confirmedBySeq(pr, seq)) this.confirm(flow, fromA, pr, seqAdd(seq, -1));
    else pr.clearCandidates();
  }

  /** Replays the candidates at `seq` as probes, reported late, in capture order; snd_nxt is then seq + 1. */
  private confirm(flow: Flow, isA: boolean, pr: ProberState, seq: number): void {
    for (const x of pr.takeCandidates(seq)) this.probe(flow, isA, x.seq, x.len, true, x.frame, x.time, x.recordTime);
    const s = flow.endpoint(isA);
    if (!s.nextSeqKnown) { s.nextSeq = seqAdd(seq, 1); s.nextSeqKnown = true; }
  }

  private startsNewConnection(slot: number, fromA: boolean, seq: number): boolean {
    const snd = this.snd.bind(this.table.store, slot, fromA);
    // A retransmitted SYN: same initial sequence number, connection not closed.
    return !(snd.synSeen && snd.synSeq === seq && !snd.flowClosed);
  }

  /** Reports the flow in `slot` if it is to be reported; its record is still readable (unlink keeps it). */
  private retire(slot: number): void {
    const prev = this.continues.get(slot);
    if (prev !== undefined) this.continues.delete(slot);
    const store = this.table.store, w = slot * Layout.Words, d = slot * Layout.Doubles;
    const listed = (store.i32[w + FlowWord.Bits] & FlowBit.Active) !== 0 || this.opts.allFlows;
    // Silence at the end of the capture counts as idle too.
    const silent = Number.isNaN(this.drainAt) ? -1 : this.drainAt - store.f64[d + FlowDouble.LastTime];
    if (silent > store.f64[d + FlowDouble.MaxGap]) store.f64[d + FlowDouble.MaxGap] = silent;
    // Most flows are not listed and did not die: at most a survived gap for their path.
    // A listed flow probed: a keepalive death tells its path something even with no run left waiting.
    const tells = listed || this.fate.tellsPath(store, slot);
    if (!listed && (!tells || this.fate.survivorOnly(store, slot))) {
      this.probers.forget(slot);
      return;
    }
    const flow = this.table.flowAt(slot);
    // Only flows that probed (FlowBit.Active, so listed) have probes to settle and count.
    const a = this.closeProber(flow.a), b = this.closeProber(flow.b);
    if (a || b) this.flowsWithKeepalive++;
    // A flow that is not listed is looked at in a scratch row: listed only if it died after idle.
    let rows: Float64Array = this.scratch, off = 0;
    if (listed) { off = this.reports.append(); rows = this.reports.rows; }
    snapshotFlow(flow, this.probers.get(flow.a), this.probers.get(flow.b), this.clock.digits || 6, rows, off);
    if (this.own !== null) rows[off + SnapshotField.LastTime] = this.own.lastOf(store, slot);
    snapshotFate(store, slot, silent, rows, off);
    rows[off + SnapshotField.Continues] = prev ?? -1;
    if (tells) {
      // Only its fields are read here; a listed flow's report builds its fate again, with evidence.
      const fate = fateOf(rows, off, false);
      const pf = pathFlowOf(rows, off, fate);
      if (pf !== null) this.paths.add(pf);
      if (!listed && diedAfterIdle(fate)) this.reports.rows.set(this.scratch, this.reports.append());
    }
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

  /** Settles an endpoint's last series at the end of its flow; true when it probed at all. */
  private closeProber(e: Endpoint): boolean {
    const pr = this.probers.get(e);
    if (pr === null || pr.probes === 0) return false;
    if (pr.finFrame !== 0) this.giveUp(this.table.flowAt(e.slot), e.isA, pr, 'fin');
    settle(pr, SeriesEvent.FlowEnded, 0);
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
