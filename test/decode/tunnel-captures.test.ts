// The public captures of tunnelled TCP (fixtures/public/tunnel-*.pcap, one per encapsulation; see
// MANIFEST.md): every TCP segment tshark finds inside the tunnel is in a flow, the flows are
// tshark's TCP streams, and each flow names the tunnel that separates its tenants.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzeFile } from '../../src/analysis';
import { haveTshark } from './helpers';

const PUBLIC = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'public');

/** File → the tunnel its flows report (tshark's protocol path in MANIFEST.md); undefined: none that separates tenants. */
const FILES: Record<string, string | undefined> = {
  'tunnel-vxlan.pcap': 'vxlan', 'tunnel-geneve.pcap': 'geneve', 'tunnel-gre-eth.pcap': undefined,
  'tunnel-erspan.pcap': 'erspan', 'tunnel-pppoe.pcap': 'pppoe', 'tunnel-mpls.pcap': 'mpls', 'tunnel-gtpu.pcap': 'gtp-u',
  'tunnel-ipip.pcap': undefined, 'tunnel-6in4.pcap': undefined, 'tunnel-llc-snap.pcap': undefined,
};

for (const [name, kind] of Object.entries(FILES)) {
  test(`public tunnel capture ${name}: flows and segments as tshark sees the inner TCP`, async (t) => {
    const file = path.join(PUBLIC, name);
    const { capture, result } = await analyzeFile(file, { allFlows: true });
    assert.equal(capture.error, null);
    assert.deepEqual(result.summary.weird, {});
    assert.ok(result.flows.length > 0);
    for (const f of result.flows) assert.equal(f.tunnel?.kind, kind, `flow ${f.id}`);
    if (!haveTshark()) { t.skip('tshark not installed: counts not compared'); return; }
    const rows = execFileSync('tshark', ['-r', file, '-Y', 'tcp', '-T', 'fields', '-e', 'tcp.stream'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '');
    assert.equal(result.flows.reduce((n, f) => n + f.packets, 0), rows.length, 'TCP segments');
    assert.equal(result.flows.length, new Set(rows).size, 'flows = tshark streams');
  });
}
