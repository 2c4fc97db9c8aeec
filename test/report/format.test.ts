import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes, formatDuration, formatEpoch, formatEventTime, formatMillis, formatSpread, isoDiffSeconds,
  linkTypeName, parseIsoTime,
} from '../../src/report/format';

test('durations from an hour up are hours, minutes and whole seconds', () => {
  assert.equal(formatDuration(2 * 3600 + 3), '2h 0m 3s');
  assert.equal(formatDuration(7200), '2h 0m 0s');
  // 3599.6 s rounds to a whole hour, not to "59m 60s".
  assert.equal(formatDuration(3599.6), '1h 0m 0s');
  assert.equal(formatDuration(26 * 3600 + 61), '26h 1m 1s');
});

test('durations from ten minutes to an hour are minutes and seconds', () => {
  assert.equal(formatDuration(600), '10m 0s');
  assert.equal(formatDuration(9000 - 7200 + 59.4), '30m 59s');
});

test('durations from a second to ten minutes keep one decimal', () => {
  assert.equal(formatDuration(75), '75.0 s');
  assert.equal(formatDuration(350), '350.0 s');
  assert.equal(formatDuration(1), '1.0 s');
  assert.equal(formatDuration(60.14), '60.1 s');
});

test('sub-second durations are milliseconds with about three significant digits', () => {
  assert.equal(formatDuration(0.00021), '0.21 ms');
  assert.equal(formatDuration(0.0453), '45.3 ms');
  assert.equal(formatDuration(0.21), '210 ms');
  assert.equal(formatDuration(0.000004), '0.00 ms');
  // 999.6 ms would print as "1000 ms": one second is said in seconds.
  assert.equal(formatDuration(0.9996), '1.0 s');
  assert.equal(formatMillis(0.21), '0.21 ms');
  assert.equal(formatMillis(1500), '1.5 s');
});

test('zero, negative and missing durations', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(-75), '-75.0 s');
  assert.equal(formatDuration(null), '-');
  assert.equal(formatMillis(null), '-');
  assert.equal(formatDuration(Number.NaN), '-');
});

test('spreads show the median and the range, or one value when constant', () => {
  assert.equal(formatSpread({ min: 60, median: 60, max: 60 }, 's'), '60.0 s');
  // One unit per cell, chosen by the largest value; written once where the numbers do not carry it.
  assert.equal(formatSpread({ min: 59.9, median: 60.1, max: 7200 }, 's'), '1m 0s (1m 0s–2h 0m 0s)');
  assert.equal(formatSpread({ min: 0.2, median: 0.25, max: 12 }, 'ms'), '0.25 ms (0.20–12.0 ms)');
  assert.equal(formatSpread({ min: 998, median: 1000, max: 1200 }, 'ms'), '1.0 s (1.0–1.2 s)');
  // Three values that print the same print once.
  assert.equal(formatSpread({ min: 0.9996, median: 1.0, max: 1.0004 }, 's'), '1.0 s');
  assert.equal(formatSpread(null, 'ms'), '-');
});

test('link types are named after their LINKTYPE_ value', () => {
  // Numbers from the tcpdump.org link-layer header type list.
  assert.equal(linkTypeName(1), 'ethernet');
  assert.equal(linkTypeName(113), 'linux-sll');
  assert.equal(linkTypeName(276), 'linux-sll2');
  assert.equal(linkTypeName(101), 'raw');
  assert.equal(linkTypeName(0), 'null');
  assert.equal(linkTypeName(108), 'loop');
  assert.equal(linkTypeName(147), 'linktype-147');
});

test('epoch times keep every digit of the ISO text', () => {
  // 1700000000 is 2023-11-14T22:13:20Z.
  assert.deepEqual(parseIsoTime('2023-11-14T22:13:21.123456789Z'), { sec: 1_700_000_001, nsec: 123_456_789, digits: 9 });
  assert.equal(formatEpoch('2023-11-14T22:13:21.123456789Z'), '1700000001.123456789');
  assert.equal(formatEpoch('2023-11-14T22:13:21.000100Z'), '1700000001.000100');
  assert.equal(formatEpoch('2023-11-14T22:13:21Z'), '1700000001');
  // 1969-12-31T23:59:58.750Z is 1.25 s before the epoch.
  assert.equal(formatEpoch('1969-12-31T23:59:58.750Z'), '-1.250');
  assert.equal(parseIsoTime('yesterday'), null);
});

test('ISO differences are exact below a microsecond', () => {
  const d = isoDiffSeconds('2023-11-14T22:13:20.999999999Z', '2023-11-14T22:13:21.000000001Z');
  assert.ok(d !== null && Math.abs(d - 2e-9) < 1e-12, String(d));
  assert.equal(isoDiffSeconds('2023-11-14T22:13:20Z', '2023-11-14T23:13:20Z'), 3600);
});

test('event times follow --time like tshark -t', () => {
  const iso = '2023-11-14T22:13:21.123456Z';
  assert.equal(formatEventTime('absolute', iso, 12.5, 6), iso);
  assert.equal(formatEventTime('relative', iso, 12.5, 6), '12.500000');
  assert.equal(formatEventTime('epoch', iso, 12.5, 6), '1700000001.123456');
});

test('byte counts use SI prefixes', () => {
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(12_345_678), '12.3 MB');
});
