// The keepalive state of each side of each tracked flow, owned by the engine: the flow store keeps
// only a bit per side that says a prober exists (flow/flow.ts Endpoint.hasProber), so the flow
// layer knows nothing of probing. A slot's probers are dropped when its flow is retired.
import type { Endpoint } from '../flow/flow';
import { ProberState } from './prober';

const keyOf = (e: Endpoint): number => e.slot * 2 + (e.isA ? 0 : 1);

export class ProberSlots {
  private readonly bySide = new Map<number, ProberState>();

  /** The side's prober, or null before its first probe (or first unconfirmed candidate). */
  get(e: Endpoint): ProberState | null {
    return e.hasProber ? this.bySide.get(keyOf(e)) ?? null : null;
  }

  /** The side's prober, created now if it has none. */
  create(e: Endpoint): ProberState {
    let pr = this.get(e);
    if (pr === null) {
      pr = new ProberState(e);
      this.bySide.set(keyOf(e), pr);
      e.hasProber = true;
    }
    return pr;
  }

  /** Lets a retired flow's probers go (their samples can be 100 kB). */
  forget(slot: number): void {
    this.bySide.delete(slot * 2);
    this.bySide.delete(slot * 2 + 1);
  }
}
