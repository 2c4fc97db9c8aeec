import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundToUs } from '../../src/keepalive/report';
import { nanosToSeconds } from '../../src/units';

// Reports round durations as Number(x.toFixed(digits)); roundToUs skips the text for whole
// microseconds. Both must give the same number for every value, whole microseconds or not.
const viaText = (scaled: number, digits: number): number => Number(scaled.toFixed(digits));

test('rounding a duration to the microsecond gives what toFixed gives, whole microseconds or not', () => {
  let seed = 12345;
  const rand = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  // 100,000 values here (the mutation run repeats this test per mutant); the rule was checked over 10 M once.
  const values: number[] = [0, 500, 1000, 1500, 999_999_500, 1_000_000_000, 7_200_000_000_000, 2 ** 53 - 1];
  for (let i = 0; i < 25_000; i++) {
    const scale = [1e6, 1e9, 1e12, 1e15][i % 4];
    const ns = Math.floor(rand() * scale);
    values.push(ns, ns * 1000, ns - (ns % 1000) + 500, (ns * 2 + 1) / 2); // any, whole µs, half µs, a median's .5 ns
  }
  for (const ns of values) {
    assert.equal(roundToUs(ns, ns * 1e-9, 6), viaText(ns * 1e-9, 6), `${ns} ns in s`);
    assert.equal(roundToUs(ns, nanosToSeconds(ns), 6), viaText(nanosToSeconds(ns), 6), `${ns} ns / 1e9 in s`);
    assert.equal(roundToUs(ns, ns * 1e-6, 3), viaText(ns * 1e-6, 3), `${ns} ns in ms`);
  }
});
