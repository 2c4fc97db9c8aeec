// The probe rules, one small pure function each (keepalive-facts.md §1, §2.5, §6).
import { seqDelta } from '../units';

export const enum SegmentClass {
  /** An ordinary segment: data, pure ACK, SYN/FIN/RST. */
  Normal = 0,
  Keepalive = 1,
  ZeroWindowProbe = 2,
  /** Probe-shaped, but nothing yet tells the sender's next sequence number (mid-stream capture). */
  Candidate = 3,
  /** A 1-byte segment at snd_una − 1 too soon after data: a retransmission of the last byte. */
  Retransmission = 4,
}

/**
 * A 1-byte segment at snd_una − 1 within this long of the sender's last data is a retransmission
 * of that data's last byte, not a probe: keepalive needs the connection idle (RFC 9293 MUST-26),
 * and no stack's keepalive idle or retry interval is below one second.
 */
export const MIN_PROBE_IDLE_NS = 1e9;

/**
 * Classifies a segment with at most one byte of payload and no SYN/FIN/RST. The sender's state:
 * whether it sent a FIN, its snd_una as the peer's highest ACK (when known) and its snd_nxt (when
 * known); `peerWindow` is the receiver's last advertised window (-1 unknown); `recentData`: the
 * sender sent data less than MIN_PROBE_IDLE_NS ago. Sequence numbers in the seq32 form.
 * A keepalive re-sends the byte before snd_una: seq = snd_una − 1, 0 or 1 byte (RFC 1122 §4.2.3.6).
 * Linux zero-window probes are built the same way (facts §2.5); only the peer's zero window tells
 * them apart. Other stacks probe a zero window with one new byte at snd_nxt.
 */
export function classifySmallSegment(finSent: boolean, ackedKnown: boolean, acked: number,
  nextSeqKnown: boolean, nextSeq: number, seq: number, len: number, peerWindow: number,
  recentData: boolean): SegmentClass {
  if (finSent) return SegmentClass.Normal; // after FIN, seq = FIN's seq is an ordinary ACK (psiphon3 frame 58)
  const una = ackedKnown ? acked : nextSeq;
  if (!ackedKnown && !nextSeqKnown) return SegmentClass.Candidate;
  if (peerWindow === 0) {
    if (seqDelta(seq, una) === -1) return SegmentClass.ZeroWindowProbe;
    if (len === 1 && nextSeqKnown && seqDelta(seq, nextSeq) === 0) return SegmentClass.ZeroWindowProbe;
  }
  if (seqDelta(seq, una) !== -1) return SegmentClass.Normal;
  // Data in flight: the keepalive timer does not run (facts §2.2); a byte at snd_una − 1 is old data.
  if (ackedKnown && nextSeqKnown && seqDelta(nextSeq, acked) > 0) {
    return len === 1 ? SegmentClass.Retransmission : SegmentClass.Normal;
  }
  if (len === 1 && recentData) return SegmentClass.Retransmission;
  return SegmentClass.Keepalive;
}
