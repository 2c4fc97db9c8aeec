// Probes after a half-close (issue #22, rule 1). Linux keeps probing after its own FIN while the
// peer stays open: the FIN counts one in snd_nxt, so once it is ACKed the probe's seq is the FIN's
// own (snd_una − 1). The recorded capture's expectations come from tshark's keep_alive labels
// and from the settings the kernel was given (fixtures/README.md: client idle 2 s, server idle 3 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import type { KeepaliveEvent } from '../../src/keepalive/model';
import { Conversation, handshake, C, S } from './scenario';

const ROOT = join(__dirname, '..', '..', '..', 'fixtures');
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

function tsharkKeepAlives(file: string): number[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'tcp.analysis.keep_alive', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map(Number);
}

for (const end of ['client', 'server']) {
  test(`half-close (${end} capture): both ends' probes after the client's FIN, every one answered`, async (t) => {
    if (!hasTshark) { t.skip('tshark is not installed (apt-get install tshark)'); return; }
    const file = join(ROOT, 'path', `half-close.${end}.pcap`);
    const events: KeepaliveEvent[] = [];
    const { result: r } = await analyzeFile(file, {}, (e) => events.push(e));
    const probes = events.filter((e) => e.type === 'probe').map((e) => e.frame as number);
    assert.deepEqual(probes, tsharkKeepAlives(file));
    const flow = r.flows[0];
    const client = flow.keepalive.find((k) => k.prober === 'client')!, server = flow.keepalive.find((k) => k.prober === 'server')!;
    assert.ok(client.probes >= 3 && server.probes >= 2, `client ${client.probes}, server ${server.probes}`);
    assert.equal(client.unanswered + server.unanswered, 0);
    assert.equal(client.outcome, 'alive');
    // The client's first probe comes 2 s after the FIN's ACK (its idle), the server's 3 s after the FIN.
    assert.ok(Math.abs(client.idleSeconds!.min - 2) < 0.1, `client idle ${client.idleSeconds!.min}`);
    assert.ok(Math.abs(server.idleSeconds!.min - 3) < 0.1, `server idle ${server.idleSeconds!.min}`);
    assert.equal(flow.end, 'open');
  });
}

test('half-close, generated: the probe at the FIN\'s seq after the FIN\'s ACK is a probe; before the ACK it is not', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  c.tcp(1, { ...C, seq: cNxt, ack: sNxt, flags: 'FA' });
  // Before the FIN is ACKed it is in flight: a segment at its seq is no probe (RFC 9293 MUST-26).
  const early = c.tcp(1.001, { ...C, seq: cNxt, ack: sNxt, flags: 'A' });
  c.tcp(1.002, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
  const probe = c.tcp(3.002, { ...C, seq: cNxt, ack: sNxt, flags: 'A' });
  const answer = c.tcp(3.003, { ...S, seq: sNxt, ack: cNxt + 1, flags: 'A' });
  c.finish();
  assert.deepEqual(c.framesOf('probe'), [probe]);
  assert.ok(!c.framesOf('probe').includes(early));
  assert.deepEqual(c.framesOf('probe-ack'), [answer]);
});
