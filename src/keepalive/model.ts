// What the engine reports: the shapes behind `--format json|ndjson|csv` (the output contract in
// the README; users' scripts depend on these names). Times are Nanos relative to the analysis
// epoch until report/ turns them into text.
import type { FrameNo, Nanos } from '../units';
import type { Fate } from '../fate/model';

export type Role = 'client' | 'server';
export type Outcome = 'alive' | 'reset' | 'icmp' | 'timeout' | 'unanswered';
/** Every outcome, in the order reports and --fail-on list them. */
export const OUTCOMES: readonly Outcome[] = ['alive', 'reset', 'icmp', 'timeout', 'unanswered'];
export type StackMatch = 'linux' | 'windows' | 'bsd' | 'custom' | null;

/** min/median/max of a set of durations, in the unit the field name says. */
export interface Spread { readonly min: number; readonly median: number; readonly max: number }

export interface InferredSettings {
  readonly idleSeconds: number | null;
  readonly intervalSeconds: number | null;
  readonly count: number | null;
  readonly matches: StackMatch;
  /** Middlebox idle timeouts the observed idle sits just under or above, e.g. "just under AWS NLB 350 s". */
  readonly middleboxes: readonly string[];
  /** When a dead peer is detected: idle + interval × count, when all three are known. */
  readonly deadPeerDetectedAfterSeconds: number | null;
}

/** One probing endpoint of a flow. */
export interface KeepaliveReport {
  readonly prober: Role;
  readonly probes: number;
  readonly acked: number;
  readonly unanswered: number;
  readonly resets: number;
  readonly icmp: number;
  /** Payload size of the probes: 0 (Linux, BSD) or 1 (Windows); the larger if mixed. */
  readonly probeBytes: number;
  readonly idleSeconds: Spread | null;
  readonly intervalSeconds: Spread | null;
  readonly rttMs: Spread | null;
  readonly maxUnanswered: number;
  readonly outcome: Outcome;
  /**
   * Only when > 0: probes whose ACK was seen on the wire but never reached the prober, which
   * probed on at its retry interval or gave up (the capture point is between the two).
   */
  readonly answersLost?: number;
  readonly settings: InferredSettings;
}

/** A tunnel and the identifier that separates its tenants (VXLAN/Geneve VNI, GRE key, ERSPAN or PPPoE session). */
export interface FlowTunnel {
  readonly kind: 'vxlan' | 'geneve' | 'gre' | 'erspan' | 'mpls' | 'pppoe' | 'gtp-u';
  /** Absent for MPLS and GTP-U, whose labels and TEIDs differ per direction. */
  readonly id?: number;
}

export interface FlowReport {
  readonly id: number;
  /** `ip:port`, `[ipv6]:port`. */
  readonly client: string;
  readonly server: string;
  /** VLAN IDs outer→inner, empty when untagged. */
  readonly vlan: readonly number[];
  /** The innermost tunnel that separates tenants, when the flow came through one. */
  readonly tunnel?: FlowTunnel;
  readonly firstFrame: FrameNo;
  readonly lastFrame: FrameNo;
  readonly firstTime: string;
  readonly lastTime: string;
  /** No handshake seen: client/server were decided by evidence (ports). */
  readonly midstream: boolean;
  readonly packets: number;
  /** Longest silence between any two segments of the flow, seconds (middlebox timeouts). */
  readonly maxIdleSeconds: number;
  readonly zeroWindowProbes: number;
  /** How the flow ended: 'rst', 'fin', 'open' (capture ended), 'evicted'. */
  readonly end: 'rst' | 'fin' | 'open' | 'evicted';
  /** Only on a flow whose packets came back after --max-flows evicted it: the evicted flow's id. */
  readonly continues?: number;
  /** How the flow ended, who ended it and after how long an idle (fate/decide.ts). */
  readonly fate: Fate;
  readonly keepalive: readonly KeepaliveReport[];
  /** Who sent the RST or FINs; only on reports built from the engine's store, and not in JSON (not enumerable). */
  readonly closing?: Closing;
}

/** Who closed a flow. */
export interface Closing {
  /** Sender of the RST that ended the flow (end 'rst'), else null. */
  readonly rstFrom: Role | null;
  /** Ends that sent a FIN (both for end 'fin'). */
  readonly finFrom: readonly Role[];
}

interface EventBase {
  readonly frame: FrameNo;
  /** ISO 8601 UTC at the capture's resolution. */
  readonly time: string;
  /** Seconds since the capture's first packet. */
  readonly relTime: number;
  readonly flow: number;
  /** `ip:port` of the sender and receiver of the segment this event is about. */
  readonly from: string;
  readonly to: string;
}

export type KeepaliveEvent =
  | (EventBase & { readonly type: 'probe'; readonly payloadBytes: number; readonly idleSeconds: number | null; readonly series: number; readonly late: boolean })
  | (EventBase & { readonly type: 'probe-ack'; readonly probeFrame: FrameNo; readonly rttMs: number })
  | (EventBase & { readonly type: 'probe-reset'; readonly probeFrame: FrameNo; readonly rttMs: number })
  | (EventBase & { readonly type: 'probe-icmp'; readonly probeFrame: FrameNo; readonly rttMs: number; readonly icmpType: number; readonly icmpCode: number })
  | (EventBase & { readonly type: 'zero-window-probe'; readonly payloadBytes: number })
  | (EventBase & { readonly type: 'keepalive-timeout'; readonly probes: number; readonly via: 'rst' | 'fin'; readonly answersLost?: number });

export type EventType = KeepaliveEvent['type'];

export interface Summary {
  readonly flows: number;
  readonly flowsWithKeepalive: number;
  readonly probes: number;
  readonly zeroWindowProbes: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  /** Flows dropped because the flow cap was reached (their reports say end: 'evicted'). */
  readonly evictedFlows: number;
  /** Flows retired after the idle timeout (capture time) or after closing: normal housekeeping. */
  readonly expiredFlows: number;
  /** Frames that were not TCP nor an ICMP error about TCP. */
  readonly nonTcpFrames: number;
  /** TCP frames folded as copies of a segment seen within --dup-window (bridge ports, router interfaces, merged taps). */
  readonly duplicateFrames: number;
  /** Decoder anomalies by name (truncated headers, lying lengths, unknown link types …). */
  readonly weird: Readonly<Record<string, number>>;
}
