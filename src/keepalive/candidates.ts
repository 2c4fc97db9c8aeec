// Captures that start mid-idle (README "How detection decides"): with no earlier segment from a
// side, nothing tells its snd_una, so a probe-shaped segment (0 or 1 byte, no SYN/FIN/RST) is kept
// as a candidate until evidence says which sequence number was snd_una − 1:
//  - the peer ACKs seq + 1 (an ACK of a probe acknowledges the byte after it, RFC 1122 §4.2.3.6);
//  - the sender's own later data or RST starts at seq + 1;
//  - the same empty segment repeats, at least 1 s later, with nothing from the peer in between:
//    an ordinary ACK is not re-sent unprompted, a probe is.
// Confirmed candidates become probes, reported late, in capture order.
import { seqDelta, type Nanos } from '../units';
import { UNKNOWN_TIME } from '../flow/flow';
import type { ProberState } from './prober';
import { MIN_PROBE_IDLE_NS } from './classify';

/**
 * The segment, at `t`, repeats the last candidate exactly, with nothing received since
 * (`lastRecv`) and at least 1 s later: both are probes. No retry interval is below 1 s; a repeat
 * sooner is a retransmission (the 1 s rule of classify.ts) or a copy.
 */
export function repeatsLast(pr: ProberState, seq: number, ack: number, len: number, lastRecv: Nanos, t: Nanos): boolean {
  const c = pr.candidates;
  if (c.length === 0) return false;
  const last = c[c.length - 1];
  return last.seq === seq && last.ack === ack && last.len === len && (lastRecv === UNKNOWN_TIME || lastRecv < last.time) &&
    t - last.time >= MIN_PROBE_IDLE_NS;
}

/**
 * The peer acknowledged `ack`: a 0-byte candidate at ack − 1 was a probe (one at ack was an
 * ordinary ACK), unless a 1-byte segment at ack − 1 explains the ACK as the ACK of data: an ordinary
 * ACK at X followed by the first data byte at X (a capture that starts mid-stream) is no probe pair.
 */
export function confirmedByAck(pr: ProberState, ack: number): boolean {
  let empty = false;
  for (const x of pr.candidates) {
    if (seqDelta(x.seq, ack) !== -1) continue;
    if (x.len === 1) return false;
    empty = true;
  }
  return empty;
}

/** The sender's own data or RST starts at `seq`: a 0-byte candidate at seq − 1 was a probe. */
export function confirmedBySeq(pr: ProberState, seq: number): boolean {
  return pr.candidates.some((x) => x.len === 0 && seqDelta(x.seq, seq) === -1);
}
