// The facts each segment leaves in its flow's record for the fate (keepalive/fate-facts.ts), read
// back through the fate the report shows: each side's TTL range and IP ID counter (an injected
// RST's fingerprint), the idle gap before a side's waiting run, its retransmissions and their
// back-off, who sent the first FIN, and ICMP errors from the peer's own address or a router.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpSpec } from '../support/frames';
import { C, Conversation, S } from './scenario';

/**
 * Handshake and one exchange: the client's IP IDs count from 1000 at TTL 64; the server's segments
 * carry the given TTLs and IP IDs in turn (its SYN|ACK, then its data). The client's ACK ends it at 0.004 s.
 */
function open(c: Conversation, serverTtl: readonly number[] = [60, 60], serverIds: readonly number[] = [30000, 30001]) {
  c.tcp(0, { ...C, ttl: 64, ipId: 1000, seq: 100, flags: 'S' });
  c.tcp(0.001, { ...S, ttl: serverTtl[0], ipId: serverIds[0], seq: 500, ack: 101, flags: 'SA' });
  c.tcp(0.002, { ...C, ttl: 64, ipId: 1001, seq: 101, ack: 501, flags: 'PA', payload: 10 });
  c.tcp(0.003, { ...S, ttl: serverTtl[1], ipId: serverIds[1], seq: 501, ack: 111, flags: 'PA', payload: 10 });
  c.tcp(0.004, { ...C, ttl: 64, ipId: 1002, seq: 111, ack: 511, flags: 'A' });
}

/** The client's data at `at`, then the server's RST (a stateless host's shape unless `rst` says otherwise). */
function resetAfterData(at: number, rst: Partial<TcpSpec>, serverTtl?: readonly number[], serverIds?: readonly number[]) {
  const c = new Conversation({ allFlows: true });
  open(c, serverTtl, serverIds);
  c.tcp(at, { ...C, ttl: 64, ipId: 1003, seq: 111, ack: 511, flags: 'PA', payload: 10 });
  c.tcp(at + 0.0001, { ...S, ttl: 60, ipId: 0, seq: 511, flags: 'R', win: 0, ...rst });
  return c.finish().flows[0].fate;
}

// The server's TTLs before its RST, and the RST's: above the highest, or more than 2 below the lowest, is injected.
const ttlRows: readonly { seen: [number, number]; rst: number; clue: 'ttl' | null }[] = [
  { seen: [60, 62], rst: 62, clue: null },
  { seen: [60, 62], rst: 63, clue: 'ttl' },
  { seen: [62, 60], rst: 61, clue: null },
  { seen: [62, 60], rst: 63, clue: 'ttl' },
  { seen: [62, 60], rst: 58, clue: null },
  { seen: [62, 60], rst: 57, clue: 'ttl' },
  { seen: [60, 62], rst: 57, clue: 'ttl' },
  { seen: [60, 60], rst: 60, clue: null },
  { seen: [60, 60], rst: 61, clue: 'ttl' },
];
for (const row of ttlRows) {
  test(`server TTLs ${row.seen.join(' then ')}, its RST at TTL ${row.rst}: ${row.clue === null ? 'a real reset' : 'injected (TTL)'}`, () => {
    const fate = resetAfterData(30, { ttl: row.rst }, row.seen);
    assert.deepEqual([fate.how, fate.by, fate.clue], row.clue === null ? ['reset', 'server', null] : ['injected-reset', 'middlebox', 'ttl']);
    const lo = Math.min(...row.seen), hi = Math.max(...row.seen);
    assert.ok(fate.evidence.some((e) => e.includes(`of server's packets`) && e.includes(lo === hi ? ` ${lo} ` : ` ${lo}–${hi} `)), fate.evidence.join('\n'));
  });
}

// The server's IP IDs before its RST, and the RST's: a counter that ran (at most 4096 a step) must be followed.
const idRows: readonly { what: string; ids: [number, number]; rst: number; clue: 'ip-id' | null }[] = [
  { what: 'next on the counter', ids: [30000, 30001], rst: 30002, clue: null },
  { what: 'the counter\'s last value again', ids: [30000, 30001], rst: 30001, clue: 'ip-id' },
  { what: '4096 ahead', ids: [30000, 30001], rst: 34097, clue: null },
  { what: '4097 ahead', ids: [30000, 30001], rst: 34098, clue: 'ip-id' },
  { what: 'behind the counter', ids: [30000, 30001], rst: 29000, clue: 'ip-id' },
  { what: 'next, across the 16-bit wrap', ids: [65534, 65535], rst: 3, clue: null },
  { what: 'far off, after a step of exactly 4096', ids: [30000, 34096], rst: 5, clue: 'ip-id' },
  { what: 'far off, but the server\'s IDs jumped by 4097 (no counter)', ids: [30000, 34097], rst: 5, clue: null },
  { what: 'the client\'s last IP ID', ids: [30000, 30001], rst: 1003, clue: 'ip-id' },
];
for (const row of idRows) {
  test(`server IP IDs ${row.ids.join(', ')}, its RST's ID ${row.rst} (${row.what}): ${row.clue === null ? 'a real reset' : 'injected (IP ID)'}`, () => {
    const fate = resetAfterData(30, { ipId: row.rst }, [60, 60], row.ids);
    assert.deepEqual([fate.how, fate.clue], row.clue === null ? ['reset', null] : ['injected-reset', 'ip-id']);
  });
}

// RST|ACK: it must acknowledge the other side's next sequence number (the client's 121 after its data).
const ackRows: readonly { ack: number; clue: 'ack' | null }[] = [
  { ack: 121, clue: null },
  { ack: 120, clue: 'ack' },
  { ack: 122, clue: 'ack' },
  { ack: 111, clue: 'ack' },
];
for (const row of ackRows) {
  test(`the server's RST|ACK acknowledging ${row.ack} after the client's data up to 121: ${row.clue === null ? 'a real reset' : 'injected (ACK)'}`, () => {
    const fate = resetAfterData(30, { ack: row.ack, flags: 'RA' });
    assert.deepEqual([fate.how, fate.clue], row.clue === null ? ['reset', null] : ['injected-reset', 'ack']);
  });
}

// The gap before the segment the RST answers is an idle gap from 1 s on.
const idleRows: readonly { at: number; idle: number | null }[] = [
  { at: 0.5, idle: null },
  { at: 1.003, idle: null },
  { at: 1.004, idle: 1 },
  { at: 30, idle: 29.996 },
];
for (const row of idleRows) {
  test(`a RST answering data sent ${row.idle ?? (row.at - 0.004).toFixed(3)} s after the last segment: ${row.idle === null ? 'not after idle' : 'after idle'}`, () => {
    const fate = resetAfterData(row.at, {});
    assert.equal(fate.how, 'reset');
    assert.equal(fate.afterIdleSeconds, row.idle);
  });
}

// Data after 60 s of idle, then its retransmissions `gaps` s apart, never answered.
const retxRows: readonly { gaps: number[]; how: string; backoff: boolean }[] = [
  { gaps: [0.2, 0.4, 0.8], how: 'retransmission-timeout', backoff: true },
  { gaps: [0.2, 0.3, 0.399], how: 'retransmission-timeout', backoff: false },
  { gaps: [0.2, 0.3, 0.4], how: 'retransmission-timeout', backoff: true },
  { gaps: [0.2, 0.2, 0.2, 0.2], how: 'retransmission-timeout', backoff: false },
  { gaps: [0.2, 0.4], how: 'open', backoff: false },
];
for (const row of retxRows) {
  test(`data after idle resent ${row.gaps.length} times, ${row.gaps.join(', ')} s apart: ${row.how}${row.backoff ? ' with back-off' : ''}`, () => {
    const c = new Conversation({ allFlows: true });
    open(c);
    let at = 60.004;
    c.tcp(at, { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 });
    for (const g of row.gaps) c.tcp(at += g, { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 });
    const fate = c.finish().flows[0].fate;
    assert.equal(fate.how, row.how);
    if (row.how === 'open') { assert.equal(fate.retransmissions, 0); return; }
    assert.deepEqual([fate.by, fate.afterIdleSeconds, fate.retransmissions], ['client', 60, row.gaps.length]);
    assert.equal(fate.evidence[0], `client sent after 60.0 s idle and retransmitted ${row.gaps.length} times without an answer` +
      (row.backoff ? ' with growing intervals' : ''));
  });
}

test('retransmissions are counted up to 255', () => {
  const c = new Conversation({ allFlows: true });
  open(c);
  let at = 60.004;
  c.tcp(at, { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 });
  for (let k = 0; k < 300; k++) c.tcp(at += 0.5, { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 });
  const fate = c.finish().flows[0].fate;
  assert.deepEqual([fate.how, fate.retransmissions], ['retransmission-timeout', 255]);
});

test('an answer settles the waiting run: retransmissions before it do not count', () => {
  const c = new Conversation({ allFlows: true });
  open(c);
  c.tcp(60.004, { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 });
  for (const at of [60.2, 60.6, 61.4]) c.tcp(at, { ...C, seq: 111, ack: 511, flags: 'PA', payload: 10 });
  c.tcp(61.5, { ...S, seq: 511, ack: 121, flags: 'A' });
  c.tcp(62, { ...C, seq: 121, ack: 511, flags: 'PA', payload: 10 });
  const fate = c.finish().flows[0].fate;
  assert.deepEqual([fate.how, fate.retransmissions], ['open', 0]);
});

// FIN both ways: the first FIN names who closed.
for (const first of ['client', 'server'] as const) {
  test(`FIN both ways, the ${first}'s first: closed by the ${first}`, () => {
    const c = new Conversation({ allFlows: true });
    open(c);
    const cf = { ...C, seq: 111, ack: 511, flags: 'FA' }, sf = { ...S, seq: 511, ack: 111, flags: 'FA' };
    c.tcp(1, first === 'client' ? cf : sf);
    c.tcp(1.001, first === 'client' ? { ...sf, ack: 112 } : { ...cf, ack: 512 });
    const fate = c.finish().flows[0].fate;
    assert.deepEqual([fate.how, fate.by], ['closed', first]);
    assert.deepEqual(fate.evidence, [`FIN from both sides, ${first} first`]);
  });
}

// An ICMP error about the client's data after idle: from the server's own address it is the peer's
// answer (a host without the port), from anywhere else a router's; an answer from the server after it settles it.
const icmpRows: readonly { v6: boolean; from: 'peer' | 'router'; answered: boolean }[] = [
  { v6: false, from: 'peer', answered: false },
  { v6: false, from: 'router', answered: false },
  { v6: true, from: 'peer', answered: false },
  { v6: true, from: 'router', answered: false },
  { v6: false, from: 'peer', answered: true },
];
for (const row of icmpRows) {
  test(`ICMP${row.v6 ? 'v6' : ''} error from the ${row.from} about the client's data after idle${row.answered ? ', then the server answers' : ''}`, () => {
    const cl = row.v6 ? '2001:db8::1' : '10.0.0.1', sv = row.v6 ? '2001:db8::2' : '10.0.0.2';
    // A router whose address differs from the server's only in its last byte.
    const router = row.v6 ? '2001:db8::3' : '10.0.0.3';
    const c = new Conversation({ allFlows: true });
    const CC = { ...C, src: cl, dst: sv }, SS = { ...S, src: sv, dst: cl };
    c.tcp(0, { ...CC, seq: 100, flags: 'S' });
    c.tcp(0.001, { ...SS, seq: 500, ack: 101, flags: 'SA' });
    c.tcp(0.002, { ...CC, seq: 101, ack: 501, flags: 'A' });
    const data = { ...CC, seq: 101, ack: 501, flags: 'PA', payload: 10 };
    c.tcp(40.002, data);
    const type = row.v6 ? 1 : 3, code = row.v6 ? 4 : 3;
    c.icmp(40.01, { src: row.from === 'peer' ? sv : router, dst: cl, type, code, quoted: data });
    if (row.answered) c.tcp(40.02, { ...SS, seq: 501, ack: 111, flags: 'A' });
    const [f] = c.finish().flows;
    if (row.answered) { assert.equal(f.fate.how, 'open'); return; }
    assert.deepEqual([f.fate.how, f.fate.by, f.fate.afterIdleSeconds], ['icmp', row.from === 'peer' ? 'server' : 'middlebox', 40]);
    assert.equal(f.fate.evidence[0], `ICMP type ${type} code ${code} about client's segment${row.from === 'peer' ? ' from the peer' : ' from a router'}, and no answer after it`);
  });
}
