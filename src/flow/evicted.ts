// Flows evicted by --max-flows while still open, remembered by their key until they would have
// expired anyway (--idle-timeout after their last packet): when such a flow's packets come back,
// the new flow is marked as its continuation, and the most flows held plus remembered at once is
// the --max-flows that would have held them all.
import { SegmentWord as S } from '../decode/segment-record';
import { FlowWord as W, Layout } from './store';

/** Evicted flows remembered at most; past this the oldest are forgotten (and the peak is a lower bound). */
const MAX_REMEMBERED = 1_000_000;

export class EvictedFlows {
  private readonly byKey = new Map<string, { readonly id: number; readonly lastTime: number }>();
  /** Keys in eviction order, which is about last-packet order (the least recently active go first). */
  private readonly order: string[] = [];
  private head = 0;
  /** A flow was forgotten for room, not for its timeout: peaks from here on are lower bounds. */
  overflowed = false;

  constructor(private readonly idleTimeoutNs: number) {}

  get size(): number { return this.byKey.size; }

  /** Remembers the flow in `slot` of the store's words `i32` (its id, last packet at `lastTime`). */
  add(i32: Int32Array, slot: number, id: number, lastTime: number): void {
    const key = storeKey(i32, slot * Layout.Words);
    if (this.byKey.size >= MAX_REMEMBERED) { this.dropOldest(); this.overflowed = true; }
    this.byKey.set(key, { id, lastTime });
    this.order.push(key);
  }

  /** The id of the evicted flow the segment record at `r` belongs to (forgotten from here on), or -1. */
  take(rec: Int32Array, r: number, now: number): number {
    this.expire(now);
    if (this.byKey.size === 0) return -1;
    for (const reversed of [false, true]) {
      const key = recordKey(rec, r, reversed);
      const found = this.byKey.get(key);
      if (found !== undefined) { this.byKey.delete(key); return found.id; }
    }
    return -1;
  }

  /** Forgets flows that would have expired by `now`. */
  expire(now: number): void {
    while (this.head < this.order.length) {
      const key = this.order[this.head];
      const f = this.byKey.get(key);
      if (f !== undefined && now - f.lastTime <= this.idleTimeoutNs) break;
      if (f !== undefined) this.byKey.delete(key);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.order.length) { this.order.splice(0, this.head); this.head = 0; }
  }

  private dropOldest(): void {
    while (this.head < this.order.length) {
      const key = this.order[this.head++];
      if (this.byKey.delete(key)) return;
    }
  }
}

/** A flow's key in the store, as text: key bits, ports and both addresses, in the flow's a → b order. */
function storeKey(i32: Int32Array, w: number): string {
  const v6 = (i32[w + W.Key] & 0xf) === 6;
  const a = v6 ? `${i32[w + W.A0]},${i32[w + W.A1]},${i32[w + W.A1 + 1]},${i32[w + W.A1 + 2]}` : `${i32[w + W.A0]}`;
  const b = v6 ? `${i32[w + W.B0]},${i32[w + W.B1]},${i32[w + W.B1 + 1]},${i32[w + W.B1 + 2]}` : `${i32[w + W.B0]}`;
  return `${i32[w + W.Key]}|${i32[w + W.Ports]}|${a}|${b}`;
}

/** The same text for a segment record, source → destination, or the other way round. */
function recordKey(rec: Int32Array, r: number, reversed: boolean): string {
  const v6 = (rec[r + S.KeyBits] & 0xf) === 6;
  const addr = (w0: number, w1: number): string => (v6 ? `${rec[r + w0]},${rec[r + w1]},${rec[r + w1 + 1]},${rec[r + w1 + 2]}` : `${rec[r + w0]}`);
  const src = addr(S.Src0, S.Src1), dst = addr(S.Dst0, S.Dst1);
  const ports = rec[r + S.KeyPorts];
  const p = reversed ? ((ports & 0xffff) << 16) | (ports >>> 16) : ports;
  return `${rec[r + S.KeyBits]}|${p}|${reversed ? dst : src}|${reversed ? src : dst}`;
}
