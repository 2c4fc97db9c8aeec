import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime, nanosSince, seq32, seqAdd, seqDelta, type Nanos } from '../src/units';

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

test('ISO time agrees with Date.toISOString across days, years and centuries', () => {
  // Seconds spread over 1900–2200 (day edges included) and a few beyond what 4-digit years hold.
  const secs = [-2208988800, -1, 0, 1, 86399, 86400, 951782399, 951782400, 1700000000, 4102444799, 7258118400, 253402300799, 253402300800];
  for (let i = 0; i < 2000; i++) secs.push(Math.floor(-2208988800 + i * 4733104.37));
  for (const s of secs) {
    const iso = new Date(s * 1000).toISOString();
    const want = `${iso.slice(0, iso.indexOf('.'))}.250000Z`; // past 9999 the year has six digits and a sign
    assert.equal(isoTime(s, 250_000_000 as Nanos, 6), want, `second ${s}`);
    // 50 days after the epoch second, within the span a double holds to the nanosecond.
    assert.equal(isoTime(s - 50 * 86400, (50 * 86400e9 + 250_000_000) as Nanos, 6), want, `second ${s}, 50 days on`);
  }
});
