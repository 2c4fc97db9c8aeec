// limitHeapGrowth() must keep V8's young generation at its start size however many objects
// survive, which node's defaults do not (they grow it to 16 MB per semi-space). Each case runs in
// its own node process: V8 flags are process-wide and cannot be unset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const HEAP_LIMITS = join(__dirname, '..', 'src', 'runtime', 'heap-limits.js');

/** Largest new-space size (MB) seen while objects keep surviving collections, with or without the limits. */
function maxNewSpaceMB(limit: boolean): number {
  const script = `
    const v8 = require('node:v8');
    if (${limit}) require(${JSON.stringify(HEAP_LIMITS)}).limitHeapGrowth();
    const keep = []; let max = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 20000; i++) keep.push({ a: i, b: [i] });
      if (keep.length > 200000) keep.splice(0, 100000);
      const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
      max = Math.max(max, s.space_size);
    }
    process.stdout.write(String(max / 1048576));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

test('limitHeapGrowth keeps the young generation at its start size while objects survive', () => {
  const limited = maxNewSpaceMB(true);
  const unlimited = maxNewSpaceMB(false);
  // Two semi-spaces of 1 MB (V8's start size on 64-bit); node's default grew past 8 MB here.
  assert.ok(limited <= 2, `new space grew to ${limited} MB with the limits`);
  assert.ok(unlimited > 8, `without the limits the new space stayed at ${unlimited} MB: the test no longer shows anything`);
});
