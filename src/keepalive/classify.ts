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
 * What classifySmallSegment needs to know, by name. The engine fills one reused object per segment
 * (no allocation); tests build their own. Sequence numbers in the seq32 form.
 */
export class SmallSegmentFacts {
  /** The segment's sequence number and payload length (0 or 1). */
  seq = 0;
  len = 0;
  /** The sender's snd_una as the peer's highest ACK, when one was seen. */
  ackedKnown = false;
  acked = 0;
  /** The sender's snd_nxt (highest seq + len sent), when known. */
  nextSeqKnown = false;
  nextSeq = 0;
  /** The receiver's last advertised window, -1 unknown. */
  peerWindow = -1;
  /** The sender sent data less than MIN_PROBE_IDLE_NS ago. */
  recentData = false;
}

/**
 * Classifies a segment with at most one byte of payload and no SYN/FIN/RST.
 * A keepalive re-sends the byte before snd_una: seq = snd_una − 1, 0 or 1 byte (RFC 1122 §4.2.3.6).
 * Linux zero-window probes are built the same way (facts §2.5); only the peer's zero window tells
 * them apart. Other stacks probe a zero window with one new byte at snd_nxt.
 * A FIN counts in snd_nxt like a byte, so after a half-close the probe's seq is the FIN's own
 * (Linux keeps probing while the peer stays open); until the FIN is ACKed it is in flight.
 */
export function classifySmallSegment(f: SmallSegmentFacts): SegmentClass {
  if (!f.ackedKnown && !f.nextSeqKnown) return SegmentClass.Candidate;
  const una = f.ackedKnown ? f.acked : f.nextSeq;
  if (f.peerWindow === 0) {
    if (seqDelta(f.seq, una) === -1) return SegmentClass.ZeroWindowProbe;
    if (f.len === 1 && f.nextSeqKnown && seqDelta(f.seq, f.nextSeq) === 0) return SegmentClass.ZeroWindowProbe;
  }
  if (seqDelta(f.seq, una) !== -1) return SegmentClass.Normal;
  // Data in flight: the keepalive timer does not run (facts §2.2); a byte at snd_una − 1 is old data.
  if (f.ackedKnown && f.nextSeqKnown && seqDelta(f.nextSeq, f.acked) > 0) {
    return f.len === 1 ? SegmentClass.Retransmission : SegmentClass.Normal;
  }
  if (f.len === 1 && f.recentData) return SegmentClass.Retransmission;
  return SegmentClass.Keepalive;
}
