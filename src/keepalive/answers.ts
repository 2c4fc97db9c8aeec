// What answers a probe (README "How detection decides", Answers). Between a probe and the prober's
// next one, the peer answers with an ACK of the probe's next byte, or a RST; a router or the peer's
// host answers with an ICMP error quoting the probe. RFC 1122 §4.2.3.6: the peer's ACK of a probe
// carries its current window and ACKs the prober's snd_nxt, which is probe.seq + 1.
import { seq32, seqDelta } from '../units';

export const enum Answer {
  None = 0,
  /** The peer ACKed probe.seq + 1: the peer is alive (`probe-ack`). */
  Ack = 1,
  /** The peer sent RST: it no longer knows the connection (`probe-reset`). */
  Reset = 2,
}

/**
 * The peer's segment (not itself a keepalive) against the prober's outstanding probe at `probeSeq`.
 * Any RST answers; an ACK answers when it acknowledges exactly probe.seq + 1.
 */
export function answerTo(probeSeq: number, rst: boolean, hasAck: boolean, ack: number): Answer {
  if (rst) return Answer.Reset;
  if (hasAck && seqDelta(ack, probeSeq) === 1) return Answer.Ack;
  return Answer.None;
}

/** An ICMP error answers the probe whose sequence number it quotes, and no other segment. */
export function icmpAnswers(probeSeq: number, quotedSeq: number): boolean {
  return seq32(quotedSeq) === probeSeq;
}
