// Real Linux traffic (fixtures/*.pcap, recorded in network namespaces by fixtures/scripts/record.sh)
// checked against the settings the kernel was GIVEN (fixtures/*.json), not against our own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import type { KeepaliveEvent, KeepaliveReport } from '../../src/keepalive/model';
import { spawnSync } from 'node:child_process';
import { flowView, readFrames } from '../fixtures/oracle';

const DIR = join(__dirname, '..', '..', '..', 'fixtures');

interface Given { idleSeconds: number; intervalSeconds: number; count: number; userTimeoutMs: number | null }
interface FixtureFlow {
  serverPort: number; client: Given | null; server: Given | null; cut: boolean;
  expect: {
    outcome: string; probes: Record<string, number>; probesTolerance: number;
    answeredProbes?: Record<string, number>; rst: number; rstFrom?: string;
    zeroWindowProbes?: number | { from: string; atLeast: number };
  };
}

const fixtures = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')).sort() : [];
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

// Linux keepalive timers fire late, never early (timer wheel, facts §6.5); the recordings were made
// on a loaded VM, where single probes moved by ~0.1 s either way and timer softirqs ran ~0.2 s late
// (the same bounds as test/fixtures/fixtures.test.ts, judged here without the analyzer's own slack).
const EARLY_S = 0.15;
const LATE_S = 0.45;
function assertTimer(observed: number, given: number, what: string): void {
  assert.ok(observed >= given - EARLY_S && observed <= given + LATE_S, `${what} ${observed} s, kernel given ${given} s (-${EARLY_S}/+${LATE_S})`);
}

test('kernel fixtures are present: one settings file per recorded capture', () => {
  const pcaps = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.pcap')).sort() : [];
  assert.ok(pcaps.length > 0, `expected the recorded fixtures in ${DIR}`);
  assert.deepEqual(fixtures.map((f) => f.replace(/\.json$/, '')), pcaps.map((f) => f.replace(/\.pcap$/, '')));
});

for (const name of fixtures) {
  test(`kernel fixture ${name}: counts, outcome and timing match the settings the kernel was given`, async () => {
    const spec = JSON.parse(readFileSync(join(DIR, name), 'utf8')) as { flows: FixtureFlow[] };
    const events: KeepaliveEvent[] = [];
    const { capture, result } = await analyzeFile(join(DIR, name.replace(/\.json$/, '.pcap')), { allFlows: true }, (e) => events.push(e));
    assert.equal(capture.error, null);
    for (const ff of spec.flows) {
      const flow = result.flows.find((f) => f.server.endsWith(`:${ff.serverPort}`));
      assert.ok(flow, `flow to port ${ff.serverPort}`);
      const ex = ff.expect;
      if (ex.outcome === 'zero-window') {
        assert.equal(flow.keepalive.length, 0, 'zero-window probes are not keepalives');
        const zw = ex.zeroWindowProbes as { from: 'client' | 'server'; atLeast: number };
        if (hasTshark) {
          // Exactly the segments the independent wire rule (test/fixtures/oracle.ts) calls zero-window probes.
          const oracle = flowView(readFrames(join(DIR, name.replace(/\.json$/, '.pcap'))), ff.serverPort).probes;
          const want = oracle.filter((p) => p.zeroWindow);
          assert.ok(want.length >= zw.atLeast && want.every((p) => p.from === zw.from));
          assert.equal(flow.zeroWindowProbes, want.length);
          assert.deepEqual(events.filter((e) => e.type === 'zero-window-probe' && e.flow === flow.id).map((e) => e.frame), want.map((p) => p.frame.no));
        } else assert.ok(flow.zeroWindowProbes >= zw.atLeast, `${flow.zeroWindowProbes} zero-window probes`);
        const zwEvents = events.filter((e) => e.type === 'zero-window-probe' && e.flow === flow.id).map((e) => e.relTime);
        // RTO back-off: each gap at least ~1.5× the one before (until TCP_RTO_MAX).
        for (let i = 2; i < zwEvents.length; i++) {
          const g1 = zwEvents[i - 1] - zwEvents[i - 2], g2 = zwEvents[i] - zwEvents[i - 1];
          assert.ok(g2 > g1 * 1.5 || g2 > 100, `back-off ${g1} → ${g2}`);
        }
        continue;
      }
      for (const role of ['client', 'server'] as const) {
        const given = ff[role];
        const want = ex.probes[role] ?? 0;
        const ka: KeepaliveReport | undefined = flow.keepalive.find((k) => k.prober === role);
        if (want === 0) { assert.equal(ka, undefined, `${role} does not probe`); continue; }
        assert.ok(ka, `${role} probes`);
        assert.ok(Math.abs(ka.probes - want) <= ex.probesTolerance, `${role} probes ${ka.probes}, want ${want}±${ex.probesTolerance}`);
        if (ex.answeredProbes?.[role] !== undefined) {
          const answered = ka.acked;
          assert.ok(Math.abs(answered - ex.answeredProbes[role]) <= ex.probesTolerance, `${role} answered ${answered}`);
        }
        const lastProbe = events.filter((e) => e.type === 'probe' && e.flow === flow.id).at(-1);
        if (ex.outcome === 'alive' && ka.outcome === 'unanswered') {
          // The recording stopped between a probe and its ACK: only that last probe may be unanswered.
          assert.equal(ka.unanswered, 1);
          assert.equal(lastProbe?.frame, flow.lastFrame);
        } else assert.equal(ka.outcome, ex.outcome);
        assert.ok(given);
        // The first idle runs from the last data; every idle must fit the configured TCP_KEEPIDLE.
        assert.ok(ka.idleSeconds, 'idle observed');
        assertTimer(ka.idleSeconds.median, given.idleSeconds, `${role} idle`);
        assert.equal(ka.settings.idleSeconds, ka.idleSeconds.median);
        if (ka.intervalSeconds) {
          assertTimer(ka.intervalSeconds.median, given.intervalSeconds, `${role} interval`);
        }
        if (ex.outcome === 'timeout') {
          // Without TCP_USER_TIMEOUT the kernel gives up after exactly TCP_KEEPCNT probes.
          const expectCount = given.userTimeoutMs === null ? given.count : want;
          assert.equal(ka.settings.count, expectCount);
          assert.equal(ka.maxUnanswered, expectCount);
          assert.equal(ka.settings.matches, 'custom');
        }
      }
      if (ex.rstFrom === 'server') assert.equal(flow.end, 'rst');
    }
  });
}
