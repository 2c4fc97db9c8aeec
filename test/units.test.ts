import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime, nanosSince, seq32, seqAdd, seqDelta } from '../src/units';

test('sequence arithmetic wraps modulo 2^32', () => {
  assert.equal(seqDelta(5, 0xfffffffe), 7);
  assert.equal(seqDelta(0xfffffffe, 5), -7);
  assert.equal(seqAdd(0xffffffff, 1), 0);
  assert.equal(seqAdd(0xffffffff, 2), 1);
});

test('the engine\'s signed form keeps the same 32 bits and the same distances', () => {
  assert.equal(seq32(0xffffffff), -1);
  assert.equal(seqAdd(0x7fffffff, 1), -0x80000000);
  assert.equal(seq32(0x80000000) >>> 0, 0x80000000);
  for (const [a, b] of [[5, 0xfffffffe], [0x80000001, 0x7fffffff], [0, 0xffffffff]]) {
    assert.equal(seqDelta(seq32(a), seq32(b)), seqDelta(a, b));
  }
  assert.equal(seqAdd(seq32(0xfffffffe), 1), seq32(0xffffffff));
});

test('ISO time keeps nanoseconds and handles instants before the epoch second', () => {
  const epoch = 1_700_000_000;
  assert.equal(isoTime(epoch, nanosSince(epoch, epoch + 1, 123_456_789), 9), '2023-11-14T22:13:21.123456789Z');
  assert.equal(isoTime(epoch, nanosSince(epoch, epoch + 1, 123_456_789), 6), '2023-11-14T22:13:21.123456Z');
  assert.equal(isoTime(epoch, nanosSince(epoch, epoch - 1, 500_000_000), 3), '2023-11-14T22:13:19.500Z');
});
