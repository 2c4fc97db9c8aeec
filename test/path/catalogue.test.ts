// The middlebox catalogue holds the values issue #24 gives from the vendors' and the kernel's own
// documents, and the README's table (with its sources) is the catalogue, row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIDDLEBOX_TIMEOUTS, timeoutsInBracket } from '../../src/path/catalogue';
import { FATES } from '../../src/fate/model';

const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const entry = (name: string) => {
  const m = MIDDLEBOX_TIMEOUTS.find((x) => x.name === name);
  assert.ok(m, name);
  return m;
};

test('catalogue: the documented idle timeouts (AWS NLB, Network Firewall, Azure LB, conntrack, IPVS, RFC 5382, GCP)', () => {
  // AWS NLB: TCP listeners 60–6000 s, default 350 s; TLS listeners fixed at 350 s.
  assert.deepEqual([entry('AWS NLB (TCP listener)').seconds, entry('AWS NLB (TCP listener)').range], [350, [60, 6000]]);
  assert.deepEqual([entry('AWS NLB (TLS listener, fixed)').seconds, entry('AWS NLB (TLS listener, fixed)').range], [350, null]);
  assert.equal(entry('AWS Network Firewall').seconds, 350);
  // Azure Load Balancer: 4–100 minutes, default 4.
  assert.deepEqual([entry('Azure Load Balancer').seconds, entry('Azure Load Balancer').range], [4 * 60, [4 * 60, 100 * 60]]);
  // nf_conntrack_tcp_timeout_established: 5 days.
  assert.equal(entry('Linux conntrack (established)').seconds, 5 * 24 * 3600);
  // IPVS tcp_timeouts[ESTABLISHED]: 15 min.
  assert.equal(entry('IPVS (TCP established)').seconds, 900);
  // RFC 5382 REQ-5: not less than 2 h 4 min.
  assert.equal(entry('RFC 5382 minimum for a NAT').seconds, 2 * 3600 + 4 * 60);
  // GCP: Cloud NAT's tcpEstablishedIdleTimeoutSec default 1200 s; the VPC's connection tracking forgets after 10 min (Compute Engine troubleshooting).
  assert.deepEqual([entry('GCP Cloud NAT (TCP established)').seconds, entry('GCP Cloud NAT (TCP established)').verified], [1200, true]);
  assert.deepEqual([entry('GCP VPC firewall conntrack').seconds, entry('GCP VPC firewall conntrack').verified], [600, true]);
  // Smallest first, each with a source.
  for (let i = 1; i < MIDDLEBOX_TIMEOUTS.length; i++) assert.ok(MIDDLEBOX_TIMEOUTS[i - 1].seconds <= MIDDLEBOX_TIMEOUTS[i].seconds);
  for (const m of MIDDLEBOX_TIMEOUTS) assert.ok(m.source.length > 0 && (m.range === null || (m.range[0] <= m.seconds && m.seconds <= m.range[1])), m.name);
  // A path bracket of 300..360 s names the 350 s group, and nothing else.
  assert.deepEqual(new Set(timeoutsInBracket(300, 360).map((m) => m.seconds)), new Set([350]));
});

/** Seconds from the README's "default" cell: `350 s`, `7440 s (2 h 4 min)`, `1 day`, `5 days`. */
function readmeSeconds(cell: string): number {
  const days = /^(\d+) days?$/.exec(cell);
  if (days) return Number(days[1]) * 86400;
  const s = /^(\d+) s\b/.exec(cell);
  assert.ok(s, cell);
  return Number(s[1]);
}

/** The cells of the README table under `header`, up to its first non-table line. */
function tableRows(header: string): string[][] {
  const start = README.indexOf(header);
  assert.ok(start >= 0, header);
  const lines = README.slice(start).split('\n').slice(2);
  const end = lines.findIndex((l) => !l.startsWith('|'));
  return lines.slice(0, end).map((r) => r.split('|').slice(1, -1).map((c) => c.trim()));
}

test('README: the middlebox table shows the catalogue\'s defaults, each with a source, unverified where the catalogue says so', () => {
  const rows = tableRows('| middlebox | default | range | source |');
  for (const [name, , , source] of rows) assert.ok(source.length > 0, `${name}: source`);
  assert.deepEqual(new Set(rows.map(([, def]) => readmeSeconds(def))), new Set(MIDDLEBOX_TIMEOUTS.map((m) => m.seconds)));
  // Rows may group entries with one default and source (AWS ALB, Classic LB); each row's verified state is its entries'.
  for (const [name, def, , source] of rows) {
    const same = MIDDLEBOX_TIMEOUTS.filter((m) => m.seconds === readmeSeconds(def) && !/unverified/.test(source) === m.verified);
    assert.ok(same.length > 0, `${name} ${def}: no catalogue entry with that default and verified state`);
  }
  assert.equal(rows.filter(([, , , src]) => /unverified/.test(src)).length, MIDDLEBOX_TIMEOUTS.filter((m) => !m.verified).length);
});

test('README: the fate table lists exactly the eight fates', () => {
  const names = tableRows('| `fate.how` | rule | `fate.by` |').map(([how]) => /^`([a-z-]+)`$/.exec(how)?.[1]);
  assert.deepEqual(new Set(names), new Set(FATES));
  assert.equal(names.length, 8);
});
