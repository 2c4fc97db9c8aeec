import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowKey, reversePorts } from '../../src/decode/flow-key';

// Both directions of a connection must meet in one bucket, and the words must be the packet's.
test('flow key: both directions hash alike; words are the address bytes', () => {
  const v4 = Buffer.from([10, 0, 0, 1, 192, 168, 200, 254]);
  const ab = new FlowKey(), ba = new FlowKey();
  ab.set(v4, 0, 4, 4, 40000, 443, 0, 0);
  ba.set(v4, 4, 0, 4, 443, 40000, 0, 0);
  assert.equal(ab.hash, ba.hash);
  assert.equal(ab.s0 >>> 0, 0x0a000001);
  assert.equal(ab.d0 >>> 0, 0xc0a8c8fe);
  assert.equal(ab.ports, reversePorts(ba.ports));
  assert.equal(reversePorts(ab.ports), (443 << 16) | 40000);

  const v6 = Buffer.alloc(32);
  v6.write('fd000000000000010000000000007b0e', 0, 'hex');
  v6.write('fd000000000000020000000000000015', 16, 'hex');
  const c = new FlowKey(), d = new FlowKey();
  c.set(v6, 0, 16, 6, 40951, 8080, 100, 7);
  d.set(v6, 16, 0, 6, 8080, 40951, 100, 7);
  assert.equal(c.hash, d.hash);
  assert.equal(c.key, 6 | 100 << 4 | 7 << 16);
  assert.equal(c.s3 >>> 0, 0x00007b0e);

  // The VLAN and the last address word change the key's hash (not a constant).
  const e = new FlowKey();
  e.set(v6, 0, 16, 6, 40951, 8080, 101, 7);
  assert.notEqual(e.hash, c.hash);
  const hashes = new Set<number>();
  for (let port = 1; port <= 1000; port++) { e.set(v4, 0, 4, 4, port, 443, 0, 0); hashes.add(e.hash & 1023); }
  assert.ok(hashes.size > 550, `1000 ports fill ${hashes.size} of 1024 buckets`);
});
