// Answers lost between the capture point and the prober (issue #22, rule 4). The router dropped
// everything from the server to the client (fixtures/path/oneway-cut.json). Recorded at the server,
// every probe is ACKed on the wire, yet the client probes at its retry interval and gives up with
// a RST: those ACKs never arrived. Recorded at the client, the same probes are simply unanswered.
// Expected numbers come from tshark's labels and from the settings the kernel was given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import type { KeepaliveEvent } from '../../src/keepalive/model';
import { Conversation, handshake, C, S } from './scenario';

const DIR = join(__dirname, '..', '..', '..', 'fixtures', 'path');
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
const meta = JSON.parse(readFileSync(join(DIR, 'oneway-cut.json'), 'utf8')) as {
  flows: { client: { idleSeconds: number; intervalSeconds: number; count: number } }[];
};
const given = meta.flows[0].client;

function tsharkFrames(file: string, filter: string): number[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map(Number);
}

const near = (got: number, want: number, what: string): void =>
  assert.ok(got >= want - 0.05 && got <= want * 1.05 + 0.25, `${what} ${got}, the kernel was given ${want}`);

for (const end of ['server', 'client'] as const) {
  test(`oneway-cut (${end} capture): the client's keepalive timeout after ${given.count} probes` +
    (end === 'server' ? ', with every ACK seen on the wire lost' : ', unanswered'), async (t) => {
    if (!hasTshark) { t.skip('tshark is not installed (apt-get install tshark)'); return; }
    const file = join(DIR, `oneway-cut.${end}.pcap`);
    const probes = tsharkFrames(file, 'tcp.analysis.keep_alive');
    const acks = tsharkFrames(file, 'tcp.analysis.keep_alive_ack');
    const rst = tsharkFrames(file, 'tcp.flags.reset == 1 && tcp.srcport != 5001');
    assert.equal(probes.length, given.count);
    assert.equal(rst.length, 1);
    assert.equal(acks.length, end === 'server' ? given.count : 0, 'tshark: ACKs of the probes on the wire');
    const events: KeepaliveEvent[] = [];
    const { result: r } = await analyzeFile(file, {}, (e) => events.push(e));
    assert.deepEqual(events.filter((e) => e.type === 'probe').map((e) => e.frame), probes);
    assert.deepEqual(events.filter((e) => e.type === 'probe-ack').map((e) => e.frame), acks);
    const timeout = events.filter((e) => e.type === 'keepalive-timeout');
    assert.deepEqual(timeout.map((e) => e.frame), rst);
    const [k] = r.flows[0].keepalive;
    assert.equal(k.prober, 'client');
    assert.equal(k.outcome, 'timeout');
    assert.equal(k.answersLost, end === 'server' ? acks.length : undefined);
    assert.equal(k.acked, acks.length);
    assert.equal(k.settings.count, given.count);
    near(k.settings.idleSeconds!, given.idleSeconds, 'idle');
    near(k.settings.intervalSeconds!, given.intervalSeconds, 'interval');
    // Both ends of the path tell the same death (#24): the client's keepalive timeout after its idle.
    const fate = r.flows[0].fate;
    assert.equal(fate.how, 'keepalive-timeout');
    assert.equal(fate.by, 'client');
    near(fate.afterIdleSeconds!, given.idleSeconds, 'fate after idle');
    assert.deepEqual(r.paths.map((p) => [p.survived, p.died]), [[0, 1]]);
  });
}

test('answers lost, generated: ACKed probes at the retry interval, then the prober\'s RST', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  const acks: number[] = [];
  for (const at of [10, 13, 16]) {
    c.tcp(at, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
    acks.push(c.tcp(at + 0.001, { ...S, seq: sNxt, ack: cNxt, flags: 'A' }));
  }
  const rst = c.tcp(19, { ...C, seq: cNxt, ack: sNxt, flags: 'RA' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('probe-ack'), acks);
  assert.deepEqual(c.framesOf('keepalive-timeout'), [rst]);
  const [k] = r.flows[0].keepalive;
  assert.deepEqual([k.outcome, k.answersLost, k.acked, k.settings.count], ['timeout', 3, 3, 3]);
  assert.equal(k.idleSeconds!.max, 9.996); // from the server's response at 0.004 s (handshake())
  assert.deepEqual([k.intervalSeconds!.min, k.intervalSeconds!.max], [3, 3]);
});

test('answers lost, generated: the same probes each a full idle after the last ACK, then RST: an application abort, outcome alive', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  for (const at of [10, 20, 30]) {
    c.tcp(at, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
    c.tcp(at + 0.001, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  }
  c.tcp(33, { ...C, seq: cNxt, ack: sNxt, flags: 'RA' });
  const r = c.finish();
  assert.deepEqual(c.framesOf('keepalive-timeout'), []);
  const [k] = r.flows[0].keepalive;
  assert.deepEqual([k.outcome, k.answersLost, k.acked], ['alive', undefined, 3]);
});
