// What FateBook.note() leaves in a flow record for each segment (keepalive/fate-facts.ts), read
// straight from the record's fate words: each side's TTL range and last IP ID, the waiting run and
// its idle gap, retransmissions, the first RST and FIN, and which retired flows still tell their
// path something. The scenario tests (fate-facts.test.ts) check the same facts through the fate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FateBook, survivedBefore, survivedGap } from '../../src/keepalive/fate-facts';
import { End, FateBit, FlowBit, FlowDouble, FlowStore, FlowWord, Layout } from '../../src/flow/store';
import { SideView } from '../../src/flow/side-view';
import { PathAccumulator } from '../../src/path/paths';
import { TcpFlag } from '../../src/decode/packet';

const S = 1e9;
const ACK = TcpFlag.ACK, PSH_ACK = TcpFlag.PSH | TcpFlag.ACK;

/** One flow in slot 1 of a fresh store (slot 0 left empty, so offsets are not all zero), both sides' snd_nxt known. */
class Flow {
  readonly store = new FlowStore(4);
  readonly paths = new PathAccumulator('address');
  readonly book = new FateBook(this.paths);
  readonly slot: number;
  private readonly view = new SideView();
  constructor() {
    this.store.allocate();
    this.slot = this.store.allocate();
    for (const isA of [true, false]) this.view.bind(this.store, this.slot, isA).setNextSeq(1000);
  }
  /** A segment from a (fromA) or b after `gap` s of silence: flags, seq, len, TTL, IP ID. */
  seg(fromA: boolean, gap: number, flags: number, o: { seq?: number; ack?: number; len?: number; ttl?: number; id?: number; probe?: boolean } = {}): this {
    this.book.gapNs = gap * S;
    this.book.nowNs = (this.now += gap) * S;
    const snd = this.view.bind(this.store, this.slot, fromA);
    this.book.note(this.store, this.slot, snd, flags, o.seq ?? 1000, o.ack ?? 0, o.len ?? 0, (o.ttl ?? 64) | ((o.id ?? 0) << 8), o.probe ?? false);
    // snd_nxt as the engine then moves it.
    const end = (o.seq ?? 1000) + (o.len ?? 0) + ((flags & TcpFlag.FIN) !== 0 ? 1 : 0);
    if (!o.probe && (flags & TcpFlag.RST) === 0 && end > snd.nextSeq) snd.setNextSeq(end);
    return this;
  }
  private now = 0;
  word(w: FlowWord): number { return this.store.i32[this.slot * Layout.Words + w]; }
  setWord(w: FlowWord, v: number): void { this.store.i32[this.slot * Layout.Words + w] = v; }
  double(d: FlowDouble): number { return this.store.f64[this.slot * Layout.Doubles + d]; }
  get fate(): number { return this.word(FlowWord.Fate); }
  /** a's (isA) or b's TTL range as [min, max]. */
  ttl(isA: boolean): [number, number] { const r = (this.word(FlowWord.TtlRange) >>> (isA ? 0 : 16)) & 0xffff; return [r & 0xff, r >>> 8]; }
  ipId(isA: boolean): number { return (this.word(FlowWord.IpId) >>> (isA ? 0 : 16)) & 0xffff; }
  retx(isA: boolean): number { return (this.fate >>> (isA ? FateBit.RetxShiftA : FateBit.RetxShiftB)) & 0xff; }
}

test('fate book: each side\'s TTL range widens to every TTL it sent; RSTs are left out', () => {
  const f = new Flow();
  f.seg(true, 0, ACK, { ttl: 64 }).seg(false, 0, ACK, { ttl: 50 });
  assert.deepEqual([f.ttl(true), f.ttl(false)], [[64, 64], [50, 50]]);
  f.seg(true, 0, ACK, { ttl: 60 }).seg(true, 0, ACK, { ttl: 62 }).seg(true, 0, ACK, { ttl: 66 }).seg(true, 0, ACK, { ttl: 60 });
  assert.deepEqual([f.ttl(true), f.ttl(false)], [[60, 66], [50, 50]]);
  f.seg(false, 0, ACK, { ttl: 52 }).seg(false, 0, TcpFlag.RST, { ttl: 255 });
  assert.deepEqual([f.ttl(true), f.ttl(false)], [[60, 66], [50, 52]]);
});

test('fate book: the last non-zero IP ID per side, and a jump of more than 4096 marks a side\'s IDs as no counter', () => {
  const f = new Flow();
  f.seg(true, 0, ACK, { id: 100 }).seg(false, 0, ACK, { id: 9000 }).seg(true, 0, ACK, { id: 0 });
  assert.deepEqual([f.ipId(true), f.ipId(false)], [100, 9000]);
  f.seg(true, 0, ACK, { id: 100 + 4096 });
  assert.equal(f.fate & (FateBit.IpIdJumpA | FateBit.IpIdJumpB), 0);
  f.seg(false, 0, ACK, { id: 9000 + 4097 });
  assert.equal(f.fate & (FateBit.IpIdJumpA | FateBit.IpIdJumpB), FateBit.IpIdJumpB);
  // Backwards is a jump too (16-bit arithmetic), and a RST's ID is not part of the series.
  f.seg(true, 0, ACK, { id: 50 }).seg(true, 0, TcpFlag.RST | ACK, { id: 7 });
  assert.equal(f.fate & (FateBit.IpIdJumpA | FateBit.IpIdJumpB), FateBit.IpIdJumpA | FateBit.IpIdJumpB);
  assert.equal(f.ipId(true), 50);
});

test('fate book: data, SYN, FIN or a probe starts a waiting run, a pure ACK does not; the peer\'s segment answers it', () => {
  for (const [flags, o, waits] of [[PSH_ACK, { len: 10 }, true], [TcpFlag.SYN, {}, true], [TcpFlag.FIN | ACK, {}, true],
    [ACK, { probe: true, seq: 999 }, true], [ACK, {}, false]] as const) {
    const f = new Flow();
    f.seg(true, 0.5, flags, o);
    assert.equal((f.fate & FateBit.PendingA) !== 0, waits, `${flags} ${JSON.stringify(o)}`);
    f.seg(false, 0.1, ACK);
    assert.equal(f.fate & (FateBit.PendingA | FateBit.PendIdleA), 0);
  }
});

test('fate book: a run after 1 s or more of silence keeps its gap and start; when answered the gap was survived, the longest kept', () => {
  const f = new Flow();
  f.seg(true, 0.999, PSH_ACK, { len: 10 });
  assert.equal(f.fate & FateBit.PendIdleA, 0);
  f.seg(false, 0.1, ACK).seg(true, 30, PSH_ACK, { seq: 1010, len: 10 });
  assert.equal(f.fate & (FateBit.PendingA | FateBit.PendIdleA), FateBit.PendingA | FateBit.PendIdleA);
  assert.equal(f.double(FlowDouble.PendGapA), 30 * S);
  assert.equal(f.double(FlowDouble.PendStartA), (0.999 + 0.1 + 30) * S);
  assert.equal(survivedGap(f.store, f.slot), 0);
  // A second segment of the same run neither restarts it nor moves its gap.
  f.seg(true, 2, PSH_ACK, { seq: 1020, len: 10 });
  assert.equal(f.double(FlowDouble.PendGapA), 30 * S);
  f.seg(false, 0.1, ACK);
  assert.equal(survivedGap(f.store, f.slot), 30 * S);
  // b's run after 20 s, answered: a shorter gap does not replace the longest.
  f.seg(false, 20, PSH_ACK, { len: 5 }).seg(true, 0.1, ACK);
  assert.equal(survivedGap(f.store, f.slot), 30 * S);
  f.seg(false, 45, PSH_ACK, { seq: 1005, len: 5 }).seg(true, 0.1, ACK);
  assert.equal(survivedGap(f.store, f.slot), 45 * S);
  survivedBefore(f.store, f.slot, 3 * S);
  assert.equal(survivedGap(f.store, f.slot), 3 * S);
  // A's own next segment does not answer a's run.
  f.seg(true, 5, PSH_ACK, { seq: 1030, len: 10 }).seg(true, 0.1, ACK, { seq: 1040 });
  assert.equal(f.fate & FateBit.PendingA, FateBit.PendingA);
});

test('fate book: while waiting, data or a FIN at or below snd_nxt is a retransmission; new data, a probe or a pure ACK is not', () => {
  const f = new Flow();
  f.seg(true, 10, PSH_ACK, { seq: 1000, len: 100 });
  f.seg(true, 0.2, PSH_ACK, { seq: 1100, len: 100 }); // new data
  f.seg(true, 0.2, ACK, { seq: 1200 }); // pure ACK
  f.seg(true, 0.2, ACK, { seq: 1199, probe: true }); // probe-shaped
  assert.equal(f.retx(true), 0);
  f.seg(true, 0.4, PSH_ACK, { seq: 1100, len: 100 }); // ends at snd_nxt
  f.seg(true, 0.8, PSH_ACK, { seq: 1150, len: 50 }); // inside
  assert.equal(f.retx(true), 2);
  assert.equal(f.fate & FateBit.BackoffA, FateBit.BackoffA); // 0.8 s after 0.4 s: the interval doubled
  f.seg(true, 0.1, TcpFlag.FIN | ACK, { seq: 1200 }); // FIN: snd_nxt 1201
  assert.equal(f.retx(true), 2);
  f.seg(true, 0.2, TcpFlag.FIN | ACK, { seq: 1200 }); // the FIN again
  assert.equal(f.retx(true), 3);
  assert.equal(f.retx(false), 0);
  f.seg(false, 0.1, ACK);
  assert.deepEqual([f.retx(true), f.fate & (FateBit.BackoffA | FateBit.PendingA)], [0, 0]);
});

test('fate book: without back-off (steady intervals) the retransmissions are counted but not marked as backing off', () => {
  const f = new Flow();
  f.seg(false, 10, PSH_ACK, { seq: 1000, len: 100 });
  for (let i = 0; i < 3; i++) f.seg(false, 0.3, PSH_ACK, { seq: 1000, len: 100 });
  assert.deepEqual([f.retx(false), f.fate & FateBit.BackoffB], [3, 0]);
});

test('fate book: the first RST is kept (sender, ACK flag, TTL and IP ID, seq, ack), later ones are not; the first FIN\'s sender', () => {
  const f = new Flow();
  f.seg(false, 0, TcpFlag.FIN | ACK).seg(true, 0, TcpFlag.FIN | ACK);
  assert.equal(f.fate & (FateBit.FinFirstSeen | FateBit.FinFirstB), FateBit.FinFirstSeen | FateBit.FinFirstB);
  f.seg(false, 0, TcpFlag.RST, { seq: 777, ack: 5, ttl: 61, id: 42 }).seg(true, 0, TcpFlag.RST | ACK, { seq: 1, ack: 2, ttl: 1, id: 1 });
  assert.equal(f.fate & (FateBit.RstSeen | FateBit.RstFromB | FateBit.RstHasAck), FateBit.RstSeen | FateBit.RstFromB);
  assert.deepEqual([f.word(FlowWord.RstIp), f.word(FlowWord.RstSeq), f.word(FlowWord.RstAck)], [61 | (42 << 8), 777, 5]);
  const g = new Flow();
  g.seg(true, 0, TcpFlag.FIN | ACK).seg(true, 0, TcpFlag.RST | ACK, { seq: 3, ack: 4 });
  assert.equal(g.fate & (FateBit.FinFirstSeen | FateBit.FinFirstB | FateBit.RstSeen | FateBit.RstFromB | FateBit.RstHasAck),
    FateBit.FinFirstSeen | FateBit.RstSeen | FateBit.RstHasAck);
});

test('fate book: an ICMP error about a side stays until the other side speaks', () => {
  const f = new Flow();
  const icmp = (aboutB: boolean) => f.setWord(FlowWord.Fate, f.fate | FateBit.Icmp | (aboutB ? FateBit.IcmpAboutB : 0) | FateBit.IcmpFromPeer);
  icmp(false);
  f.seg(true, 0, ACK);
  assert.equal(f.fate & FateBit.Icmp, FateBit.Icmp);
  f.seg(false, 0, ACK);
  assert.equal(f.fate & (FateBit.Icmp | FateBit.IcmpAboutB | FateBit.IcmpFromPeer), 0);
  icmp(true);
  f.seg(false, 0, ACK);
  assert.equal(f.fate & FateBit.Icmp, FateBit.Icmp);
  f.seg(true, 0, ACK);
  assert.equal(f.fate & FateBit.Icmp, 0);
});

test('fate book: a retired flow tells its path when a gap of 1 s was survived or a run waits after one; survivors go straight to it', () => {
  const setup = (fb: number, survivedS: number, end: End, clientIsA = true): Flow => {
    const f = new Flow();
    f.setWord(FlowWord.Fate, fb);
    f.store.f64[f.slot * Layout.Doubles + FlowDouble.SurvivedGap] = survivedS * S;
    f.setWord(FlowWord.End, end);
    f.setWord(FlowWord.Key, 4);
    f.setWord(FlowWord.A0, (10 << 24) | 1); f.setWord(FlowWord.B0, (10 << 24) | 2);
    f.setWord(FlowWord.Ports, (40000 << 16) | 443);
    f.setWord(FlowWord.Bits, clientIsA ? FlowBit.ClientIsA : 0);
    return f;
  };
  assert.equal(setup(0, 0.999, End.Open).book.tellsPath(setup(0, 0.999, End.Open).store, 1), false);
  let f = setup(0, 1, End.Open);
  assert.equal(f.book.tellsPath(f.store, f.slot), true);
  f = setup(FateBit.PendingB | FateBit.PendIdleB, 0, End.Open);
  assert.equal(f.book.tellsPath(f.store, f.slot), true);
  // May have died after idle: its fate must be built.
  for (const [fb, end] of [[FateBit.Icmp, End.Open], [FateBit.PendingA | FateBit.PendIdleA, End.Rst],
    [FateBit.PendingB | FateBit.PendIdleB | (1 << FateBit.RetxShiftB), End.Open], [FateBit.PendingA | FateBit.PendIdleA | (1 << FateBit.RetxShiftA), End.Fin]] as const) {
    f = setup(fb, 50, end);
    assert.equal(f.book.survivorOnly(f.store, f.slot), false, `${fb} ${end}`);
  }
  // Survivors: below 1 s nothing reaches the path; from 1 s the gap does, counted as survived when open or closed.
  f = setup(FateBit.PendingA | FateBit.PendIdleA, 0.5, End.Open);
  assert.equal(f.book.survivorOnly(f.store, f.slot), true);
  assert.deepEqual(f.paths.reports(), []);
  for (const [end, survived, clientIsA, server] of [[End.Open, 1, true, '10.0.0.2'], [End.Fin, 1, false, '10.0.0.1'], [End.Rst, 0, true, '10.0.0.2'],
    [End.Evicted, 0, true, '10.0.0.2']] as const) {
    f = setup(0, 12.5, end, clientIsA);
    assert.equal(f.book.survivorOnly(f.store, f.slot), true);
    const [p] = f.paths.reports();
    assert.deepEqual([p.server, p.flows, p.survived, p.idleTimeoutSeconds.above], [server, 1, survived, 12.5], `${end}`);
  }
});
