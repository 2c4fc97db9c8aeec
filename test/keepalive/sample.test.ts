// A prober's samples: exact up to 16 values, then a median within the stated relative error, with
// exact count, min and max, over distributions a flow's timings can take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sample, SKETCH_RELATIVE_ERROR } from '../../src/keepalive/sample';

function trueMedian(values: readonly number[]): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** A seeded generator (xorshift32) so failures repeat. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

test('up to 16 values the median is exact', () => {
  const r = rng(7);
  for (let n = 1; n <= 16; n++) {
    const s = new Sample();
    const values = Array.from({ length: n }, () => Math.round(r() * 1e10));
    for (const v of values) s.add(v);
    assert.equal(s.approximate, false);
    assert.equal(s.median(), trueMedian(values), `n=${n}`);
    assert.equal(s.min, Math.min(...values));
    assert.equal(s.max, Math.max(...values));
  }
});

test('past 16 values the median is within 1 % and count, min, max stay exact', () => {
  const r = rng(11);
  const kinds: Array<[string, () => number]> = [
    ['keepalive idle 75 s ± 5 ms', () => 75e9 + Math.round((r() - 0.5) * 1e7)],
    ['RTT 0.1–2 ms', () => 1e5 + r() * 1.9e6],
    ['log-uniform 1 µs–2 h', () => Math.exp(Math.log(1e3) + r() * (Math.log(7.2e12) - Math.log(1e3)))],
    ['two clusters', () => (r() < 0.5 ? 1e9 : 7.2e12) * (1 + r() * 0.01)],
    ['constant', () => 7_200_000_000_000],
  ];
  for (const [name, draw] of kinds) {
    for (const n of [17, 18, 96, 97, 1000, 20_001]) {
      const s = new Sample();
      const values: number[] = [];
      for (let i = 0; i < n; i++) { const v = draw(); values.push(v); s.add(v); }
      assert.equal(s.approximate, true);
      assert.equal(s.count, n);
      assert.equal(s.min, Math.min(...values));
      assert.equal(s.max, Math.max(...values));
      const want = trueMedian(values), got = s.median();
      assert.ok(Math.abs(got - want) <= SKETCH_RELATIVE_ERROR * want, `${name}, n=${n}: ${got} vs ${want}`);
    }
  }
});

test('zeros and sub-nanosecond values count at the bottom of the sketch', () => {
  const s = new Sample();
  for (let i = 0; i < 30; i++) s.add(0);
  for (let i = 0; i < 20; i++) s.add(5e8);
  assert.equal(s.median(), 0);
  for (let i = 0; i < 20; i++) s.add(5e8);
  assert.ok(Math.abs(s.median() - 5e8) <= SKETCH_RELATIVE_ERROR * 5e8, String(s.median()));
});
