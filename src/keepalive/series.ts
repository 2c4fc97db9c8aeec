// How a series of probes runs and how it ends (README "How detection decides": idle, interval,
// give-up). A series starts with a probe after the prober last heard from its peer; each further
// probe while the last one is unanswered and nothing but probes came from the peer continues it
// (RFC 1122 §4.2.3.6: probes repeat until answered or the prober gives up). Every change to a
// prober's outcome happens in settle().
import { UNKNOWN_TIME } from '../flow/flow';
import type { Nanos } from '../units';
import type { ProberState } from './prober';

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
  let idle = -1;
  if (pr.awaiting) pr.closeRun();
  if (continues) {
    pr.interval.add(t - pr.lastProbeTime);
    pr.seriesLen++;
  } else {
    pr.seriesLen = 1;
    if (lastRecv !== UNKNOWN_TIME) { idle = t - lastRecv; pr.idle.add(idle); }
  }
  pr.probes++;
  if (len > pr.probeBytes) pr.probeBytes = len;
  pr.awaiting = true;
  pr.icmpAnswered = false;
  pr.lastProbeFrame = frame;
  pr.lastProbeTime = t;
  pr.lastProbeSeq = seq;
  return idle;
}

/** Applies `ev` to the prober's last probe and series; `rttNs` is the answer's delay (Acked, Reset). */
export function settle(pr: ProberState, ev: SeriesEvent, rttNs: number): void {
  switch (ev) {
    case SeriesEvent.Acked:
    case SeriesEvent.Reset:
      pr.rtt.add(rttNs);
      pr.awaiting = false;
      pr.runUnanswered = 0;
      if (ev === SeriesEvent.Acked) { pr.acked++; pr.outcome = 'alive'; } else { pr.resets++; pr.outcome = 'reset'; }
      return;
    case SeriesEvent.Icmp:
      pr.icmp++;
      pr.icmpAnswered = true;
      pr.outcome = 'icmp';
      return;
    case SeriesEvent.GaveUp:
      pr.closeRun();
      pr.awaiting = false;
      pr.outcome = 'timeout';
      pr.giveUpAfter = pr.seriesLen;
      return;
    case SeriesEvent.DataResumed:
      pr.closeRun();
      pr.awaiting = false;
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
