// Each flow's fate and each path's idle-timeout bracket on the real-kernel captures of
// fixtures/path/ (client – router with NAT and conntrack – server, recorded at both ends by
// fixtures/scripts/record-path.sh), checked against what the JSON says the kernels and the router
// were given and what the rules predict, not against the analyzer's own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzeFile } from '../../src/analysis';
import type { FlowReport } from '../../src/keepalive/model';
import { haveTshark } from '../decode/helpers';

const DIR = join(__dirname, '..', '..', '..', 'fixtures', 'path');

interface Spec {
  readonly topology: { readonly routerHops: number; readonly endpointTtl: number };
  readonly router: { readonly ttl: number; readonly hopLimit: number };
  readonly family: 'ipv4' | 'ipv6';
  readonly conntrackTimeoutSeconds: number;
  readonly flows: readonly {
    readonly serverPort: number;
    readonly expect: {
      readonly fate: string; readonly by: string | null; readonly afterIdleSeconds: number | null;
      readonly retransmissions?: number; readonly retransmissionsTolerance?: number;
    };
  }[];
}

// The recordings were made under heavy load: steps up to ~0.3 s late and ~0.1 s early
// (fixtures/README.md); keepalive timers fire late by up to a few jiffies more.
const fitsGap = (seen: number, want: number): boolean => seen >= want - 0.15 && seen <= want + 0.45;

const flowTo = (flows: readonly FlowReport[], port: number): FlowReport => {
  const f = flows.find((x) => x.server.endsWith(`:${port}`));
  assert.ok(f, `flow to port ${port}`);
  return f;
};

for (const name of ['nat-reject', 'nat-reject-ipv6', 'nat-blackhole', 'nat-blackhole-ipv6', 'nat-keepalive', 'nat-keepalive-ipv6', 'restart']) {
  const spec = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Spec;

  test(`${name} at the client: each flow's fate, the RST's fingerprint, the path's bracket`, async () => {
    const { capture, result } = await analyzeFile(join(DIR, `${name}.client.pcap`), { allFlows: true });
    assert.equal(capture.error, null);
    // The forger's TTL is its own initial value; the server's packets lose one per router hop.
    const forgedTtl = spec.family === 'ipv4' ? spec.router.ttl : spec.router.hopLimit;
    const ttlTells = forgedTtl !== spec.topology.endpointTtl - spec.topology.routerHops;
    for (const ff of spec.flows) {
      const f = flowTo(result.flows, ff.serverPort), ex = ff.expect, why = `:${ff.serverPort} ${JSON.stringify(f.fate)}`;
      assert.equal(f.fate.how, ex.fate, why);
      assert.equal(f.fate.by, ex.by, why);
      if (ex.afterIdleSeconds === null) assert.equal(f.fate.afterIdleSeconds, null, why);
      else assert.ok(f.fate.afterIdleSeconds !== null && fitsGap(f.fate.afterIdleSeconds, ex.afterIdleSeconds), why);
      if (ex.fate === 'injected-reset') {
        assert.ok(ttlTells);
        assert.equal(f.fate.clue, 'ttl', why);
        assert.match(f.fate.evidence.join('\n'), spec.family === 'ipv4' ? /TTL 64 is above the 63/ : /hop limit 64 is above the 63/);
      }
      if (ex.fate === 'reset') {
        assert.equal(f.fate.clue, null, why);
        assert.match(f.fate.evidence.join('\n'), /fits the 63/);
      }
      if (ex.retransmissions !== undefined) {
        assert.ok(Math.abs(f.fate.retransmissions - ex.retransmissions) <= (ex.retransmissionsTolerance ?? 0), why);
      }
      if (ex.fate === 'open') assert.ok(f.fate.silentAtEndSeconds !== null && f.maxIdleSeconds >= f.fate.silentAtEndSeconds, why);
    }
    const timeout = spec.conntrackTimeoutSeconds;
    if (spec.flows.some((ff) => ff.expect.fate !== 'open' && ff.expect.fate !== 'reset')) {
      assert.equal(result.paths.length, 1, JSON.stringify(result.paths));
      const p = result.paths[0];
      assert.equal(p.conflicting, false);
      const { above, atMost } = p.idleTimeoutSeconds;
      assert.ok(above !== null && above < timeout && atMost !== null && atMost >= timeout, `bracket ${above}..${atMost} vs ${timeout}`);
      assert.equal(p.server, spec.family === 'ipv4' ? '10.79.2.2' : 'fd79:2::2');
    }
  });

  test(`${name} at the server: the same flows are open or reset there, and the bracket still holds the timeout`, async () => {
    const { result } = await analyzeFile(join(DIR, `${name}.server.pcap`), { allFlows: true });
    for (const ff of spec.flows) {
      const f = flowTo(result.flows, ff.serverPort);
      // The router's RST and everything the client sent after the timeout never reach the server.
      assert.equal(f.fate.how, ff.expect.fate === 'reset' ? 'reset' : 'open', `:${ff.serverPort} ${JSON.stringify(f.fate)}`);
    }
    for (const p of result.paths) {
      const { above, atMost } = p.idleTimeoutSeconds;
      assert.ok((above === null || above < spec.conntrackTimeoutSeconds) && (atMost === null || atMost >= spec.conntrackTimeoutSeconds));
    }
  });
}

test('nat-keepalive: the paths verdicts say keepalive holds the path and an idle of 12 s is too long', async () => {
  const { result } = await analyzeFile(join(DIR, 'nat-keepalive.client.pcap'), {});
  const p = result.paths[0];
  assert.ok(p.verdicts.includes('keepalive-holds') && p.verdicts.includes('keepalive-too-long') && p.verdicts.includes('no-keepalive'), JSON.stringify(p));
  // Without --all-flows the flows that died after idle are listed, keepalive or not.
  assert.deepEqual(result.flows.map((f) => Number(f.server.split(':').at(-1))).sort(), [5001, 5002, 5003]);
});

test('--paths-by port gives each server port its own path; a wrong value is a usage error', () => {
  const bin = join(__dirname, '..', '..', '..', 'bin', 'keepalive.js');
  const r = spawnSync(process.execPath, [bin, 'analyze', '--format', 'json', '--paths-by', 'port', join(DIR, 'nat-reject.client.pcap')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { paths: { server: string; idleTimeoutSeconds: { above: number | null; atMost: number | null } }[] };
  // Every flow here survived a gap of 4 s or more, or died after one.
  assert.deepEqual(j.paths.map((p) => p.server).sort(), ['10.79.2.2:5001', '10.79.2.2:5002', '10.79.2.2:5003', '10.79.2.2:5004']);
  const bad = spawnSync(process.execPath, [bin, 'analyze', '--paths-by', 'host', join(DIR, 'nat-reject.client.pcap')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /paths-by/);
});

// A sender that dies after idle kept trying from its first unanswered segment (the one right
// after the flow's longest silence in these recordings) to the flow's last segment: tshark's
// times of those two frames.
for (const [file, port] of [['path/nat-blackhole.client.pcap', 5002], ['path/nat-blackhole.client.pcap', 5003],
  ['path/nat-blackhole-ipv6.client.pcap', 5002], ['cut-path.pcap', 5001]] as const) {
  test(`${file} :${port}: gaveUpAfterSeconds runs from the first unanswered segment after the idle gap to the last try (tshark)`, async (t) => {
    if (!haveTshark()) { t.skip('tshark not installed'); return; }
    const path = join(DIR, '..', file);
    const r = spawnSync('tshark', ['-r', path, '-Y', `tcp.port == ${port}`, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const times = r.stdout.trim().split('\n').map(Number);
    let gapAt = 1;
    for (let i = 2; i < times.length; i++) if (times[i] - times[i - 1] > times[gapAt] - times[gapAt - 1]) gapAt = i;
    const want = times[times.length - 1] - times[gapAt];
    const { result } = await analyzeFile(path, { allFlows: true });
    const f = flowTo(result.flows, port);
    assert.ok(f.fate.how === 'retransmission-timeout' || f.fate.how === 'keepalive-timeout', JSON.stringify(f.fate));
    assert.ok(f.fate.gaveUpAfterSeconds !== null && Math.abs(f.fate.gaveUpAfterSeconds - want) < 1e-5,
      `${f.fate.gaveUpAfterSeconds} vs tshark ${want.toFixed(6)}`);
  });
}

test('gaveUpAfterSeconds is null for a flow that did not die trying (restart: a real RST)', async () => {
  const { result } = await analyzeFile(join(DIR, 'restart.client.pcap'), { allFlows: true });
  assert.ok(result.flows.length > 0);
  for (const f of result.flows) if (f.fate.how !== 'keepalive-timeout' && f.fate.how !== 'retransmission-timeout') assert.equal(f.fate.gaveUpAfterSeconds, null);
});
