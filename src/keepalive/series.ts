// How a series of probes runs and how it ends (README "How detection decides": idle, interval,
// give-up). A series starts with a probe after the prober last heard from its peer; each further
// probe while the last one is unanswered and nothing but probes came from the peer continues it
// (RFC 1122 §4.2.3.6: probes repeat until answered or the prober gives up). Every change to a
// prober's outcome happens in settle().
import { UNKNOWN_TIME } from '../flow/flow';
import type { Nanos } from '../units';
import { NO_SUSPECTS, type ProberState } from './prober';

/** What happened to the prober's last probe, or to its series. */
export const enum SeriesEvent {
  /** The peer ACKed the probe: the series ends, the peer is alive. */
  Acked = 0,
  /** The peer reset the connection. */
  Reset = 1,
  /** An ICMP error quoted the probe: answered, but the prober keeps probing (facts §2.6). */
  Icmp = 2,
  /** The prober gave up: its RST or FIN while the probe was unanswered. */
  GaveUp = 3,
  /** The prober sent data: its keepalive timer is off while data is in flight. */
  DataResumed = 4,
  /** The flow ended with the probe still unanswered. */
  FlowEnded = 5,
  /** The prober gave up although its last probe's ACK was seen: that ACK was lost on the way (answerNeverArrived). */
  GaveUpAnswerLost = 6,
}

/** What the prober's own segment does to its series while it awaits an answer (or holds candidates). */
export const enum ProberStep {
  Nothing = 0,
  /** RST or FIN: the prober gives up (Linux sends RST after its last probe; an application may close). */
  GivesUp = 1,
  /** New data (not a probe, not a retransmission): the series is over without an answer. */
  DataResumes = 2,
}

/** The prober's segment with `rstOrFin`, `len` bytes, and `ordinary` (not a probe or retransmission). */
export function proberStep(rstOrFin: boolean, len: number, ordinary: boolean): ProberStep {
  if (rstOrFin) return ProberStep.GivesUp;
  if (len > 0 && ordinary) return ProberStep.DataResumes;
  return ProberStep.Nothing;
}

/**
 * Records a probe sent at `t` by a side that last received a non-probe segment at `lastRecv`.
 * Returns the idle time before it when it starts a series after something was received, else -1.
 */
export function probeSent(pr: ProberState, lastRecv: Nanos, t: Nanos, frame: number, seq: number, len: number): number {
  // Same series: the previous probe is unanswered and nothing but probes came from the peer since.
  const continues = pr.awaiting && !(lastRecv !== UNKNOWN_TIME && lastRecv > pr.lastProbeTime);
  // Or its ACK, seen on the wire, may never have reached the prober: decided by a give-up (suspects).
  const suspect = !continues && answerNeverArrived(pr, lastRecv, t);
  let idle = -1;
  if (pr.awaiting) pr.closeRun();
  if (continues) {
    pr.interval.add(t - pr.lastProbeTime);
    pr.seriesLen++;
    if (pr.suspects.length > 0) pr.chainLen++;
  } else {
    if (!suspect) clearSuspects(pr);
    if (suspect) {
      if (pr.suspects.length === 0) { pr.chainLen = pr.seriesLen; pr.chainIdle = pr.seriesIdle; }
      pr.chainLen++;
    }
    pr.seriesLen = 1;
    pr.seriesIdle = -1;
    if (lastRecv !== UNKNOWN_TIME) {
      idle = t - lastRecv;
      pr.seriesIdle = idle;
      // A suspect's idle waits: it is an interval if the prober gives up.
      if (!suspect) pr.idle.add(idle);
      else {
        if (pr.suspects === NO_SUSPECTS) pr.suspects = [];
        pr.suspects.push(idle, t - pr.lastProbeTime);
      }
    }
  }
  pr.ackedAt = NaN as Nanos;
  pr.probes++;
  if (len > pr.probeBytes) pr.probeBytes = len;
  pr.awaiting = true;
  pr.icmpAnswered = false;
  pr.lastProbeFrame = frame;
  pr.lastProbeTime = t;
  pr.lastProbeSeq = seq;
  return idle;
}

/** Timers fire late, never early, and at most this late (README "Settings and stacks"): 5 % + 0.25 s. */
const LATE_FRACTION = 0.05, LATE_NS = 0.25e9;

/**
 * Answers lost between the capture point and the prober (README "How detection decides"): the
 * ACK of the prober's last probe was the last segment it was sent (`lastRecv`), yet its next
 * segment, at `t`, comes sooner after that ACK than its idle time allows. A prober that got the
 * ACK restarts its idle timer (RFC 1122 §4.2.3.6: probes only after an idle interval); one that
 * did not goes on at its retry interval. The idle is the shortest seen before a series (a timer
 * fires late, never early; a longer one may have waited on something the capture does not show).
 * Such a probe is only a suspect: a peer's probes, unseen by our rules, can make a series look
 * short, so only the prober's give-up decides (givesUpAfterLostAnswers).
 */
export function answerNeverArrived(pr: ProberState, lastRecv: Nanos, t: Nanos): boolean {
  return !pr.awaiting && pr.idle.count > 0 && Math.abs(lastRecv - pr.ackedAt) < 1 &&
    t - pr.ackedAt < (pr.idle.min - LATE_NS) / (1 + LATE_FRACTION);
}

/**
 * The prober's RST or FIN at `t` is a give-up after lost answers: it kept probing past ACKs seen
 * on the wire (suspects), and this one came as soon after the last ACK.
 */
export function givesUpAfterLostAnswers(pr: ProberState, lastRecv: Nanos, t: Nanos): boolean {
  return pr.suspects.length > 0 && answerNeverArrived(pr, lastRecv, t);
}

/**
 * The prober gave up: each suspect continued the series at the retry interval, so the ACK before
 * it never arrived. Returns how many such ACKs; the series' length and idle are the chain's.
 */
function suspectsContinued(pr: ProberState): number {
  const x = pr.suspects, n = x.length / 2;
  pr.lostIdle = -1;
  if (n === 0) return 0;
  for (let i = 1; i < x.length; i += 2) pr.interval.add(x[i]);
  x.length = 0;
  pr.seriesLen = pr.chainLen;
  pr.lostIdle = pr.chainIdle;
  return n;
}

/** The suspects were series of their own after all: their idles count. */
function clearSuspects(pr: ProberState): void {
  const x = pr.suspects;
  if (x.length === 0) return;
  for (let i = 0; i < x.length; i += 2) pr.idle.add(x[i]);
  x.length = 0;
}

/** Applies `ev` to the prober's last probe and series; `rttNs` is the answer's delay (Acked, Reset). */
export function settle(pr: ProberState, ev: SeriesEvent, rttNs: number): void {
  // Only a give-up decides suspects; the ACK of a suspect keeps them waiting.
  if (ev !== SeriesEvent.Acked && ev !== SeriesEvent.GaveUp && ev !== SeriesEvent.GaveUpAnswerLost) clearSuspects(pr);
  switch (ev) {
    case SeriesEvent.Acked:
    case SeriesEvent.Reset:
      pr.rtt.add(rttNs);
      pr.awaiting = false;
      pr.runUnanswered = 0;
      if (ev === SeriesEvent.Acked) { pr.acked++; pr.outcome = 'alive'; pr.ackedAt = pr.lastProbeTime + rttNs as Nanos; } else { pr.resets++; pr.outcome = 'reset'; }
      return;
    case SeriesEvent.Icmp:
      pr.icmp++;
      pr.icmpAnswered = true;
      pr.outcome = 'icmp';
      return;
    case SeriesEvent.GaveUp:
      pr.closeRun();
      pr.awaiting = false;
      pr.answersLost += suspectsContinued(pr);
      pr.outcome = 'timeout';
      pr.giveUpAfter = pr.seriesLen;
      return;
    case SeriesEvent.DataResumed:
      pr.closeRun();
      pr.awaiting = false;
      return;
    case SeriesEvent.GaveUpAnswerLost:
      pr.answersLost += suspectsContinued(pr) + 1;
      pr.ackedAt = NaN as Nanos;
      pr.outcome = 'timeout';
      pr.giveUpAfter = pr.seriesLen;
      return;
    case SeriesEvent.FlowEnded:
      if (pr.awaiting) {
        pr.closeRun();
        if (!pr.icmpAnswered) pr.outcome = 'unanswered';
        pr.awaiting = false;
      }
      if (pr.outcome === null) pr.outcome = 'unanswered';
      return;
  }
}
