// --max-flows below the number of flows open at once: one stderr line when evicted flows come
// back, and each flow that comes back is marked as the continuation of the one evicted, so the
// chains rebuild the real flows. Input generated: 50 flows probing in turn, none ever closing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeProbeFlows } from '../../bench/synth/probe-flows';
import { run } from './run';

const tmp = mkdtempSync(join(tmpdir(), 'keepalive-max-flows-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Flow { id: number; client: string; end: string; continues?: number; keepalive: { probes: number }[] }
interface Report { captures: { warnings: string[] }[]; flows: Flow[]; summary: { probes: number; evictedFlows: number } }

test('--max-flows 10 with 50 open flows: one notice, continuations chain back to the 50 flows', () => {
  const file = join(tmp, 'fifty.pcap');
  const flows = 50, probes = 4;
  writeProbeFlows(file, { flows, probesPerFlow: probes, intervalSeconds: 75 });

  const whole = run(['analyze', '--format', 'json', file]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(whole.stderr, '');
  const all = JSON.parse(whole.stdout) as Report;
  assert.equal(all.flows.length, flows);
  assert.ok(all.flows.every((f) => f.continues === undefined));

  const r = run(['analyze', '--format', 'json', '--all-flows', '--max-flows', '10', file]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`^keepalive: ${file}: --max-flows 10 is below the number of flows open at once: flow \\d+, evicted, came back at frame \\d+ \\(\\d+ open flows evicted so far, at least \\d+ open at once\\); flows that come back are reported with "continues"$`));
  const cut = JSON.parse(r.stdout) as Report;
  assert.equal(cut.summary.probes, flows * probes);
  assert.ok(cut.summary.evictedFlows > 0);
  // Every handshake and probe of a client is in one chain: 50 chains, each with all 4 probes.
  const byId = new Map(cut.flows.map((f) => [f.id, f] as const));
  const chains = new Map<number, { client: string; probes: number }>();
  for (const f of cut.flows) {
    let root = f;
    while (root.continues !== undefined) {
      const prev = byId.get(root.continues);
      assert.ok(prev !== undefined, `flow ${root.id} continues ${root.continues}, which is reported`);
      assert.equal(prev.end, 'evicted');
      assert.equal(prev.client, f.client);
      root = prev;
    }
    const c = chains.get(root.id) ?? { client: root.client, probes: 0 };
    c.probes += f.keepalive.reduce((s, k) => s + k.probes, 0);
    chains.set(root.id, c);
  }
  assert.equal(chains.size, flows);
  assert.ok([...chains.values()].every((c) => c.probes === probes));
  assert.equal(new Set([...chains.values()].map((c) => c.client)).size, flows);
  // The report's warning says which --max-flows would have held them: all 50 were open at once.
  const w = cut.captures[0].warnings.find((x) => x.includes('came back'));
  assert.ok(w !== undefined, cut.captures[0].warnings.join('\n'));
  assert.match(w, /--max-flows 50 or more would have held them/);
});
