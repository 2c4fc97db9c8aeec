// The flow table: a hash of chained flows, plus the housekeeping that keeps it bounded in capture
// time: idle flows expire, closed flows linger a little, and the table never exceeds its cap.
//
// There is no recency list. Keeping one exact (move the flow to the tail on every packet) cost
// pointer writes into tens of thousands of old objects per second of capture: 1.5 s of list
// updates plus the scavenger's remembered-set work on the 1 GiB bench capture. Instead the table
// sweeps the flows' last-seen times, which sit side by side in the FlowStore's Float64Array, a few
// times per idle timeout, and a lookup that lands on a flow past its timeout treats it as gone, so
// what the user sees (when a flow ends and a new one begins) is what an exact list would give.
// Closed flows, which linger only 120 s, wait in a queue in closing order instead: sweeping every
// slot 8 times per linger cost 1.0 s of the 1 GiB capture's 8 s (400 scans of 50k slots).
import type { Nanos } from '../units';
import { Flow, FlowState } from './flow';
import { F64, FlowStore } from './store';

/** Closed flows stay this long for stragglers (retransmitted RSTs, late ACKs). */
const CLOSED_LINGER_NS = 120e9;
/** Sweeps per linger (or idle timeout, if shorter): a flow is retired at most this fraction late. */
const SWEEPS_PER_TIMEOUT = 8;
/** At the cap, evict this fraction of the table at once so the scan for the oldest is amortised. */
const EVICT_FRACTION = 1 / 64;

/**
 * Bucket count: a power of two near the flow cap, at most 2^16. A bigger pointer array costs more
 * than longer chains: every young flow stored in it is an old-to-new reference the scavenger must
 * visit (measured on 0.1 GiB: 2^20 buckets, 3.2 s of scavenges; 2^16, 0.11 s).
 */
function bucketCount(maxFlows: number): number {
  let n = 1024;
  while (n < maxFlows && n < 1 << 16) n <<= 1;
  return n;
}

export type RetireReason = 'expired' | 'evicted';

export class FlowTable {
  // A plain array of chain heads indexed by hash bits: cheaper than a Map lookup per packet.
  private readonly buckets: (Flow | null)[];
  private readonly mask: number;
  /** The flow in each store slot, null when the slot is free. */
  private readonly bySlot: (Flow | null)[] = [];
  /** The Flow object of each slot, kept while the slot is free and reused by its next connection. */
  private readonly pool: Flow[] = [];
  private nextId = 0;
  private live = 0;
  private nextSweep = 0;
  private readonly sweepEveryNs: number;
  private nextClosedCheck = 0;
  private readonly closedCheckEveryNs: number;
  // Closed flows in closing order: the Flow, its id (the object is reused by later connections)
  // and the capture time from which its linger counts. Entries before closedHead are done.
  private closedFlows: Flow[] = [];
  private closedIds: number[] = [];
  private closedSince: number[] = [];
  private closedHead = 0;
  readonly store = new FlowStore();
  /** Set by lookup(): whether the packet's source is the flow's endpoint a. */
  fromA = true;

  constructor(private readonly maxFlows: number, private readonly idleTimeoutNs: number,
    private readonly retire: (flow: Flow, why: RetireReason) => void) {
    const n = bucketCount(maxFlows);
    this.buckets = new Array<Flow | null>(n).fill(null);
    this.mask = n - 1;
    this.sweepEveryNs = idleTimeoutNs / SWEEPS_PER_TIMEOUT;
    this.closedCheckEveryNs = Math.min(idleTimeoutNs, CLOSED_LINGER_NS) / SWEEPS_PER_TIMEOUT;
  }

  get size(): number { return this.live; }

  /**
   * The flow of this packet, or null. The caller checks isStale(): a flow found past its idle
   * timeout or linger must be retired (expireNow) as an exact recency list would already have done.
   */
  lookup(hash: number, ipVersion: number, vlanOuter: number, vlanInner: number, buf: Buffer,
    srcOff: number, dstOff: number, sport: number, dport: number): Flow | null {
    const s0 = buf.readUInt32BE(srcOff), d0 = buf.readUInt32BE(dstOff);
    for (let f = this.buckets[hash & this.mask]; f !== null; f = f.chain) {
      if (f.ipVersion !== ipVersion || f.vlanOuter !== vlanOuter || f.vlanInner !== vlanInner) continue;
      let fromA: boolean;
      if (f.portA === sport && f.portB === dport && f.addrWord(true, 0) === s0 && f.addrWord(false, 0) === d0 &&
        (ipVersion === 4 || (sameRest(f, true, buf, srcOff) && sameRest(f, false, buf, dstOff)))) {
        fromA = true;
      } else if (f.portA === dport && f.portB === sport && f.addrWord(true, 0) === d0 && f.addrWord(false, 0) === s0 &&
        (ipVersion === 4 || (sameRest(f, true, buf, dstOff) && sameRest(f, false, buf, srcOff)))) {
        fromA = false;
      } else continue;
      this.fromA = fromA;
      return f;
    }
    return null;
  }

  /** Creates a flow whose endpoint a is the packet's source. Copies the address bytes once. */
  create(hash: number, ipVersion: number, vlanOuter: number, vlanInner: number, buf: Buffer,
    srcOff: number, dstOff: number, sport: number, dport: number, now: Nanos): Flow {
    if (this.live >= this.maxFlows) {
      this.sweep(now); // flows already past their timeout leave as expired, not evicted
      if (this.live >= this.maxFlows) this.evictOldest();
    }
    const slot = this.store.allocate();
    while (this.pool.length <= slot) this.pool.push(new Flow(this.store, this.pool.length));
    const flow = this.pool[slot];
    flow.init(this.nextId++, hash, ipVersion, vlanOuter, vlanInner, sport, dport);
    const words = ipVersion === 4 ? 1 : 4;
    for (let i = 0; i < words; i++) {
      flow.setAddrWord(true, i, buf.readUInt32BE(srcOff + 4 * i));
      flow.setAddrWord(false, i, buf.readUInt32BE(dstOff + 4 * i));
    }
    flow.chain = this.buckets[hash & this.mask];
    this.buckets[hash & this.mask] = flow;
    flow.firstTime = flow.lastTime = now;
    while (this.bySlot.length <= slot) this.bySlot.push(null);
    this.bySlot[slot] = flow;
    this.live++;
    this.fromA = true;
    return flow;
  }

  markClosed(flow: Flow, now: Nanos): void {
    if (flow.state === FlowState.Closed) return;
    flow.state = FlowState.Closed;
    this.closedFlows.push(flow);
    this.closedIds.push(flow.id);
    this.closedSince.push(now);
  }

  /** Retires flows silent longer than the idle timeout and closed flows past their linger. */
  expire(now: Nanos): void {
    if (now >= this.nextClosedCheck) this.retireClosed(now);
    if (now >= this.nextSweep) this.sweep(now);
  }

  /**
   * Retires queued closed flows past their linger. The queue is in closing order, so the first
   * entry still inside its linger ends the walk; a flow a straggler kept fresh goes to the back.
   */
  private retireClosed(now: Nanos): void {
    this.nextClosedCheck = now + this.closedCheckEveryNs;
    const flows = this.closedFlows, ids = this.closedIds, since = this.closedSince;
    let head = this.closedHead;
    while (head < flows.length) {
      const f = flows[head];
      if (f.id !== ids[head] || this.bySlot[f.slot] !== f) { head++; continue; } // already retired
      if (now - since[head] <= CLOSED_LINGER_NS) break;
      head++;
      if (this.isStale(f, now)) this.drop(f, 'expired');
      else { flows.push(f); ids.push(f.id); since.push(this.store.f64[f.slot * F64.Count + F64.LastTime]); }
    }
    if (head > 4096 && head * 2 > flows.length) {
      this.closedFlows = flows.slice(head);
      this.closedIds = ids.slice(head);
      this.closedSince = since.slice(head);
      head = 0;
    }
    this.closedHead = head;
  }

  /** Retires every stale flow now (expire() does this a few times per timeout). */
  sweep(now: Nanos): void {
    this.nextSweep = now + this.sweepEveryNs;
    const flows = this.bySlot;
    for (let slot = 0; slot < flows.length; slot++) {
      const f = flows[slot];
      if (f !== null && this.isStale(f, now)) this.drop(f, 'expired');
    }
  }

  /** Removes a flow without retiring it (the caller reports it), e.g. when a new SYN reuses the tuple. */
  unlink(flow: Flow): void {
    const b = flow.hash & this.mask;
    if (this.buckets[b] === flow) this.buckets[b] = flow.chain;
    else for (let p = this.buckets[b]; p !== null; p = p.chain) if (p.chain === flow) { p.chain = flow.chain; break; }
    flow.chain = null;
    this.bySlot[flow.slot] = null;
    this.live--;
    this.store.release(flow.slot); // its values stay readable for the caller's report until the next create
  }

  /** Every flow still held; used at the end of the analysis. */
  drain(): Flow[] {
    const all: Flow[] = [];
    for (const f of this.bySlot) if (f !== null) all.push(f);
    return all;
  }

  /** Silent past the idle timeout, or closed and past its linger. */
  isStale(flow: Flow, now: Nanos): boolean {
    const silent = now - this.store.f64[flow.slot * F64.Count + F64.LastTime];
    return silent > (flow.state === FlowState.Closed ? CLOSED_LINGER_NS : this.idleTimeoutNs);
  }

  /** Retires a stale flow found by lookup(). */
  expireNow(flow: Flow): void {
    this.drop(flow, 'expired');
  }

  /**
   * Evicts the least recently active flows, closed ones before open ones: a batch of the table's
   * 1/64 (at least one), found by one scan of the last-seen times.
   */
  private evictOldest(): void {
    const want = Math.max(1, Math.floor(this.live * EVICT_FRACTION));
    const flows = this.bySlot;
    const keys = new Float64Array(this.live);
    let n = 0;
    for (let slot = 0; slot < flows.length; slot++) {
      const f = flows[slot];
      if (f === null) continue;
      keys[n++] = this.evictionKey(f);
    }
    const cutoff = keys.subarray(0, n).sort()[Math.min(want, n) - 1];
    let evicted = 0;
    for (let slot = 0; slot < flows.length && evicted < want; slot++) {
      const f = flows[slot];
      if (f === null) continue;
      if (this.evictionKey(f) <= cutoff) { this.drop(f, 'evicted'); evicted++; }
    }
  }

  /** Last-seen time, with closed flows shifted far below any capture time so they go first. */
  private evictionKey(f: Flow): number {
    return this.store.f64[f.slot * F64.Count + F64.LastTime] - (f.state === FlowState.Closed ? 1e20 : 0);
  }

  private drop(flow: Flow, why: RetireReason): void {
    this.unlink(flow);
    this.retire(flow, why);
  }
}

/** Words 1–3 of an IPv6 address (word 0 was compared already). */
function sameRest(f: Flow, a: boolean, buf: Buffer, off: number): boolean {
  return f.addrWord(a, 1) === buf.readUInt32BE(off + 4) && f.addrWord(a, 2) === buf.readUInt32BE(off + 8) &&
    f.addrWord(a, 3) === buf.readUInt32BE(off + 12);
}
