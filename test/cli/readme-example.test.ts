// The README opens with `keepalive analyze fixtures/cut-path.pcap` and what it prints: that block
// must be what the command prints (piped, no COLUMNS), so the first thing a reader sees is true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run';

test('README: the opening example is exactly what `keepalive analyze fixtures/cut-path.pcap` prints', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /npx keepalive analyze fixtures\/cut-path\.pcap\n/);
  const block = /It prints:\n\n```\n([\s\S]*?)```\n/.exec(readme);
  assert.ok(block, 'the README\'s "It prints:" block');
  const env = { ...process.env };
  delete env.COLUMNS;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'keepalive.js'), 'analyze', 'fixtures/cut-path.pcap'],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(block[1], r.stdout);
});
