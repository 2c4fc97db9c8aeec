// A flow's fate (how it ended, or where it stood when the capture ended) and the per-path idle
// timeout bracket: the shapes behind `fate` on every flow and `paths` in the reports.

export type FateHow = 'closed' | 'reset' | 'injected-reset' | 'keepalive-timeout' | 'retransmission-timeout'
  | 'icmp' | 'open' | 'evicted';
/** Every fate, in the order reports list them. */
export const FATES: readonly FateHow[] = ['closed', 'reset', 'injected-reset', 'keepalive-timeout',
  'retransmission-timeout', 'icmp', 'open', 'evicted'];
export type FateBy = 'client' | 'server' | 'middlebox';

/** Which fingerprint showed that a RST did not come from the endpoint it names. */
export type RstClue = 'ttl' | 'ip-id' | 'ack';

export interface Fate {
  readonly how: FateHow;
  readonly by: FateBy | null;
  /** The silence right before the death: the gap before the first segment that went unanswered or drew the fatal RST. */
  readonly afterIdleSeconds: number | null;
  /** Retransmissions that went unanswered at the end. */
  readonly retransmissions: number;
  /**
   * For keepalive-timeout and retransmission-timeout: from the dying side's first unanswered
   * segment after the idle gap to its last segment (the give-up RST, or its last try when it went
   * silent), s.
   */
  readonly gaveUpAfterSeconds: number | null;
  /** How long an open flow had been silent when the capture ended. */
  readonly silentAtEndSeconds: number | null;
  /** For injected-reset: the clue that decided. */
  readonly clue: RstClue | null;
  readonly evidence: readonly string[];
}

/** Fates that count as the path killing an idle flow (the bracket's upper end). */
export const PATH_DEATHS: ReadonlySet<FateHow> = new Set<FateHow>(['injected-reset', 'retransmission-timeout', 'keepalive-timeout']);
