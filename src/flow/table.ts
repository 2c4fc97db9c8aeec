// The flow table: a hash of flow records chained through the records themselves, plus the
// housekeeping that keeps it bounded in capture time: idle flows expire, closed flows linger a
// little, and the table never exceeds its cap. Flows are named by their store slot; the Flow view
// of a slot (flowAt) is for the cold paths.
//
// There is no recency list: keeping one exact writes pointers into old objects on every packet
// (bench/README.md). Instead the table sweeps the records' last-seen times a few times per idle
// timeout, and a lookup that lands on a flow past its timeout treats it as gone, so what the user
// sees (when a flow ends and a new one begins) is what an exact list would give. Closed flows,
// which linger only 120 s, wait in a queue in closing order, so no sweep of every slot is needed
// per linger (bench/README.md).
import { Flow } from './flow';
import { metaWords, SegmentWord } from '../decode/segment-record';
import { reversePorts } from '../decode/flow-key';
import { FlowBit, FlowDouble, FlowStore, Layout, FlowWord } from './store';

/** Closed flows stay this long for stragglers (retransmitted RSTs, late ACKs). */
const CLOSED_LINGER_NS = 120e9;
/** Sweeps per linger (or idle timeout, if shorter): a flow is retired at most this fraction late. */
const SWEEPS_PER_TIMEOUT = 8;
/** At the cap, evict this fraction of the table at once so the scan for the oldest is amortised. */
const EVICT_FRACTION = 1 / 64;

/** Most keys one prefetch() takes. */
export const PREFETCH_MAX = 64;
/** Buckets to start with; the table doubles them whenever the live flows outnumber them. */
const INITIAL_BUCKETS = 4096;
/** Most buckets (4 MiB of heads): past this, chains grow longer instead. */
const MAX_BUCKETS = 1 << 20;

export type RetireReason = 'expired' | 'evicted';

export class FlowTable {
  /** Chain heads indexed by hash bits: slot + 1, 0 for none. */
  // Sized to the flows actually open, not to the cap: every packet reads one head at random, and
  // heads for a million flows do not fit the cache (bench/README.md).
  // The bucket of a hash is `hash & (heads.length - 1)`: a separate mask field, changed by each
  // rehash, discarded the optimized code that had read it as a constant (--trace-deopt).
  private heads = new Int32Array(INITIAL_BUCKETS);
  /**
   * The Flow view of a slot, created the first time a cold path asks for it. Sparse: most flows
   * never probe and are retired without one (a view per slot fills the old generation; bench/README.md).
   */
  private readonly views = new Map<number, Flow>();
  private nextId = 0;
  private live = 0;
  /** Flows held now. */
  get openFlows(): number { return this.live; }
  // Capture times are doubles: a field that first held the integer 0 changed representation at the
  // first real time, discarding the optimized code that read it (so did `heads` at the first
  // rehash, hence the second assignment in the constructor).
  private nextSweep = -Infinity;
  private readonly sweepEveryNs: number;
  private nextClosedCheck = -Infinity;
  private readonly closedCheckEveryNs: number;
  // Closed flows in closing order: slot, flow id (slots are reused) and the capture time from
  // which its linger counts. Entries before closedHead are done.
  private readonly closedSlots: number[] = [];
  private readonly closedIds: number[] = [];
  private readonly closedSince: number[] = [];
  private closedHead = 0;
  readonly store = new FlowStore();
  /** prefetch(): each key's chain head, and what its loads summed to (kept so they are not optimised away). */
  private readonly prefetched = new Int32Array(PREFETCH_MAX);
  private prefetchSink = 0;
  /** Set by lookup(): whether the packet's source is the flow's endpoint a. */
  fromA = true;

  /**
   * `time[0]` is the current packet's capture time, written by the engine: read here rather than
   * passed, because a double argument to a call V8 does not inline is a heap number per call.
   */
  constructor(private readonly maxFlows: number, private readonly idleTimeoutNs: number,
    private readonly time: Float64Array, private readonly retire: (slot: number, why: RetireReason) => void) {
    this.sweepEveryNs = idleTimeoutNs / SWEEPS_PER_TIMEOUT;
    this.closedCheckEveryNs = Math.min(idleTimeoutNs, CLOSED_LINGER_NS) / SWEEPS_PER_TIMEOUT;
    this.rehash(INITIAL_BUCKETS);
  }

  /** The Flow view of a slot. */
  flowAt(slot: number): Flow {
    let v = this.views.get(slot);
    if (v === undefined) { v = new Flow(this.store, slot); this.views.set(slot, v); }
    return v;
  }

  /**
   * The slot of this packet's flow, or -1. The caller checks isStale(): a flow found past its idle
   * timeout or linger must be retired (expireNow) as an exact recency list would already have done.
   */
  lookup(rec: Int32Array, at: number): number {
    const i32 = this.store.i32;
    const hash = rec[at + SegmentWord.KeyHash], key = rec[at + SegmentWord.KeyBits], ports = rec[at + SegmentWord.KeyPorts];
    const portsReversed = reversePorts(ports);
    const s0 = rec[at + SegmentWord.Src0], d0 = rec[at + SegmentWord.Dst0];
    const v6 = (key & 0xf) === 6;
    const heads = this.heads;
    for (let next = heads[hash & (heads.length - 1)]; next !== 0; next = i32[(next - 1) * Layout.Words + FlowWord.Next]) {
      const r = (next - 1) * Layout.Words;
      if (i32[r + FlowWord.Hash] !== hash || i32[r + FlowWord.Key] !== key ||
        (key >>> 28 !== 0 && i32[r + FlowWord.Tenant] !== rec[at + SegmentWord.Tenant])) continue;
      const flowPorts = i32[r + FlowWord.Ports];
      if (flowPorts === ports && i32[r + FlowWord.A0] === s0 && i32[r + FlowWord.B0] === d0 &&
        (!v6 || (sameRest(i32, r + FlowWord.A1, rec, at + SegmentWord.Src1) && sameRest(i32, r + FlowWord.B1, rec, at + SegmentWord.Dst1)))) {
        this.fromA = true;
        return next - 1;
      }
      if (flowPorts === portsReversed && i32[r + FlowWord.A0] === d0 && i32[r + FlowWord.B0] === s0 &&
        (!v6 || (sameRest(i32, r + FlowWord.A1, rec, at + SegmentWord.Dst1) && sameRest(i32, r + FlowWord.B1, rec, at + SegmentWord.Src1)))) {
        this.fromA = false;
        return next - 1;
      }
    }
    return -1;
  }

  /**
   * Loads the chain head and the first record of each key's bucket and discards them: a batch's
   * misses overlap here, and the lookups that follow find the lines in cache. Only a hint, so a
   * flow created or retired in between costs nothing but a wasted load.
   */
  prefetch(rec: Int32Array, from: number, to: number): void {
    // Stryker disable all: equivalent mutants: these loads only warm caches, nothing reads their result.
    const heads = this.heads, mask = heads.length - 1, i32 = this.store.i32, first = this.prefetched;
    let n = 0;
    for (let r = from; r < to && n < PREFETCH_MAX; r += metaWords(rec[r + SegmentWord.Meta])) first[n++] = heads[rec[r + SegmentWord.KeyHash] & mask];
    let sink = 0;
    for (let i = 0; i < n; i++) {
      const h = first[i];
      // Every line of the record's hot and warm words (0–47: the key words, the per-packet fields
      // and the fate's idle-gap doubles). That is four lines, not three: the store's memory need
      // not start on a line (the large ArrayBuffers checked with %DebugPrint started 16 bytes past
      // a page, malloc's header), so 192 bytes may straddle four lines, and a load per 64 bytes
      // (words 0, 15, 31, 47) covers any alignment.
      if (h !== 0) {
        const r = (h - 1) * Layout.Words;
        sink ^= i32[r] ^ i32[r + 15] ^ i32[r + 31] ^ i32[r + 47];
      }
    }
    // Stryker restore all
    this.prefetchSink = sink;
  }

  /** Creates a flow whose endpoint a is the packet's source; returns its slot. */
  create(rec: Int32Array, at: number): number {
    const now = this.time[0];
    if (this.live >= this.maxFlows) {
      this.sweep(); // flows already past their timeout leave as expired, not evicted
      if (this.live >= this.maxFlows) this.evictOldest();
    }
    const slot = this.store.allocate();
    const i32 = this.store.i32, f64 = this.store.f64;
    const r = slot * Layout.Words, d = slot * Layout.Doubles;
    const hash = rec[at + SegmentWord.KeyHash], key = rec[at + SegmentWord.KeyBits];
    i32[r + FlowWord.Hash] = hash;
    i32[r + FlowWord.Key] = key;
    i32[r + FlowWord.Ports] = rec[at + SegmentWord.KeyPorts];
    i32[r + FlowWord.A0] = rec[at + SegmentWord.Src0];
    i32[r + FlowWord.B0] = rec[at + SegmentWord.Dst0];
    i32[r + FlowWord.Tenant] = key >>> 28 !== 0 ? rec[at + SegmentWord.Tenant] : 0;
    if ((key & 0xf) === 6) {
      for (let i = 0; i < 3; i++) { i32[r + FlowWord.A1 + i] = rec[at + SegmentWord.Src1 + i]; i32[r + FlowWord.B1 + i] = rec[at + SegmentWord.Dst1 + i]; }
    }
    i32[r + FlowWord.Id] = this.nextId++;
    i32[r + FlowWord.Bits] = FlowBit.Live | FlowBit.ClientIsA | FlowBit.Midstream;
    i32[r + FlowWord.WindowA] = i32[r + FlowWord.WindowB] = -1;
    f64[d + FlowDouble.LastRecvA] = f64[d + FlowDouble.LastDataA] = f64[d + FlowDouble.LastRecvB] = f64[d + FlowDouble.LastDataB] = -1;
    f64[d + FlowDouble.FirstTime] = f64[d + FlowDouble.LastTime] = now;
    const b = hash & (this.heads.length - 1);
    i32[r + FlowWord.Next] = this.heads[b];
    this.heads[b] = slot + 1;
    if (++this.live > this.heads.length && this.heads.length < MAX_BUCKETS) this.rehash(this.heads.length * 2);
    this.fromA = true;
    return slot;
  }

  /** Rebuilds the chains over `n` buckets (a power of two). Chain order does not matter: keys are unique. */
  private rehash(n: number): void {
    const heads = new Int32Array(n), mask = n - 1;
    const i32 = this.store.i32;
    for (let slot = 0, end = this.store.slots; slot < end; slot++) {
      const r = slot * Layout.Words;
      if ((i32[r + FlowWord.Bits] & FlowBit.Live) === 0) continue;
      const b = i32[r + FlowWord.Hash] & mask;
      i32[r + FlowWord.Next] = heads[b];
      heads[b] = slot + 1;
    }
    this.heads = heads;
  }

  /** Marks the flow closed; it lingers for stragglers, then expires. */
  markClosed(slot: number): void {
    const now = this.time[0];
    const i32 = this.store.i32, r = slot * Layout.Words;
    if (i32[r + FlowWord.Bits] & FlowBit.Closed) return;
    i32[r + FlowWord.Bits] |= FlowBit.Closed;
    this.closedSlots.push(slot);
    this.closedIds.push(i32[r + FlowWord.Id]);
    this.closedSince.push(now);
  }

  /** Retires flows silent longer than the idle timeout and closed flows past their linger. */
  expire(): void {
    const now = this.time[0];
    // Neither call is passed `now`: TurboFan boxes a double argument into a heap number ahead of
    // the branches, one allocation per packet (bench/README.md).
    // For the same reason isStale() reads the time itself.
    if (now >= this.nextClosedCheck) this.retireClosed();
    if (now >= this.nextSweep) this.sweep();
  }

  /**
   * Retires queued closed flows past their linger. The queue is in closing order, so the first
   * entry still inside its linger ends the walk; a flow a straggler kept fresh goes to the back.
   */
  private retireClosed(): void {
    const now = this.time[0];
    this.nextClosedCheck = now + this.closedCheckEveryNs;
    const slots = this.closedSlots, ids = this.closedIds, since = this.closedSince;
    const i32 = this.store.i32;
    let head = this.closedHead;
    while (head < slots.length) {
      const slot = slots[head], r = slot * Layout.Words;
      if ((i32[r + FlowWord.Bits] & FlowBit.Live) === 0 || i32[r + FlowWord.Id] !== ids[head]) { head++; continue; } // already retired
      if (now - since[head] <= CLOSED_LINGER_NS) break;
      head++;
      if (this.isStale(slot)) this.drop(slot, 'expired');
      else { slots.push(slot); ids.push(ids[head - 1]); since.push(this.store.f64[slot * Layout.Doubles + FlowDouble.LastTime]); }
    }
    if (head > 4096 && head * 2 > slots.length) {
      // In place: a new array in the field would discard markClosed()'s optimized code.
      slots.splice(0, head);
      ids.splice(0, head);
      since.splice(0, head);
      head = 0;
    }
    this.closedHead = head;
  }

  /** Retires every flow stale at the current packet's time (expire() does this a few times per timeout). */
  sweep(): void {
    const now = this.time[0];
    this.nextSweep = now + this.sweepEveryNs;
    const i32 = this.store.i32;
    for (let slot = 0, n = this.store.slots; slot < n; slot++) {
      if ((i32[slot * Layout.Words + FlowWord.Bits] & FlowBit.Live) !== 0 && this.isStale(slot)) this.drop(slot, 'expired');
    }
  }

  /**
   * Removes a flow without retiring it (the caller reports it), e.g. when a new SYN reuses the
   * tuple. Its record stays readable for the caller's report until the next create().
   */
  unlink(slot: number): void {
    const i32 = this.store.i32, r = slot * Layout.Words;
    const b = i32[r + FlowWord.Hash] & (this.heads.length - 1);
    if (this.heads[b] === slot + 1) this.heads[b] = i32[r + FlowWord.Next];
    else {
      for (let p = this.heads[b]; p !== 0; p = i32[(p - 1) * Layout.Words + FlowWord.Next]) {
        if (i32[(p - 1) * Layout.Words + FlowWord.Next] === slot + 1) { i32[(p - 1) * Layout.Words + FlowWord.Next] = i32[r + FlowWord.Next]; break; }
      }
    }
    i32[r + FlowWord.Next] = 0;
    i32[r + FlowWord.Bits] &= ~FlowBit.Live;
    this.live--;
    this.store.release(slot);
  }

  /** Every slot still holding a flow; used at the end of the analysis. */
  drain(): number[] {
    const all: number[] = [];
    const i32 = this.store.i32;
    for (let slot = 0, n = this.store.slots; slot < n; slot++) if (i32[slot * Layout.Words + FlowWord.Bits] & FlowBit.Live) all.push(slot);
    return all;
  }

  /** Silent past the idle timeout, or closed and past its linger, at the current packet's time. */
  isStale(slot: number): boolean {
    const silent = this.time[0] - this.store.f64[slot * Layout.Doubles + FlowDouble.LastTime];
    return silent > ((this.store.i32[slot * Layout.Words + FlowWord.Bits] & FlowBit.Closed) !== 0 ? CLOSED_LINGER_NS : this.idleTimeoutNs);
  }


  /** Retires a stale flow found by lookup(). */
  expireNow(slot: number): void {
    this.drop(slot, 'expired');
  }

  /**
   * Evicts the least recently active flows, closed ones before open ones: a batch of the table's
   * 1/64 (at least one), found by one scan of the last-seen times.
   */
  private evictOldest(): void {
    const want = Math.max(1, Math.floor(this.live * EVICT_FRACTION));
    const i32 = this.store.i32, n = this.store.slots;
    const keys = new Float64Array(this.live);
    let k = 0;
    for (let slot = 0; slot < n; slot++) if (i32[slot * Layout.Words + FlowWord.Bits] & FlowBit.Live) keys[k++] = this.evictionKey(slot);
    const cutoff = keys.subarray(0, k).sort()[Math.min(want, k) - 1];
    let evicted = 0;
    for (let slot = 0; slot < n && evicted < want; slot++) {
      if ((i32[slot * Layout.Words + FlowWord.Bits] & FlowBit.Live) !== 0 && this.evictionKey(slot) <= cutoff) {
        this.drop(slot, 'evicted');
        evicted++;
      }
    }
  }

  /** Last-seen time, with closed flows shifted far below any capture time so they go first. */
  private evictionKey(slot: number): number {
    const closed = (this.store.i32[slot * Layout.Words + FlowWord.Bits] & FlowBit.Closed) !== 0;
    return this.store.f64[slot * Layout.Doubles + FlowDouble.LastTime] - (closed ? 1e20 : 0);
  }

  private drop(slot: number, why: RetireReason): void {
    this.unlink(slot);
    this.retire(slot, why);
  }
}

/** Words 1–3 of an IPv6 address in the flow's record at `w` against a segment record's at `at` (word 0 was compared already). */
function sameRest(i32: Int32Array, w: number, rec: Int32Array, at: number): boolean {
  return i32[w] === rec[at] && i32[w + 1] === rec[at + 1] && i32[w + 2] === rec[at + 2];
}
