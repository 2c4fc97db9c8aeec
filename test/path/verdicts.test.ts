// What a path's line may claim from its flows' evidence. A death with no answer at all (keepalive
// or retransmission timeout) looks the same whether a middlebox forgot the flow, the peer died or
// the path was cut; only a survived idle gap or a middlebox's own RST makes it an idle timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import { buildPaths, type PathFlow } from '../../src/path/paths';
import type { Fate } from '../../src/fate/model';

const FX = join(__dirname, '..', '..', '..', 'fixtures');

const fate = (how: Fate['how'], afterIdleSeconds: number | null = null): Fate =>
  ({ how, by: null, afterIdleSeconds, retransmissions: 0, gaveUpAfterSeconds: null, silentAtEndSeconds: null, clue: null, evidence: [] });
const pf = (o: Partial<PathFlow>): PathFlow => ({ id: 1, serverAddress: '10.0.2.2', serverPort: 443, fate: fate('open'),
  survivedIdleSeconds: null, keepaliveIdleSeconds: null, keepaliveAnswered: false, ...o });

test('paths: unanswered deaths and no survived gap are undetermined: no timeout claimed, no keepalive advice', () => {
  for (const dead of [pf({ fate: fate('keepalive-timeout', 2.01), keepaliveIdleSeconds: 2.01 }),
    pf({ fate: fate('retransmission-timeout', 400) })]) {
    const [p] = buildPaths([dead], 'address');
    const gap = dead.fate.afterIdleSeconds!;
    assert.deepEqual(p.verdicts, ['undetermined']);
    // The number stays: it bounds the timeout if there is one.
    assert.deepEqual(p.idleTimeoutSeconds, { above: null, atMost: gap });
    assert.equal(p.keepIdleAtMostSeconds, null);
    assert.match(p.summary, /a dead peer or a cut path/);
    assert.doesNotMatch(p.summary, /too long|enable it|use </);
    assert.doesNotMatch(p.summary, /^10\.0\.2\.2: idle timeout/);
    // Catalogue entries are only what a timeout would be, not a finding.
    if (p.matches.length > 0) assert.match(p.summary, /a timeout would fit AWS ALB 60 s/);
  }
});

test('paths: an injected RST, or a survived shorter gap, makes the same death evidence of an idle timeout', () => {
  const [injected] = buildPaths([pf({ fate: fate('injected-reset', 12), keepaliveIdleSeconds: 12 })], 'address');
  assert.deepEqual(injected.verdicts, ['keepalive-too-long']);
  assert.match(injected.summary, /^10\.0\.2\.2: idle timeout at most 12 s .*keepalive idle 12 s is too long/);
  const [bracketed] = buildPaths([pf({ fate: fate('keepalive-timeout', 12), keepaliveIdleSeconds: 12 }),
    pf({ survivedIdleSeconds: 4 })], 'address');
  assert.deepEqual(bracketed.verdicts, ['keepalive-too-long']);
  assert.match(bracketed.summary, /^10\.0\.2\.2: idle timeout between 4 s and 12 s .*use <= 4 s/);
  const [silentNoKa] = buildPaths([pf({ fate: fate('retransmission-timeout', 11) }), pf({ survivedIdleSeconds: 5 })], 'address');
  assert.deepEqual(silentNoKa.verdicts, ['no-keepalive']);
  assert.match(silentNoKa.summary, /no keepalive on the flows that died; enable it, idle <= 5 s/);
});

test('paths: kernel captures of a cut path (iptables DROP, no middlebox timeout) are undetermined', async () => {
  const cases = [
    { file: join(FX, 'cut-path.pcap'), spec: join(FX, 'cut-path.json'), server: '10.77.0.2' },
    { file: join(FX, 'path', 'oneway-cut.client.pcap'), spec: join(FX, 'path', 'oneway-cut.json'), server: '10.79.2.2' },
  ];
  for (const c of cases) {
    const spec = JSON.parse(readFileSync(c.spec, 'utf8')) as { flows: { client: { idleSeconds: number } }[] };
    const idle = spec.flows[0].client.idleSeconds;
    const { result } = await analyzeFile(c.file, {});
    assert.equal(result.paths.length, 1, c.file);
    const p = result.paths[0];
    assert.equal(p.server, c.server);
    assert.deepEqual([p.died, p.diedBy], [1, { 'keepalive-timeout': 1 }]);
    assert.deepEqual(p.verdicts, ['undetermined'], `${c.file}: ${p.summary}`);
    // The only death came right after the keepalive idle the kernel was given (timer slack).
    const atMost = p.idleTimeoutSeconds.atMost!;
    assert.ok(atMost >= idle - 0.15 && atMost <= idle + 0.45, `${atMost} vs idle ${idle}`);
    assert.equal(p.idleTimeoutSeconds.above, null);
    assert.doesNotMatch(p.summary, /too long/);
  }
});
