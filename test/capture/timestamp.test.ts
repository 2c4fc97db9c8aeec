import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsConverter, tsresolDigits } from '../../src/capture/timestamp';

// Reference in BigInt, straight from the pcapng definition: value / units-per-second.
function reference(tsresol: number, offset: bigint, t: bigint): { sec: number; nsec: number } {
  const n = BigInt(tsresol & 0x7f);
  const per = (tsresol & 0x80) !== 0 ? 1n << n : 10n ** n;
  return { sec: Number(t / per + offset), nsec: Number(((t % per) * 1_000_000_000n) / per) };
}

function* samples(): Generator<bigint> {
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 2000; i++) {
    x ^= (x << 13n) & 0xffffffffffffffffn; x ^= x >> 7n; x ^= (x << 17n) & 0xffffffffffffffffn;
    yield x;
  }
  yield 0n; yield 1n; yield 0xffffffffn; yield 0x100000000n; yield 0xffffffffffffffffn;
  yield 1_700_000_000_123_456_789n; yield 1_700_000_000_999_999n; yield 0x20000000000000n + 1n;
}

/** Realistic instants (0…2^33 s, any fraction) expressed in units of `per` per second. */
function* instants(per: bigint): Generator<bigint> {
  let x = 0x2545f4914f6cdd1dn;
  for (let i = 0; i < 2000; i++) {
    x ^= (x << 13n) & 0xffffffffffffffffn; x ^= x >> 7n; x ^= (x << 17n) & 0xffffffffffffffffn;
    const t = (x >> 31n) * per + (x % per);
    if (t <= 0xffffffffffffffffn) yield t;
  }
  for (const t of [per - 1n, 1_700_000_000n * per + per - 1n]) if (t <= 0xffffffffffffffffn) yield t;
}

test('digits of a resolution: 10^-n gives n, 2^-n gives ceil(n·log10 2), both capped at 9', () => {
  assert.equal(tsresolDigits(6), 6);
  assert.equal(tsresolDigits(9), 9);
  assert.equal(tsresolDigits(12), 9);
  assert.equal(tsresolDigits(0), 0);
  assert.equal(tsresolDigits(0x80 | 10), 4); // 2^-10 ≈ 0.00098: 4 digits
  assert.equal(tsresolDigits(0x80 | 20), 7);
  assert.equal(tsresolDigits(0x80 | 30), 9); // would be 10 digits
  assert.equal(tsresolDigits(0x80 | 1), 1);
});

test('64-bit timestamps convert exactly for every resolution the fast paths cover and the BigInt ones', () => {
  let compared = 0;
  const resolutions = [0, 1, 3, 6, 9, 10, 11, 12, 13, 15, 19, 0x80, 0x80 | 1, 0x80 | 9, 0x80 | 20, 0x80 | 30, 0x80 | 32, 0x80 | 40, 0x80 | 63];
  for (const r of resolutions) {
    for (const offset of [0n, 3600n, -86400n]) {
      const conv = new TsConverter(r, Number(offset));
      const n = BigInt(r & 0x7f);
      const per = (r & 0x80) !== 0 ? 1n << n : 10n ** n;
      for (const t of [...samples(), ...instants(per)]) {
        const want = reference(r, offset, t);
        // Only instants whose seconds a double holds exactly are meaningful to compare.
        if (!Number.isSafeInteger(want.sec) || Math.abs(want.sec) > 2 ** 50) continue;
        conv.convert(Number(t >> 32n), Number(t & 0xffffffffn));
        if (conv.sec !== want.sec || conv.nsec !== want.nsec) {
          assert.fail(`tsresol 0x${r.toString(16)} offset ${offset} t ${t}: got ${conv.sec}.${conv.nsec}, want ${want.sec}.${want.nsec}`);
        }
        compared++;
      }
    }
  }
  assert.ok(compared > resolutions.length * 3 * 2000, `only ${compared} instants compared`);
});
