// A retired flow's report, read back from its snapshot row: who closed it (the table's "closing",
// not in the JSON), its VLAN tags outer first, the server's probing reported after the client's,
// and a flow first seen from its server (endpoint a is then the server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Closing, FlowReport } from '../../src/keepalive/model';
import { Conversation, handshake, C, S } from './scenario';

const closing = (f: FlowReport): Closing => (f as FlowReport & { closing: Closing }).closing;

// Who closed, with the handshake's client as endpoint a (first) or the server (a mid-stream flow
// whose first segment came from the server, lower port: endpoint a is the server).
const closeRows: readonly { what: string; serverFirst: boolean; segs: ('cF' | 'sF' | 'cR' | 'sR')[]; end: string; rstFrom: string | null; finFrom: string[] }[] = [
  { what: 'client FIN only', serverFirst: false, segs: ['cF'], end: 'open', rstFrom: null, finFrom: ['client'] },
  { what: 'server FIN only', serverFirst: false, segs: ['sF'], end: 'open', rstFrom: null, finFrom: ['server'] },
  { what: 'FIN both ways', serverFirst: false, segs: ['cF', 'sF'], end: 'fin', rstFrom: null, finFrom: ['client', 'server'] },
  { what: 'client RST', serverFirst: false, segs: ['cR'], end: 'rst', rstFrom: 'client', finFrom: [] },
  { what: 'server RST', serverFirst: false, segs: ['sR'], end: 'rst', rstFrom: 'server', finFrom: [] },
  { what: 'client FIN, server RST', serverFirst: false, segs: ['cF', 'sR'], end: 'rst', rstFrom: 'server', finFrom: ['client'] },
  { what: 'server first; server FIN only', serverFirst: true, segs: ['sF'], end: 'open', rstFrom: null, finFrom: ['server'] },
  { what: 'server first; client RST', serverFirst: true, segs: ['cR'], end: 'rst', rstFrom: 'client', finFrom: [] },
  { what: 'server first; server RST', serverFirst: true, segs: ['sR'], end: 'rst', rstFrom: 'server', finFrom: [] },
  { what: 'server first; FIN both ways', serverFirst: true, segs: ['sF', 'cF'], end: 'fin', rstFrom: null, finFrom: ['server', 'client'] },
];
for (const row of closeRows) {
  test(`closing: ${row.what}`, () => {
    const c = new Conversation({ allFlows: true });
    if (row.serverFirst) c.tcp(0, { ...S, seq: 500, ack: 100, flags: 'PA', payload: 10 });
    else c.tcp(0, { ...C, seq: 100, ack: 500, flags: 'PA', payload: 10 });
    let at = 1;
    for (const s of row.segs) {
      const flags = s[1] === 'F' ? 'FA' : 'RA';
      c.tcp(at++, s[0] === 'c' ? { ...C, seq: 110, ack: 510, flags } : { ...S, seq: 510, ack: 110, flags });
    }
    const [f] = c.finish().flows;
    assert.equal(f.client, '10.0.0.1:40000');
    assert.equal(f.end, row.end);
    assert.deepEqual(closing(f), { rstFrom: row.rstFrom, finFrom: row.finFrom });
    assert.equal(Object.keys(f).includes('closing'), false);
  });
}

const vlanRows: readonly (readonly number[])[] = [[], [7], [100, 200], [4094, 1]];
for (const vlan of vlanRows) {
  test(`VLAN tags [${vlan.join(', ')}] are reported outer first`, () => {
    const c = new Conversation({ allFlows: true }, { vlan });
    c.tcp(0, { ...C, seq: 1, flags: 'S' });
    assert.deepEqual(c.finish().flows[0].vlan, vlan);
  });
}

test('both ends probing: the client\'s report first, each with its own counts, samples and settings', () => {
  for (const serverFirst of [false, true]) {
    const c = new Conversation();
    let cNxt: number, sNxt: number;
    if (serverFirst) {
      // Mid-stream, first seen from the server: endpoint a is the server.
      c.tcp(0, { ...S, seq: 5000, ack: 1000, flags: 'PA', payload: 10 });
      c.tcp(0.001, { ...C, seq: 1000, ack: 5010, flags: 'PA', payload: 10 });
      c.tcp(0.002, { ...S, seq: 5010, ack: 1010, flags: 'A' });
      cNxt = 1010; sNxt = 5010;
    } else ({ cNxt, sNxt } = handshake(c, 1000, 5000));
    // The server probes once (1 byte) and is answered; the client probes twice unanswered, 75 s
    // apart, then gives up with a RST.
    c.tcp(30, { ...S, seq: sNxt - 1, ack: cNxt, flags: 'A', payload: 1 });
    c.tcp(30.002, { ...C, seq: cNxt, ack: sNxt, flags: 'A' });
    c.tcp(100, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
    c.tcp(175, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
    c.tcp(250, { ...C, seq: cNxt, ack: sNxt, flags: 'RA' });
    const [f] = c.finish().flows;
    assert.equal(f.client, '10.0.0.1:40000');
    assert.equal(f.midstream, serverFirst);
    const [cl, sv] = f.keepalive;
    assert.deepEqual([cl.prober, cl.probes, cl.acked, cl.unanswered, cl.probeBytes, cl.maxUnanswered, cl.outcome],
      ['client', 2, 0, 2, 0, 2, 'timeout']);
    assert.deepEqual(cl.intervalSeconds, { min: 75, median: 75, max: 75 });
    assert.equal(cl.rttMs, null);
    assert.deepEqual([cl.settings.count, cl.settings.intervalSeconds], [2, 75]);
    assert.deepEqual([sv.prober, sv.probes, sv.acked, sv.unanswered, sv.probeBytes, sv.maxUnanswered, sv.outcome],
      ['server', 1, 1, 0, 1, 0, 'alive']);
    assert.deepEqual(sv.rttMs, { min: 2, median: 2, max: 2 });
    assert.equal(sv.intervalSeconds, null);
    assert.deepEqual([sv.settings.count, sv.settings.intervalSeconds], [null, null]);
    // The server last heard from the client at 0.001 (mid-stream) or 0.005 (handshake).
    assert.equal(sv.idleSeconds?.min, serverFirst ? 29.999 : 29.995);
    // The server's probe does not restart the client's clock: it last heard the server at 0.002 or 0.004.
    assert.equal(cl.idleSeconds?.min, serverFirst ? 99.998 : 99.996);
  }
});
