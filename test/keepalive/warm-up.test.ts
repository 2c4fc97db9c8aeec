import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeFile } from '../../src/analysis';
import { warmUpEngine } from '../../src/runtime/warm-up';
import type { FlowReport } from '../../src/keepalive/model';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'both-probe.pcap');

// The warm-up is only worth its time if its script reaches the branches whose first use would
// otherwise discard the engine's optimised code: each kind of probe, answer and ending.
test('the warm-up script takes every probe, answer and ending branch, on IPv4, IPv6 and VLAN flows', () => {
  const rounds = 3;
  const e = warmUpEngine(rounds);
  assert.ok(e.outcomes.alive > 0, 'a probe answered by ACK');
  assert.ok(e.outcomes.reset > 0, 'a probe answered by RST');
  assert.ok(e.outcomes.timeout > 0, 'a prober that gave up');
  assert.ok(e.zeroWindowProbes > 0, 'zero-window probes');
  assert.ok(e.expiredFlows > 0, 'flows retired by the idle sweep');
  const flows: FlowReport[] = e.reports.toArray();
  assert.ok(flows.some((f) => f.midstream && f.keepalive.length > 0), 'a mid-stream probe confirmed');
  assert.ok(flows.some((f) => f.client.startsWith('[') && f.keepalive.length > 0), 'an IPv6 flow that probed');
  assert.ok(flows.some((f) => f.vlan.length > 0 && f.keepalive.length > 0), 'a VLAN flow that probed');
  assert.ok(flows.some((f) => f.end === 'fin') && flows.some((f) => f.end === 'rst'), 'FIN and RST endings');
  assert.ok(flows.some((f) => f.keepalive.some((k) => k.probeBytes === 1)), 'a 1-byte probe');
  // Each round is the same script on new flows.
  const once = warmUpEngine(1);
  assert.equal(e.flowsSeen, rounds * once.flowsSeen);
  assert.equal(e.probes, rounds * once.probes);
});

test('an analysis after a warm-up reports exactly what it reports without one', async () => {
  const before = await analyzeFile(FIXTURE, { decodeWorkerMinBytes: Infinity });
  warmUpEngine();
  const after = await analyzeFile(FIXTURE, { decodeWorkerMinBytes: Infinity });
  assert.ok(before.result.flows.length > 0);
  assert.deepEqual(after.result.flows, before.result.flows);
  assert.deepEqual(after.result.summary, before.result.summary);
});
