// The flow table: a hash of chained flows plus two recency lists (open, closed), so idle and
// closed flows can be evicted in capture time and the table never exceeds its cap.
import type { Nanos } from '../units';
import { Flow, FlowState } from './flow';
import { LinkedList } from './list';
import { FlowStore } from './store';

/** Closed flows stay this long for stragglers (retransmitted RSTs, late ACKs). */
const CLOSED_LINGER_NS = 120e9;

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

export class FlowTable {
  // A plain array of chain heads indexed by hash bits: cheaper than a Map lookup per packet.
  private readonly buckets: (Flow | null)[];
  private readonly mask: number;
  readonly open = new LinkedList<Flow>();
  readonly closed = new LinkedList<Flow>();
  private nextId = 0;
  readonly store = new FlowStore();
  /** Set by lookup(): whether the packet's source is the flow's endpoint a. */
  fromA = true;

  constructor(private readonly maxFlows: number, private readonly idleTimeoutNs: number,
    private readonly retire: (flow: Flow, why: 'expired' | 'evicted') => void) {
    const n = bucketCount(maxFlows);
    this.buckets = new Array<Flow | null>(n).fill(null);
    this.mask = n - 1;
  }

  get size(): number { return this.open.size + this.closed.size; }

  lookup(hash: number, ipVersion: number, vlanOuter: number, vlanInner: number, buf: Buffer,
    srcOff: number, dstOff: number, sport: number, dport: number): Flow | null {
    const s0 = buf.readUInt32BE(srcOff), d0 = buf.readUInt32BE(dstOff);
    for (let f = this.buckets[hash & this.mask]; f !== null; f = f.chain) {
      if (f.ipVersion !== ipVersion || f.vlanOuter !== vlanOuter || f.vlanInner !== vlanInner) continue;
      if (f.portA === sport && f.portB === dport && f.addrWord(true, 0) === s0 && f.addrWord(false, 0) === d0 &&
        (ipVersion === 4 || (sameRest(f, true, buf, srcOff) && sameRest(f, false, buf, dstOff)))) {
        this.fromA = true;
        return f;
      }
      if (f.portA === dport && f.portB === sport && f.addrWord(true, 0) === d0 && f.addrWord(false, 0) === s0 &&
        (ipVersion === 4 || (sameRest(f, true, buf, dstOff) && sameRest(f, false, buf, srcOff)))) {
        this.fromA = false;
        return f;
      }
    }
    return null;
  }

  /** Creates a flow whose endpoint a is the packet's source. Copies the address bytes once. */
  create(hash: number, ipVersion: number, vlanOuter: number, vlanInner: number, buf: Buffer,
    srcOff: number, dstOff: number, sport: number, dport: number, now: Nanos): Flow {
    if (this.size >= this.maxFlows) this.evictOldest();
    const flow = new Flow(this.store, this.store.allocate(), this.nextId++, hash, ipVersion, vlanOuter, vlanInner, sport, dport);
    const words = ipVersion === 4 ? 1 : 4;
    for (let i = 0; i < words; i++) {
      flow.setAddrWord(true, i, buf.readUInt32BE(srcOff + 4 * i));
      flow.setAddrWord(false, i, buf.readUInt32BE(dstOff + 4 * i));
    }
    flow.chain = this.buckets[hash & this.mask];
    this.buckets[hash & this.mask] = flow;
    flow.firstTime = flow.lastTime = now;
    this.open.push(flow);
    this.fromA = true;
    return flow;
  }

  touch(flow: Flow): void {
    (flow.state === FlowState.Open ? this.open : this.closed).moveToTail(flow);
  }

  markClosed(flow: Flow): void {
    if (flow.state === FlowState.Closed) return;
    this.open.remove(flow);
    flow.state = FlowState.Closed;
    this.closed.push(flow);
  }

  /** Drops flows silent longer than the idle timeout and closed flows past their linger. */
  expire(now: Nanos): void {
    let f = this.open.head;
    while (f !== null && now - f.lastTime > this.idleTimeoutNs) { const n = f.next; this.drop(f, 'expired'); f = n; }
    f = this.closed.head;
    while (f !== null && now - f.lastTime > CLOSED_LINGER_NS) { const n = f.next; this.drop(f, 'expired'); f = n; }
  }

  /** Removes a flow without retiring it (the caller reports it), e.g. when a new SYN reuses the tuple. */
  unlink(flow: Flow): void {
    (flow.state === FlowState.Open ? this.open : this.closed).remove(flow);
    const b = flow.hash & this.mask;
    if (this.buckets[b] === flow) this.buckets[b] = flow.chain;
    else for (let p = this.buckets[b]; p !== null; p = p.chain) if (p.chain === flow) { p.chain = flow.chain; break; }
    flow.chain = null;
    this.store.release(flow.slot); // its values stay readable for the caller's report until the next create
  }

  /** Every flow still held, oldest activity first; used at the end of the analysis. */
  drain(): Flow[] {
    const all: Flow[] = [];
    for (let f = this.closed.head; f; f = f.next) all.push(f);
    for (let f = this.open.head; f; f = f.next) all.push(f);
    return all;
  }

  private evictOldest(): void {
    const victim = this.closed.head ?? this.open.head;
    if (victim) this.drop(victim, 'evicted');
  }

  private drop(flow: Flow, why: 'expired' | 'evicted'): void {
    this.unlink(flow);
    this.retire(flow, why);
  }
}

/** Words 1–3 of an IPv6 address (word 0 was compared already). */
function sameRest(f: Flow, a: boolean, buf: Buffer, off: number): boolean {
  return f.addrWord(a, 1) === buf.readUInt32BE(off + 4) && f.addrWord(a, 2) === buf.readUInt32BE(off + 8) &&
    f.addrWord(a, 3) === buf.readUInt32BE(off + 12);
}
