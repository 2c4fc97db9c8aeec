// The engine's per-direction state as the rules read it (README "How detection decides"): the
// sender's next sequence number (SYN and FIN count one), the highest ACK the peer sent, the sender's
// last data. Each row is a conversation whose outcome turns on one of them, from both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Conversation, handshake, C, S } from './scenario';

const u = (n: number): number => n >>> 0;

// Captured at one end's uplink only: no ACK from the peer, so snd_una is unknown and a probe is
// judged against snd_nxt alone, which the SYN and FIN each advance by one.
const oneWayRows: readonly { name: string; data: boolean; fin: boolean; probeOffset: number; probe: boolean }[] = [
  { name: 'SYN, probe at the SYN\'s seq', data: false, fin: false, probeOffset: -1, probe: true },
  { name: 'SYN, segment one past the SYN\'s seq', data: false, fin: false, probeOffset: 0, probe: false },
  { name: 'SYN, data, probe at snd_nxt − 1', data: true, fin: false, probeOffset: -1, probe: true },
  { name: 'SYN, data, segment at snd_nxt', data: true, fin: false, probeOffset: 0, probe: false },
  { name: 'SYN, data, segment at snd_nxt − 2', data: true, fin: false, probeOffset: -2, probe: false },
  { name: 'SYN, data, FIN, probe at the FIN\'s seq', data: true, fin: true, probeOffset: 0, probe: true },
  { name: 'SYN, data, FIN, segment one below the FIN\'s seq', data: true, fin: true, probeOffset: -1, probe: false },
];
for (const row of oneWayRows) {
  test(`one direction captured: ${row.name}: ${row.probe ? 'a probe' : 'no probe'}`, () => {
    const c = new Conversation();
    const isn = 4000;
    c.tcp(0, { ...C, seq: isn, flags: 'S', win: 64240 });
    let next = isn + 1;
    if (row.data) { c.tcp(0.01, { ...C, seq: next, ack: 9001, flags: 'PA', payload: 50, win: 502 }); next += 50; }
    if (row.fin) { c.tcp(0.02, { ...C, seq: next, ack: 9001, flags: 'FA', win: 502 }); next += 1; }
    const f = c.tcp(30, { ...C, seq: u(next + row.probeOffset - (row.fin ? 1 : 0)), ack: 9001, flags: 'A', win: 502 });
    c.finish();
    assert.deepEqual(c.framesOf('probe'), row.probe ? [f] : []);
  });
}

// A segment without the ACK flag carries no acknowledgment: its ack field (here a SYN's zero) must
// not become the peer's snd_una. The server's ISN is more than 2^31 from 0, so a zero taken for an
// ACK would never be overtaken by the real ones, and the server's probe would not be recognised.
for (const synAck of [0, 123456]) {
  test(`a SYN whose ack field holds ${synAck} does not count as an ACK: the server's probe is still found`, () => {
    const c = new Conversation();
    const sIsn = 3_000_000_000;
    c.tcp(0, { ...C, seq: 1000, ack: synAck, flags: 'S', win: 64240 });
    c.tcp(0.001, { ...S, seq: sIsn, ack: 1001, flags: 'SA', win: 65160 });
    c.tcp(0.002, { ...C, seq: 1001, ack: u(sIsn + 1), flags: 'A', win: 502 });
    c.tcp(0.003, { ...S, seq: u(sIsn + 1), ack: 1001, flags: 'PA', payload: 10, win: 509 });
    c.tcp(0.004, { ...C, seq: 1001, ack: u(sIsn + 11), flags: 'A', win: 502 });
    const probe = c.tcp(20, { ...S, seq: u(sIsn + 10), ack: 1001, flags: 'A', win: 509 });
    const ack = c.tcp(20.001, { ...C, seq: 1001, ack: u(sIsn + 11), flags: 'A', win: 502 });
    c.finish();
    assert.deepEqual(c.framesOf('probe'), [probe]);
    assert.deepEqual(c.framesOf('probe-ack'), [ack]);
  });
}

// The sender's last data is what makes a 1-byte segment at snd_una − 1 a retransmission: only new
// data counts (a probe, or a retransmission, does not restart that clock).
test('a retransmitted byte does not count as the sender\'s last data: a byte 1.3 s after the data and 0.8 s after the retransmission is a probe', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(5, { ...C, seq: cNxt, ack: sNxt, flags: 'PA', payload: 1 });
  c.tcp(5.001, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
  // The same byte again 0.5 s later: a retransmission (within 1 s of data), not data.
  c.tcp(5.5, { ...C, seq: cNxt, ack: sNxt, flags: 'A', payload: 1 });
  // 1.3 s after the data, 0.8 s after the retransmission: a probe only if the retransmission did not restart the clock.
  const f = c.tcp(6.3, { ...C, seq: cNxt, ack: sNxt, flags: 'A', payload: 1 });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [f]);
});
