// Did a RST come from the endpoint it names, or from a middlebox speaking for it? A firewall, NAT
// or load balancer that has forgotten a flow answers the next segment with a RST of its own
// (keepalive-facts.md §6). Its fingerprint, checked in this order:
//  - TTL / hop limit: the forger starts at its own initial value and crosses fewer hops, so its RST
//    arrives with a TTL above every earlier packet of the endpoint (an endpoint's initial TTL is
//    fixed, and a real path shortening would be a route change), or far below them (> 2 hops).
//  - IP ID (IPv4): copies the other side's last IP ID, or is unrelated to the endpoint's own
//    per-connection counter. ID 0 says nothing: Linux sends 0 in replies it makes without a socket
//    (RFC 6864 atomic datagrams), and so do the forgers seen in the lab.
//  - ACK: a host without the connection sets the RST's seq to the ACK number of the segment it
//    answers and no ACK flag (RFC 9293 §3.5.2); one that still has it sends RST|ACK acknowledging
//    everything the peer sent. A RST that follows neither rule was made up by someone else.
import type { RstClue } from './model';

/** What the capture knows when a RST arrives; -1 or null is unknown. */
export interface RstFacts {
  /** The endpoint the RST names as its source. */
  readonly sender: string;
  readonly ipv6: boolean;
  readonly ttl: number;
  /** Lowest and highest TTL of the endpoint's earlier segments in this flow. */
  readonly senderTtlMin: number;
  readonly senderTtlMax: number;
  /** The RST's IP ID (IPv4). */
  readonly ipId: number;
  /** The endpoint's last non-zero IP ID, and whether its non-zero IDs rose in small steps so far. */
  readonly senderIpIdLast: number;
  readonly senderIpIdSequential: boolean;
  /** The other side's last IP ID. */
  readonly peerIpIdLast: number;
  readonly hasAck: boolean;
  readonly seq: number;
  readonly ack: number;
  /** ACK number of the peer's latest segment (what a stateless host's RST seq must be). */
  readonly answeredAck: number | null;
  /** The peer's highest seq + len (what the endpoint's own RST|ACK acknowledges). */
  readonly peerNextSeq: number | null;
}

export interface RstJudgement {
  readonly injected: boolean;
  readonly clue: RstClue | null;
  readonly evidence: readonly string[];
}

/** How far below the endpoint's TTL a real path change may go. */
export const TTL_PATH_SLACK = 2;
/** An IP ID further than this ahead of (or any distance behind) the endpoint's counter is unrelated. */
export const IP_ID_STEP = 4096;

export function judgeRst(f: RstFacts): RstJudgement {
  const evidence: string[] = [];
  const hops = f.ipv6 ? 'hop limit' : 'TTL';
  let clue: RstClue | null = null;

  if (f.senderTtlMin >= 0) {
    const seen = f.senderTtlMin === f.senderTtlMax ? `${f.senderTtlMin}` : `${f.senderTtlMin}–${f.senderTtlMax}`;
    if (f.ttl > f.senderTtlMax) {
      clue = 'ttl';
      evidence.push(`RST ${hops} ${f.ttl} is above the ${seen} of ${f.sender}'s packets: it crossed fewer hops`);
    } else if (f.ttl < f.senderTtlMin - TTL_PATH_SLACK) {
      clue = 'ttl';
      evidence.push(`RST ${hops} ${f.ttl} is more than ${TTL_PATH_SLACK} hops below the ${seen} of ${f.sender}'s packets`);
    } else evidence.push(`RST ${hops} ${f.ttl} fits the ${seen} of ${f.sender}'s packets`);
  } else evidence.push(`no earlier packet of ${f.sender} to compare the RST's ${hops} with`);

  if (!f.ipv6 && f.ipId !== 0) {
    if (f.peerIpIdLast > 0 && f.ipId === f.peerIpIdLast && f.ipId !== f.senderIpIdLast) {
      clue ??= 'ip-id';
      evidence.push(`RST IP ID ${f.ipId} copies the other side's last IP ID`);
    } else if (f.senderIpIdLast > 0 && f.senderIpIdSequential) {
      const ahead = (f.ipId - f.senderIpIdLast) & 0xffff;
      if (ahead === 0 || ahead > IP_ID_STEP) {
        clue ??= 'ip-id';
        evidence.push(`RST IP ID ${f.ipId} does not follow ${f.sender}'s counter (last ${f.senderIpIdLast})`);
      } else evidence.push(`RST IP ID ${f.ipId} follows ${f.sender}'s counter (last ${f.senderIpIdLast})`);
    }
  }

  if (!f.hasAck) {
    if (f.answeredAck !== null && f.seq !== f.answeredAck) {
      clue ??= 'ack';
      evidence.push(`RST without ACK has seq ${f.seq}, not the ACK number ${f.answeredAck} of the segment it answers`);
    }
  } else if (f.peerNextSeq !== null && f.ack !== f.peerNextSeq) {
    clue ??= 'ack';
    evidence.push(`RST|ACK acknowledges ${f.ack}, not the other side's next seq ${f.peerNextSeq}`);
  }
  return { injected: clue !== null, clue, evidence };
}
