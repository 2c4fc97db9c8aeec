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

const of = (values: readonly number[]): Sample => { const s = new Sample(); for (const v of values) s.add(v); return s; };

// Small spreads, all within the exact range: numeric order, ties, even counts.
const rows: readonly { values: number[]; min: number; median: number; max: number }[] = [
  { values: [5], min: 5, median: 5, max: 5 },
  { values: [3, 1], min: 1, median: 2, max: 3 },
  { values: [10, 2, 7], min: 2, median: 7, max: 10 },
  { values: [4, 4, 4, 1], min: 1, median: 4, max: 4 },
  { values: [9, 8, 7, 6, 5, 4, 3, 2, 1], min: 1, median: 5, max: 9 },
  { values: [100, 20, 3], min: 3, median: 20, max: 100 }, // numeric, not text, order
  { values: Array.from({ length: 16 }, (_, i) => 16 - i), min: 1, median: 8.5, max: 16 },
];
for (const r of rows) {
  test(`sample of ${r.values.length} value(s) [${r.values.slice(0, 5).join(', ')}${r.values.length > 5 ? ', …' : ''}]: min ${r.min}, median ${r.median}, max ${r.max}`, () => {
    const s = of(r.values);
    assert.equal(s.count, r.values.length);
    assert.equal(s.min, r.min);
    assert.equal(s.median(), r.median);
    assert.equal(s.max, r.max);
  });
}

test('an empty sample has no median', () => {
  const s = new Sample();
  assert.equal(s.count, 0);
  assert.ok(Number.isNaN(s.median()));
});

test('values spanning more than the sketch\'s 4096 bins keep the high end exact to 1 %', () => {
  // γ = 1.01 / 0.99: 4096 bins span a ratio of about 3.7e35. Values from 2 ns to 1e40 ns do not fit;
  // the low ones fold into the lowest bin kept, and a median among the high ones is still within 1 %.
  const s = new Sample();
  for (let i = 0; i < 16; i++) s.add(2);
  for (let i = 0; i < 17; i++) s.add(1e40 * (1 + i / 1000));
  assert.equal(s.count, 33);
  assert.equal(s.min, 2);
  assert.equal(s.max, 1e40 * 1.016);
  const want = 1e40; // rank 16 of 0..32: the smallest of the high values
  assert.ok(Math.abs(s.median() - want) <= SKETCH_RELATIVE_ERROR * want, String(s.median()));
  // And from the other side: the high values first, then the low ones past the span.
  const t = new Sample();
  for (let i = 0; i < 17; i++) t.add(1e40);
  for (let i = 0; i < 16; i++) t.add(3);
  assert.ok(Math.abs(t.median() - 1e40) <= SKETCH_RELATIVE_ERROR * 1e40, String(t.median()));
});

test('a sketch grows its bins upwards from the first value and keeps every count', () => {
  // 17 values force the sketch; then 40 values each 10 % above the last, each past the bins so far.
  const values: number[] = [];
  for (let i = 0; i < 17; i++) values.push(1e6);
  for (let k = 1; k <= 40; k++) values.push(1e6 * 1.1 ** k);
  const s = new Sample();
  for (const v of values) s.add(v);
  const want = trueMedian(values);
  assert.ok(Math.abs(s.median() - want) <= SKETCH_RELATIVE_ERROR * want, `${s.median()} vs ${want}`);
  // Every value counted once: with as many again above them all the median is the largest's bin.
  const high = new Sample();
  for (const v of values) high.add(v);
  for (let i = 0; i < values.length + 1; i++) high.add(1e12);
  assert.ok(Math.abs(high.median() - 1e12) <= SKETCH_RELATIVE_ERROR * 1e12, String(high.median()));
  const low = new Sample();
  for (const v of values) low.add(v);
  for (let i = 0; i < values.length + 1; i++) low.add(0);
  assert.equal(low.median(), 0);
});

test('a sketch grows its bins downwards too, without pushing its low values into the lowest bin', () => {
  // 17 values force the sketch; then 40 values each 10 % below the last, each past the bins so far.
  // Measured from the array's empty top, the bins once doubled to the 4096 cap and folded the
  // lowest values up: 420,997 for a true median of 318,631.
  const values: number[] = [];
  for (let i = 0; i < 17; i++) values.push(1e6);
  for (let k = 1; k <= 40; k++) values.push(1e6 / 1.1 ** k);
  const s = new Sample();
  for (const v of values) s.add(v);
  const want = trueMedian(values);
  assert.ok(Math.abs(s.median() - want) <= SKETCH_RELATIVE_ERROR * want, `${s.median()} vs ${want}`);
  // And alternating: each new value past the other end.
  const alt: number[] = [];
  for (let i = 0; i < 17; i++) alt.push(1e6);
  for (let k = 1; k <= 30; k++) alt.push(k % 2 === 0 ? 1e6 * 1.1 ** k : 1e6 / 1.1 ** k);
  const a = new Sample();
  for (const v of alt) a.add(v);
  const wantAlt = trueMedian(alt);
  assert.ok(Math.abs(a.median() - wantAlt) <= SKETCH_RELATIVE_ERROR * wantAlt, `${a.median()} vs ${wantAlt}`);
});
