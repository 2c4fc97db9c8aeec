// The order of the table's flows (--sort). `interest` puts first what a reader came for: probers
// that gave up, then probes answered by a reset (often a middlebox's), ICMP errors, unanswered
// probes, and last flows whose keepalives were answered.
import type { FlowReport, Outcome } from '../keepalive/model';

export const SORT_KEYS = ['interest', 'id', 'silence', 'probes'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const RANK: Readonly<Record<Outcome, number>> = { timeout: 0, reset: 1, icmp: 2, unanswered: 3, alive: 4 };
/** Flows without probes (zero-window probes only, or --all-flows) come last. */
const NO_KEEPALIVE = 5;
const RANKS = NO_KEEPALIVE + 1;

/** 0 (most interesting) … 5: the most interesting outcome among the flow's probers. */
export function interestRank(f: FlowReport): number {
  let r = NO_KEEPALIVE;
  for (const k of f.keepalive) r = Math.min(r, RANK[k.outcome]);
  return r;
}

const probesOf = (f: FlowReport): number => f.keepalive.reduce((n, k) => n + k.probes, 0);

/** Sorted in memory up to this many flows; past it, `interest` walks the stored flows once per rank present. */
export const SORT_IN_MEMORY_MAX = 100_000;

/**
 * `flows` in the order `key` asks. `id` is the order the engine stores them (by flow id). Up to
 * SORT_IN_MEMORY_MAX flows are sorted in memory (stable, ties by id); a longer list is never held
 * whole: it is streamed once per interest rank present, whatever the key.
 */
export function orderFlows(flows: Iterable<FlowReport> & { readonly length: number }, key: SortKey): Iterable<FlowReport> {
  if (key === 'id') return flows;
  if (flows.length <= SORT_IN_MEMORY_MAX) {
    const list = Array.from(flows);
    const by = key === 'interest' ? (f: FlowReport): number => interestRank(f)
      : key === 'silence' ? (f: FlowReport): number => -f.maxIdleSeconds
        : (f: FlowReport): number => -probesOf(f);
    const keys = new Map(list.map((f) => [f, by(f)] as const));
    return list.sort((a, b) => (keys.get(a) ?? 0) - (keys.get(b) ?? 0) || a.id - b.id);
  }
  return {
    *[Symbol.iterator]() {
      const present = new Array<boolean>(RANKS).fill(false);
      for (const f of flows) present[interestRank(f)] = true;
      for (let r = 0; r < RANKS; r++) {
        if (!present[r]) continue;
        for (const f of flows) if (interestRank(f) === r) yield f;
      }
    },
  };
}
