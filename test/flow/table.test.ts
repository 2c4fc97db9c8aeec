// The flow table on its own: lookups from either direction and through shared hash chains, the
// sweeps that expire idle flows (at most an eighth of the timeout late), the 120 s linger of closed
// flows, and eviction at the cap (the least recently active first, closed before open, 1/64 of the
// table at once). The table is driven as the engine drives it: expire(), lookup(), create(), and
// the record's last-seen time written for every packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowKey } from '../../src/decode/flow-key';
import { makeMeta, KIND_TCP, MAX_RECORD_WORDS, writeKey } from '../../src/decode/segment-record';
import { FlowTable, type RetireReason } from '../../src/flow/table';
import { FlowBit, FlowDouble, FlowWord, Layout } from '../../src/flow/store';
import { parseAddr } from '../support/frames';

const S = 1e9;

interface KeySpec {
  readonly src?: string;
  readonly dst?: string;
  readonly sport: number;
  readonly dport?: number;
  readonly vlan?: number;
  readonly tenantKind?: number;
  readonly tenant?: number;
  /** Overrides the key's hash: records with equal hashes share a bucket and a chain. */
  readonly hash?: number;
}

/** A segment record carrying only a flow key (what lookup() and create() read). */
function record(k: KeySpec): Int32Array {
  const src = parseAddr(k.src ?? '10.0.0.1'), dst = parseAddr(k.dst ?? '10.0.0.2');
  const v6 = src.length === 16;
  const key = new FlowKey();
  key.set(Buffer.concat([src, dst]), 0, src.length, v6 ? 6 : 4, k.sport, k.dport ?? 80, k.vlan ?? 0, 0, k.tenantKind ?? 0, k.tenant ?? 0);
  if (k.hash !== undefined) key.hash = k.hash;
  const rec = new Int32Array(MAX_RECORD_WORDS);
  rec[0] = makeMeta(KIND_TCP, v6 || (k.tenantKind ?? 0) !== 0 ? MAX_RECORD_WORDS : MAX_RECORD_WORDS / 2);
  writeKey(rec, 0, key);
  return rec;
}

/** The same key seen from the other end. */
function reverse(k: KeySpec): KeySpec {
  return { ...k, src: k.dst ?? '10.0.0.2', dst: k.src ?? '10.0.0.1', sport: k.dport ?? 80, dport: k.sport };
}

class Driver {
  readonly time = new Float64Array(2);
  readonly retired: { slot: number; why: RetireReason; at: number; port: number }[] = [];
  readonly table: FlowTable;

  constructor(maxFlows = 1_000_000, idleTimeoutSeconds = 9000) {
    this.table = new FlowTable(maxFlows, idleTimeoutSeconds * S, this.time, (slot, why) => {
      this.retired.push({ slot, why, at: this.time[0] / S, port: this.table.store.i32[slot * Layout.Words + FlowWord.Ports] >>> 16 });
    });
  }

  /** A packet of the flow `k` at `at` seconds: found, or created (a stale one retired first). Returns the slot. */
  packet(at: number, k: KeySpec): number {
    this.time[0] = at * S;
    const t = this.table;
    t.expire();
    const rec = record(k);
    let slot = t.lookup(rec, 0);
    if (slot >= 0 && t.isStale(slot)) { t.expireNow(slot); slot = -1; }
    if (slot < 0) slot = t.create(rec, 0);
    t.store.f64[slot * Layout.Doubles + FlowDouble.LastTime] = this.time[0];
    return slot;
  }

  /** Only the clock moves (a packet of some other, already retired, flow would do the same). */
  tick(at: number): void {
    this.time[0] = at * S;
    this.table.expire();
  }

  find(k: KeySpec): number { return this.table.lookup(record(k), 0); }

  /** Client ports of the retired flows, in retirement order, with why and when. */
  log(): string[] { return this.retired.map((r) => `${r.port} ${r.why} ${r.at}`); }
}

test('a flow is found from either end, with fromA telling which end sent', () => {
  const d = new Driver();
  const k = { sport: 40000 };
  const slot = d.packet(0, k);
  assert.equal(d.find(k), slot);
  assert.equal(d.table.fromA, true);
  assert.equal(d.find(reverse(k)), slot);
  assert.equal(d.table.fromA, false);
  assert.equal(d.find(k), slot);
  assert.equal(d.table.fromA, true);
  // create() makes the packet's source endpoint a.
  d.table.lookup(record(reverse(k)), 0);
  const other = d.table.create(record({ sport: 40001 }), 0);
  assert.equal(d.table.fromA, true);
  assert.notEqual(other, slot);
  assert.equal(d.table.openFlows, 2);
});

// Every pair differs in one part of the key only, so a lookup that skips that part finds the wrong flow.
const keyRows: readonly { what: string; a: KeySpec; b: KeySpec }[] = [
  { what: 'source port', a: { sport: 40000 }, b: { sport: 40001 } },
  { what: 'destination port', a: { sport: 40000, dport: 80 }, b: { sport: 40000, dport: 81 } },
  { what: 'swapped ports', a: { sport: 40000, dport: 80 }, b: { sport: 80, dport: 40000 } },
  { what: 'source address', a: { sport: 40000, src: '10.0.0.1' }, b: { sport: 40000, src: '10.0.0.3' } },
  { what: 'destination address', a: { sport: 40000, dst: '10.0.0.2' }, b: { sport: 40000, dst: '10.0.0.4' } },
  { what: 'VLAN', a: { sport: 40000, vlan: 10 }, b: { sport: 40000, vlan: 20 } },
  { what: 'tunnel tenant', a: { sport: 40000, tenantKind: 1, tenant: 100 }, b: { sport: 40000, tenantKind: 1, tenant: 200 } },
  { what: 'IPv6 source word 1', a: { sport: 40000, src: '2001:db8::1', dst: '2001:db8::2' }, b: { sport: 40000, src: '2001:db9::1', dst: '2001:db8::2' } },
  { what: 'IPv6 source word 2', a: { sport: 40000, src: '2001:db8::1', dst: '2001:db8::2' }, b: { sport: 40000, src: '2001:db8:0:0:1::1', dst: '2001:db8::2' } },
  { what: 'IPv6 source word 3', a: { sport: 40000, src: '2001:db8::1', dst: '2001:db8::2' }, b: { sport: 40000, src: '2001:db8::1:0:1', dst: '2001:db8::2' } },
  { what: 'IPv6 destination word 1', a: { sport: 40000, src: '2001:db8::1', dst: '2001:db8::2' }, b: { sport: 40000, src: '2001:db8::1', dst: '2001:db9::2' } },
  { what: 'IPv6 destination word 3', a: { sport: 40000, src: '2001:db8::1', dst: '2001:db8::2' }, b: { sport: 40000, src: '2001:db8::1', dst: '2001:db8::3' } },
];
for (const row of keyRows) {
  test(`two flows that differ only in ${row.what}, in one hash chain, are found apart from both ends`, () => {
    for (const hash of [undefined, 12345]) {
      const d = new Driver();
      const a = { ...row.a, hash }, b = { ...row.b, hash };
      const sa = d.packet(0, a);
      assert.equal(d.find(b), -1, 'b before it was created');
      assert.equal(d.find(reverse(b)), -1, 'b reversed before it was created');
      const sb = d.packet(1, b);
      assert.notEqual(sa, sb);
      for (const [k, slot] of [[a, sa], [b, sb]] as const) {
        assert.equal(d.find(k), slot);
        assert.equal(d.table.fromA, true);
        assert.equal(d.find(reverse(k)), slot);
        assert.equal(d.table.fromA, false);
      }
    }
  });
}

test('without a tunnel kind the tenant word is not compared', () => {
  const d = new Driver();
  const slot = d.packet(0, { sport: 40000, hash: 7 });
  const rec = record({ sport: 40000, hash: 7 });
  rec[22] = 99; // the tenant word of a second slot, left over from another record
  assert.equal(d.table.lookup(rec, 0), slot);
});

test('unlinking the first, a middle or the last flow of a chain keeps the others found', () => {
  for (const gone of [0, 1, 2, 3]) {
    const d = new Driver();
    const keys = [0, 1, 2, 3].map((i) => ({ sport: 1000 + i, hash: 4242 }));
    const slots = keys.map((k, i) => d.packet(i, k));
    d.table.unlink(slots[gone]);
    assert.equal(d.table.openFlows, 3);
    keys.forEach((k, i) => assert.equal(d.find(k), i === gone ? -1 : slots[i], `flow ${i} after unlinking ${gone}`));
    assert.deepEqual(d.table.drain(), slots.filter((_, i) => i !== gone));
    // The freed slot is the next one handed out.
    assert.equal(d.packet(9, { sport: 2000, hash: 4242 }), slots[gone]);
    keys.forEach((k, i) => assert.equal(d.find(k), i === gone ? -1 : slots[i]));
  }
});

test('past the first 4096 buckets the table rehashes and every flow is still found, chains included', () => {
  const d = new Driver();
  const n = 4500; // the buckets double when the 4097th flow comes
  const keys = Array.from({ length: n }, (_, i): KeySpec => ({ src: `10.1.${i >> 8}.${i & 0xff}`, sport: 1024 + i, hash: i % 30 === 0 ? 77 : undefined }));
  const slots = keys.map((k, i) => d.packet(i * 1e-3, k));
  assert.equal(d.table.openFlows, n);
  assert.equal(d.table.store.slots, n);
  keys.forEach((k, i) => assert.equal(d.find(reverse(k)), slots[i], `flow ${i}`));
  assert.deepEqual(d.retired, []);
});

// Idle timeout 80 s: sweeps every 10 s of capture time, the first at the first packet.
test('a flow silent past the idle timeout is retired by the next sweep, an eighth of the timeout apart', () => {
  const d = new Driver(1000, 80);
  d.packet(0, { sport: 1 }); // sweep at 0, next at 10
  d.tick(79); // sweep at 79 (next at 89): the flow is 79 s silent, not stale
  d.tick(80.5); // stale, but no sweep is due
  d.tick(88.99);
  assert.deepEqual(d.log(), []);
  d.tick(89);
  assert.deepEqual(d.log(), ['1 expired 89']);
  assert.equal(d.table.openFlows, 0);
});

test('silent exactly the idle timeout is not stale; a nanosecond more is', () => {
  const d = new Driver(1000, 80);
  const slot = d.packet(0, { sport: 1 });
  d.time[0] = 80 * S;
  assert.equal(d.table.isStale(slot), false);
  d.time[0] = 80 * S + 1;
  assert.equal(d.table.isStale(slot), true);
  // A lookup of a stale flow still finds it: the caller retires it (expireNow), as an exact recency list would have.
  assert.equal(d.find({ sport: 1 }), slot);
  d.table.expireNow(slot);
  assert.deepEqual(d.log(), ['1 expired 80.000000001']);
  assert.equal(d.find({ sport: 1 }), -1);
});

test('a sweep retires every stale flow and only those', () => {
  const d = new Driver(1000, 80);
  d.packet(0, { sport: 1 }); // sweep at 0, next at 10
  d.packet(5, { sport: 2 });
  d.packet(40, { sport: 1 }); // sweep at 40, next at 50; flow 1 is fresh again
  d.packet(45, { sport: 3 });
  d.tick(86); // sweep: flow 2 is 81 s silent, flow 1 46 s, flow 3 41 s
  assert.deepEqual(d.log(), ['2 expired 86']);
  d.table.sweep(); // now, on demand
  assert.deepEqual(d.log(), ['2 expired 86']);
  d.time[0] = 120.5 * S;
  d.table.sweep(); // flow 1 is 80.5 s silent, flow 3 75.5 s
  assert.deepEqual(d.log(), ['2 expired 86', '1 expired 120.5']);
  assert.deepEqual(d.table.drain().map((s) => d.table.store.i32[s * Layout.Words + FlowWord.Ports] >>> 16), [3]);
});

// Closed flows linger 120 s after their last packet, checked every 120 / 8 = 15 s.
test('a closed flow lingers 120 s after its last packet, then expires at the next check', () => {
  const d = new Driver();
  const slot = d.packet(0, { sport: 1 }); // checks at 0, then every 15 s
  d.table.markClosed(slot);
  d.table.markClosed(slot); // once only
  assert.equal(d.table.store.i32[slot * Layout.Words + FlowWord.Bits] & FlowBit.Closed, FlowBit.Closed);
  d.tick(15); d.tick(120);
  d.time[0] = 120 * S;
  assert.equal(d.table.isStale(slot), false);
  d.tick(134.99);
  assert.deepEqual(d.log(), []);
  d.tick(135);
  assert.deepEqual(d.log(), ['1 expired 135']);
});

test('a straggler keeps a closed flow: it is checked again 120 s after its last packet', () => {
  const d = new Driver();
  const a = d.packet(0, { sport: 1 }); // closed flows checked at 0, then 15 s apart
  d.table.markClosed(a);
  const b = d.packet(1, { sport: 2 });
  d.table.markClosed(b);
  d.packet(100, { sport: 1 }); // a straggler of flow 1 inside its linger (check at 100, next at 115)
  d.tick(115); d.tick(129.99);
  assert.deepEqual(d.log(), []);
  d.tick(130); // flow 1 (closed at 0) is only 30 s silent: back of the queue; flow 2 is 129 s silent
  assert.deepEqual(d.log(), ['2 expired 130']);
  for (let t = 145; t <= 220; t += 15) d.tick(t);
  assert.deepEqual(d.log(), ['2 expired 130']);
  d.tick(235); // flow 1, 135 s after its straggler
  assert.deepEqual(d.log(), ['2 expired 130', '1 expired 235']);
});

test('at the cap the least recently active flow is evicted, closed flows first', () => {
  const d = new Driver(3);
  d.packet(0, { sport: 1 });
  d.packet(1, { sport: 2 });
  d.packet(2, { sport: 3 });
  d.packet(3, { sport: 1 }); // 2 is now the least recent
  d.packet(4, { sport: 4 });
  assert.deepEqual(d.log(), ['2 evicted 4']);
  d.table.markClosed(d.find({ sport: 4 })); // the most recent, but closed
  d.packet(5, { sport: 5 });
  assert.deepEqual(d.log(), ['2 evicted 4', '4 evicted 5']);
  assert.equal(d.table.openFlows, 3);
  assert.deepEqual(d.table.drain().map((s) => d.table.store.i32[s * Layout.Words + FlowWord.Ports] >>> 16).sort(), [1, 3, 5]);
});

// 1/64 of the flows held, rounded down, at least one.
const evictRows: readonly { cap: number; evicted: number }[] = [
  { cap: 2, evicted: 1 },
  { cap: 63, evicted: 1 },
  { cap: 64, evicted: 1 },
  { cap: 128, evicted: 2 },
  { cap: 130, evicted: 2 },
  { cap: 191, evicted: 2 },
  { cap: 192, evicted: 3 },
];
for (const row of evictRows) {
  test(`a table capped at ${row.cap} flows evicts the ${row.evicted} least recent at once`, () => {
    const d = new Driver(row.cap);
    // Flow i last seen at i s, except that the first 3 are seen again last: the oldest are then 3, 4, 5, …
    for (let i = 0; i < row.cap; i++) d.packet(i, { sport: 1000 + i });
    for (let i = 0; i < 3 && i < row.cap - 1; i++) d.packet(row.cap + i, { sport: 1000 + i });
    assert.deepEqual(d.log(), []);
    d.packet(row.cap + 10, { sport: 9999 });
    const first = row.cap > 3 ? 3 : Math.min(row.cap - 1, 3);
    const want = Array.from({ length: row.evicted }, (_, j) => `${1000 + first + j} evicted ${row.cap + 10}`);
    assert.deepEqual(d.log(), want);
    assert.equal(d.table.openFlows, row.cap - row.evicted + 1);
  });
}

test('at the cap, flows already past the idle timeout leave as expired, and none is evicted', () => {
  const d = new Driver(2, 100); // sweeps 12.5 s apart
  d.packet(0, { sport: 1 });
  d.packet(96, { sport: 2 }); // sweep at 96, next at 108.5: flow 1 is 96 s silent
  d.packet(101, { sport: 3 }); // no sweep due, but flow 1 is 101 s silent: it expires rather than flow 2 being evicted
  assert.deepEqual(d.log(), ['1 expired 101']);
  assert.equal(d.table.openFlows, 2);
});

test('a recycled slot starts zeroed, and the store keeps every record when it grows', () => {
  const d = new Driver();
  const slot = d.packet(0, { sport: 1 });
  const w = slot * Layout.Words;
  const i32 = d.table.store.i32;
  for (const f of [FlowWord.Fate, FlowWord.End, FlowWord.ZeroWindowProbes, FlowWord.RstSeq, FlowWord.Tenant]) i32[w + f] = 0x5a5a;
  i32[w + Layout.Words - 1] = 0x5a5a;
  d.table.unlink(slot);
  const again = d.packet(1, { sport: 2 });
  assert.equal(again, slot);
  for (let i = 0; i < Layout.Words; i++) {
    const kept = [FlowWord.Hash, FlowWord.Key, FlowWord.Ports, FlowWord.A0, FlowWord.B0, FlowWord.Id, FlowWord.Bits, FlowWord.WindowA, FlowWord.WindowB,
      FlowWord.Next].includes(i) || (i >= 0 && i < 12) || i === FlowDouble.FirstTime * 2 || i === FlowDouble.FirstTime * 2 + 1;
    if (!kept) assert.equal(d.table.store.i32[w + i], 0, `word ${i}`);
  }
  // Past the store's first 1024 records the buffer grows; the records written before stay.
  const e = new Driver();
  for (let i = 0; i < 3000; i++) {
    const s = e.packet(i, { sport: 1 + (i % 60000), src: `10.9.${i >> 8}.${i & 0xff}` });
    e.table.store.i32[s * Layout.Words + FlowWord.ZeroWindowProbes] = i;
  }
  for (let i = 0; i < 3000; i++) assert.equal(e.table.store.i32[i * Layout.Words + FlowWord.ZeroWindowProbes], i);
  assert.equal(e.table.store.i32[2999 * Layout.Words + FlowWord.Id], 2999);
});
