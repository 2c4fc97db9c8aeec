// A flow's fate from what its record remembers (keepalive-facts.md §6, "Who killed an idle
// connection"). The rules, first match wins:
//  1. The flow was evicted from the table: evicted.
//  2. A prober's keepalive series went unanswered and it gave up (RST or FIN): keepalive-timeout,
//     by the prober, after the idle before that series' first probe.
//  3. A sender retransmitted unanswered after an idle gap and then sent RST, or never got an answer
//     while retransmitting with back-off: retransmission-timeout, by that sender.
//  4. A RST ended it: injected-reset (by middlebox) when its fingerprint says it did not come from
//     the endpoint it names (rst.ts), else reset (by that endpoint). After idle when the segment it
//     answered came after an idle gap.
//  5. Both sides sent FIN: closed, by the first to send it.
//  6. An ICMP error about the flow came after the last answer and nothing followed: icmp.
//  7. Otherwise open; silentAtEndSeconds says how long it had been silent when the capture ended.
import type { Fate, FateBy, RstClue } from './model';
import type { RstJudgement } from './rst';

type Role = 'client' | 'server';

/** A silence at least this long before a fatal segment is an idle gap (as for keepalive probes). */
export const IDLE_GAP_SECONDS = 1;
/** Unanswered retransmissions that make a blackhole without a give-up RST on the wire. */
export const BLACKHOLE_RETRANSMISSIONS = 3;

/** One endpoint's part. */
export interface EndpointFateFacts {
  /** Gap before its first segment still waiting for an answer (data, FIN or probe) at the end, s; null none. */
  readonly pendingAfterIdleSeconds: number | null;
  /** From the first of those segments to the flow's last one (only after an idle gap), s; null otherwise. */
  readonly pendingTriedSeconds: number | null;
  /** Retransmissions among those unanswered segments. */
  readonly pendingRetransmissions: number;
  /** Its retransmission intervals grew (RTO back-off). */
  readonly backoff: boolean;
  readonly sentFin: boolean;
  /** Its keepalive gave up (RST or FIN after unanswered probes): probes and idle before them. */
  readonly keepaliveGaveUp: {
    readonly probes: number; readonly idleSeconds: number | null;
    /** ACKs of its probes seen at the capture point that never reached it (keepalive series.ts). */
    readonly answersLost?: number;
  } | null;
}

export interface FlowFateFacts {
  readonly end: 'rst' | 'fin' | 'open' | 'evicted';
  readonly client: EndpointFateFacts;
  readonly server: EndpointFateFacts;
  /** The RST that ended the flow: the endpoint it names and the fingerprint verdict. */
  readonly rst: { readonly from: Role; readonly judgement: RstJudgement } | null;
  /** Who sent the first FIN. */
  readonly firstFin: Role | null;
  /** An ICMP error about the flow after its last answer: from the peer's own address or not. */
  readonly icmp: { readonly about: Role; readonly fromPeer: boolean; readonly type: number; readonly code: number } | null;
  /** Silence at the end of the capture, s; null when the flow was retired earlier. */
  readonly silentAtEndSeconds: number | null;
}

const ROLES = ['client', 'server'] as const;
const other = (r: Role): Role => (r === 'client' ? 'server' : 'client');
const s1 = (x: number): string => x.toFixed(1);
const idleOrNull = (x: number | null): number | null => (x !== null && x >= IDLE_GAP_SECONDS ? x : null);

const make = (f: FlowFateFacts, how: Fate['how'], by: FateBy | null, afterIdle: number | null, retransmissions: number,
  evidence: string[], clue: RstClue | null = null, gaveUpAfter: number | null = null): Fate =>
  ({ how, by, afterIdleSeconds: afterIdle, retransmissions, gaveUpAfterSeconds: gaveUpAfter,
    silentAtEndSeconds: how === 'open' ? f.silentAtEndSeconds : null, clue, evidence });

/**
 * The fate of a flow with facts `f`. `explain`: false when only the fate's fields are wanted (a
 * path's evidence, once per retired flow), so no evidence text is made.
 */
export function decideFate(f: FlowFateFacts, explain = true): Fate {
  if (f.end === 'evicted') return make(f, 'evicted', null, null, 0, !explain ? [] : ['dropped from the flow table at the flow cap']);

  for (const role of ROLES) {
    const e = f[role], ka = e.keepaliveGaveUp;
    if (ka === null) continue;
    return make(f, 'keepalive-timeout', role, idleOrNull(ka.idleSeconds), e.pendingRetransmissions,
      !explain ? [] : [`${role} gave up after ${ka.probes} ${(ka.answersLost ?? 0) > 0 ? '' : 'unanswered '}keepalive probe${ka.probes === 1 ? '' : 's'}` +
        (ka.idleSeconds === null ? '' : ` (first after ${s1(ka.idleSeconds)} s idle)`) +
        (e.pendingTriedSeconds === null ? '' : ` ${s1(e.pendingTriedSeconds)} s after the first`) +
        ((ka.answersLost ?? 0) > 0 ? `; ${ka.answersLost} ACKs seen here never reached it` : '')],
      null, e.pendingTriedSeconds);
  }

  for (const role of ROLES) {
    const e = f[role];
    if (e.pendingAfterIdleSeconds === null || e.pendingAfterIdleSeconds < IDLE_GAP_SECONDS || e.pendingRetransmissions === 0) continue;
    const ownRst = f.rst !== null && f.rst.from === role && !f.rst.judgement.injected;
    if (!ownRst && (f.rst !== null || e.pendingRetransmissions < BLACKHOLE_RETRANSMISSIONS)) continue;
    const n = e.pendingRetransmissions, idle = e.pendingAfterIdleSeconds;
    return make(f, 'retransmission-timeout', role, idle, n,
      !explain ? [] : [`${role} sent after ${s1(idle)} s idle and retransmitted ${n} time${n === 1 ? '' : 's'} without an answer` +
        (e.backoff ? ' with growing intervals' : ''),
      ownRst ? `${role} gave up with a RST ${s1(e.pendingTriedSeconds ?? 0)} s after its first unanswered segment`
        : `no RST: the last try came ${s1(e.pendingTriedSeconds ?? 0)} s after the first; the sender gave up silently, or the capture ended first`],
      null, e.pendingTriedSeconds);
  }

  if (f.end === 'rst' && f.rst !== null) {
    const { from, judgement } = f.rst;
    const answered = f[other(from)];
    const idle = idleOrNull(answered.pendingAfterIdleSeconds);
    const ev = !explain ? [] : idle === null ? [...judgement.evidence]
      : [`RST in ${from}'s name answered ${other(from)}'s first segment after ${s1(idle)} s idle`, ...judgement.evidence];
    if (judgement.injected) return make(f, 'injected-reset', 'middlebox', idle, answered.pendingRetransmissions, ev, judgement.clue);
    return make(f, 'reset', from, idle, answered.pendingRetransmissions, ev);
  }

  if (f.end === 'fin') return make(f, 'closed', f.firstFin, null, 0, !explain ? [] : [`FIN from both sides, ${f.firstFin ?? 'client'} first`]);

  const icmp = f.icmp;
  if (icmp !== null) {
    const waiting = f[icmp.about];
    return make(f, 'icmp', icmp.fromPeer ? other(icmp.about) : 'middlebox', idleOrNull(waiting.pendingAfterIdleSeconds),
      waiting.pendingRetransmissions,
      !explain ? [] : [`ICMP type ${icmp.type} code ${icmp.code} about ${icmp.about}'s segment${icmp.fromPeer ? ' from the peer' : ' from a router'}, and no answer after it`]);
  }

  const ev: string[] = [];
  if (explain && (f.client.sentFin || f.server.sentFin)) ev.push(`half-closed by ${f.client.sentFin ? 'client' : 'server'}`);
  if (explain && f.silentAtEndSeconds !== null) ev.push(`silent for ${s1(f.silentAtEndSeconds)} s when the capture ended`);
  return make(f, 'open', null, null, 0, ev);
}
