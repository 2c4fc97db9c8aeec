// What retired flows tell about their paths: the longest idle gap each survived (a segment after
// the gap that the other side answered), grouped by server address or address and port. Flows
// that are not listed go through the engine's fast path (IPv4 survivors counted by number), listed
// ones through their snapshot row: both must give the same paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PathsBy } from '../../src/path/paths';
import { Conversation } from './scenario';

const SERVER = '10.0.0.2', SERVER6 = '2001:db8::2';

type Spec = Parameters<Conversation['tcp']>[1];

/** Segments of several flows, fed in time order (the capture clock never steps back). */
class Schedule {
  private readonly segs: { at: number; spec: Spec }[] = [];
  tcp(at: number, spec: Spec): void { this.segs.push({ at, spec }); }
  feed(c: Conversation): void {
    for (const x of [...this.segs].sort((p, q) => p.at - q.at)) c.tcp(x.at, x.spec);
  }
}

/** Handshake at `at` (the client's last segment at at + 0.003) between client port `port` and `server`:`sport`. */
function open(c: Schedule, at: number, port: number, server = SERVER, sport = 80) {
  const client = server.includes(':') ? '2001:db8::1' : '10.0.0.1';
  const cl = { src: client, dst: server, sport: port, dport: sport }, sv = { src: server, dst: client, sport, dport: port };
  c.tcp(at, { ...cl, seq: 100, flags: 'S' });
  c.tcp(at + 0.001, { ...sv, seq: 500, ack: 101, flags: 'SA' });
  c.tcp(at + 0.003, { ...cl, seq: 101, ack: 501, flags: 'A' });
  return { cl, sv };
}

/** Client data `gap` s after the handshake's last segment, answered 1 ms later: a survived gap of `gap` s. */
function survive(c: Schedule, at: number, port: number, gap: number, server = SERVER, sport = 80) {
  const { cl, sv } = open(c, at, port, server, sport);
  c.tcp(at + 0.003 + gap, { ...cl, seq: 101, ack: 501, flags: 'PA', payload: 10 });
  c.tcp(at + 0.004 + gap, { ...sv, seq: 501, ack: 111, flags: 'A' });
  return { cl, sv };
}

function run(by: PathsBy, allFlows: boolean) {
  const c = new Schedule();
  survive(c, 0, 40001, 50); // survived 50 s, stays open
  const f2 = survive(c, 0.01, 40002, 130, SERVER, 443); // survived 130 s, then closed by FIN both ways
  c.tcp(131, { ...f2.cl, seq: 111, ack: 501, flags: 'FA' });
  c.tcp(131.001, { ...f2.sv, seq: 501, ack: 112, flags: 'FA' });
  const f3 = survive(c, 0.02, 40003, 200); // survived 200 s, then reset by the client: not counted as a survivor
  c.tcp(201, { ...f3.cl, seq: 111, ack: 501, flags: 'RA' });
  survive(c, 0.03, 40004, 0.5); // 0.5 s is no idle gap: tells nothing
  survive(c, 0.04, 40005, 60, SERVER6); // IPv6
  survive(c, 0.05, 40006, 70, '10.0.0.3', 22);
  const conv = new Conversation({ allFlows, pathsBy: by });
  c.feed(conv);
  return conv.finish();
}

const close = (x: number | null, y: number): boolean => x !== null && Math.abs(x - y) < 1e-9;

/** One IPv4 flow to SERVER:80: a handshake at 0 whose client ACK (at 0.003) is its last segment. */
function handshakeOnly() {
  const c = new Conversation();
  const cl = { src: '10.0.0.1', dst: SERVER, sport: 40001, dport: 80 }, sv = { src: SERVER, dst: '10.0.0.1', sport: 80, dport: 40001 };
  c.tcp(0, { ...cl, seq: 100, flags: 'S' });
  c.tcp(0.001, { ...sv, seq: 500, ack: 101, flags: 'SA' });
  c.tcp(0.003, { ...cl, seq: 101, ack: 501, flags: 'A' });
  return { c, cl, sv };
}

test('paths by server address: the longest survived gap of each, from listed and unlisted flows alike', () => {
  const listed = run('address', true), unlisted = run('address', false);
  assert.deepEqual(unlisted.flows, []);
  assert.deepEqual(unlisted.paths, listed.paths);
  const p = listed.paths;
  assert.deepEqual(p.map((x) => [x.server, x.flows, x.survived, x.died]), [[SERVER, 3, 2, 0], [SERVER6, 1, 1, 0], ['10.0.0.3', 1, 1, 0]]);
  assert.ok(close(p[0].idleTimeoutSeconds.above, 200), String(p[0].idleTimeoutSeconds.above));
  assert.ok(close(p[1].idleTimeoutSeconds.above, 60));
  assert.ok(close(p[2].idleTimeoutSeconds.above, 70));
  assert.deepEqual(p.map((x) => x.idleTimeoutSeconds.atMost), [null, null, null]);
  assert.deepEqual(p.map((x) => x.keepIdleAtMostSeconds), [200, 60, 70]);
});

test('paths by server address and port', () => {
  const listed = run('port', true), unlisted = run('port', false);
  assert.deepEqual(unlisted.paths, listed.paths);
  const p = listed.paths;
  assert.deepEqual(p.map((x) => [x.server, x.flows, x.survived]),
    [[`${SERVER}:80`, 2, 1], [`${SERVER}:443`, 1, 1], [`[${SERVER6}]:80`, 1, 1], ['10.0.0.3:22', 1, 1]]);
  assert.ok(close(p[0].idleTimeoutSeconds.above, 200));
  assert.ok(close(p[1].idleTimeoutSeconds.above, 130));
});

test('a flow whose answered keepalive held the path: its idle is the path\'s keepalive idle', () => {
  const { c, cl, sv } = handshakeOnly();
  // The server's SYN|ACK at 0.001 was its last segment: the probe at 100.001 comes after 100 s of idle.
  c.tcp(100.001, { ...cl, seq: 100, ack: 501, flags: 'A' });
  c.tcp(100.002, { ...sv, seq: 501, ack: 101, flags: 'A' });
  const r = c.finish();
  assert.equal(r.flows[0].keepalive[0].idleSeconds?.max, 100);
  assert.equal(r.paths.length, 1);
  assert.equal(r.paths[0].keepaliveIdleSeconds, 100);
  assert.deepEqual(r.paths[0].verdicts, ['keepalive-holds']);
  // The probe waited after 99.998 s of silence in the flow (from the client's ACK at 0.003) and was answered.
  assert.ok(close(r.paths[0].idleTimeoutSeconds.above, 99.998), String(r.paths[0].idleTimeoutSeconds.above));
});

test('both ends probing: the path\'s keepalive idle is the longer of their idles, each end\'s longest', () => {
  const { c, cl, sv } = handshakeOnly();
  // The client (endpoint a, looked at first) probes after 60 s, then after 200 s; the server after
  // 100 s (from the client's ACK at 0.003: probes do not count as heard).
  c.tcp(60.001, { ...cl, seq: 100, ack: 501, flags: 'A' });
  c.tcp(60.002, { ...sv, seq: 501, ack: 101, flags: 'A' });
  c.tcp(100.003, { ...sv, seq: 500, ack: 101, flags: 'A' });
  c.tcp(100.004, { ...cl, seq: 101, ack: 501, flags: 'A' });
  c.tcp(260.002, { ...cl, seq: 100, ack: 501, flags: 'A' });
  c.tcp(260.003, { ...sv, seq: 501, ack: 101, flags: 'A' });
  const r = c.finish();
  const byProber = Object.fromEntries(r.flows[0].keepalive.map((k) => [k.prober, k.idleSeconds?.max]));
  assert.deepEqual(byProber, { client: 200, server: 100 });
  assert.equal(r.paths.length, 1);
  assert.equal(r.paths[0].keepaliveIdleSeconds, 200);
  assert.deepEqual(r.paths[0].verdicts, ['keepalive-holds']);
});

test('a prober whose probes went unanswered does not hold its path', () => {
  const { c, cl, sv } = handshakeOnly();
  // An answered exchange after a 30 s gap (the path survived it), then probes nobody answers.
  c.tcp(30, { ...cl, seq: 101, ack: 501, flags: 'PA', payload: 10 });
  c.tcp(30.001, { ...sv, seq: 501, ack: 111, flags: 'A' });
  for (const at of [130.001, 140.001, 150.001]) c.tcp(at, { ...cl, seq: 110, ack: 501, flags: 'A' });
  const r = c.finish();
  assert.equal(r.flows[0].keepalive[0].acked, 0);
  assert.equal(r.paths.length, 1);
  assert.ok(!r.paths[0].verdicts.includes('keepalive-holds'), r.paths[0].verdicts.join(','));
  assert.equal(r.paths[0].keepaliveIdleSeconds, 100);
});
