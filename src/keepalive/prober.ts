// What one probing endpoint of a flow did: counts, the current series, and the samples behind the
// report's idle / interval / RTT spreads. The rules that change it are in series.ts (how a series
// runs and ends) and candidates.ts (mid-idle candidates).
import type { Nanos } from '../units';
import type { Endpoint } from '../flow/flow';
import type { Outcome } from './model';
import { Sample } from './sample';

/** A probe-shaped segment seen before anything told us the sender's next sequence number. */
export interface Candidate {
  readonly frame: number;
  readonly time: Nanos;
  readonly recordTime: Nanos;
  readonly seq: number;
  readonly ack: number;
  readonly len: number;
}

/** The empty suspect list every prober starts with (series.ts gives a prober its own at its first suspect; never written). */
export const NO_SUSPECTS: number[] = [];

/** Unconfirmed candidates kept per endpoint; more than this and the oldest are dropped. */
export const MAX_CANDIDATES = 16;

export class ProberState {
  probes = 0;
  acked = 0;
  resets = 0;
  icmp = 0;
  probeBytes = 0;
  maxUnanswered = 0;
  readonly idle = new Sample();
  readonly interval = new Sample();
  readonly rtt = new Sample();

  /** Probes in the current series (a series ends when a probe is answered by ACK or RST). */
  seriesLen = 0;
  /** Consecutive probes without an ACK/RST answer, ending with the last one. */
  runUnanswered = 0;
  lastProbeFrame = 0;
  lastProbeTime = 0 as Nanos;
  lastProbeSeq = 0;
  /** The last probe drew an ICMP error: answered, but the prober keeps probing (facts §2.6). */
  icmpAnswered = false;
  /** Outcome of the last series so far; null before the first probe resolves anything (set only by series.ts). */
  outcome: Outcome | null = null;
  /**
   * The prober's FIN came while its last probe awaited an answer: frame (0 none) and time. It is a
   * give-up only if the peer's next segment does not answer the probe (series.ts).
   */
  finFrame = 0;
  finTime = 0 as Nanos;
  /** Unanswered probes before the prober gave up (its RST or FIN), when it did. */
  giveUpAfter: number | null = null;

  /**
   * Answers lost between the capture point and the prober (series.ts): ACKs seen on the wire that
   * the prober evidently never got, because it probed on at its retry interval and gave up.
   */
  answersLost = 0;
  /** Time of the ACK that answered the last probe; NaN when the last probe was not ACKed. */
  ackedAt = NaN as Nanos;
  /** Idle before the current series' first probe, ns; -1 unknown. */
  seriesIdle = -1;
  /**
   * Probes that came sooner after the previous probe's ACK than the prober's idle allows, as
   * [idle, interval] pairs in ns, until a give-up (lost answers) or anything else decides them.
   */
  suspects: number[] = NO_SUSPECTS;
  /** The series length and first idle if the suspects continued the series. */
  chainLen = 0;
  chainIdle = -1;
  /** Idle before the series that gave up after lost answers, ns; -1 none. */
  lostIdle = -1;
  /** The flow's longest survived idle gap (fate-facts.ts) when the current series began, ns. */
  survivedBefore = 0;

  /** Probe-shaped segments waiting for evidence (mid-stream captures), oldest first. */
  private list: Candidate[] = [];

  /** `side` is the flow side that probes: its record bits mirror `awaiting` and "has candidates". */
  constructor(private readonly side: Endpoint) {}

  /** The last probe is still waiting for its answer (kept in the flow record, where the per-packet path reads it). */
  get awaiting(): boolean { return this.side.awaiting; }
  set awaiting(v: boolean) { this.side.awaiting = v; }

  get candidates(): readonly Candidate[] { return this.list; }

  addCandidate(c: Candidate): void {
    this.list.push(c);
    this.side.hasCandidates = true;
  }

  dropOldestCandidate(): void { this.list.shift(); }

  clearCandidates(): void {
    this.list = [];
    this.side.hasCandidates = false;
  }

  /** Removes every candidate; returns those at `seq`, in capture order. */
  takeCandidates(seq: number): Candidate[] {
    const at = this.list.filter((x) => x.seq === seq);
    this.clearCandidates();
    return at;
  }

  /** The last probe went without an ACK or RST: it extends the run of unanswered probes. */
  closeRun(): void {
    if (this.icmpAnswered) return;
    this.runUnanswered++;
    if (this.runUnanswered > this.maxUnanswered) this.maxUnanswered = this.runUnanswered;
  }

  get unanswered(): number { return this.probes - this.acked - this.resets - this.icmp; }
}
