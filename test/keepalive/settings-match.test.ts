// Which stack's defaults observed settings match, and which middlebox timeouts an idle sits near.
// Expected values come from README "How detection decides" (the stacks' defaults from
// keepalive-facts.md §3, the timer slack −0.05 s / +5 % + 0.25 s, the middlebox list), written out
// here rather than read from src/keepalive/settings.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferSettings, middleboxNotes } from '../../src/keepalive/settings';
import type { StackMatch } from '../../src/keepalive/model';
import { Conversation, handshake, C, S } from './scenario';

type Row = readonly [idle: number | null, interval: number | null, count: number | null, probeBytes: number, matches: StackMatch];

const stackRows: readonly Row[] = [
  // The defaults themselves.
  [7200, 75, 9, 0, 'linux'],
  [7200, 75, 8, 0, 'bsd'],
  [7200, 1, 10, 1, 'windows'],
  // Count unknown (no give-up seen): 7200/75 with 0-byte probes is reported as Linux, not BSD.
  [7200, 75, null, 0, 'linux'],
  [7200, null, null, 0, 'linux'],
  [null, 75, null, 0, 'linux'],
  [7200, null, null, 1, 'windows'],
  // One value off.
  [7200, 75, 7, 0, 'custom'],
  [7200, 75, 10, 0, 'custom'],
  [7200, 75, 8, 1, 'custom'],
  [7200, 75, 9, 1, 'custom'],
  [7200, 1, 10, 0, 'custom'],
  [7200, 1, 9, 1, 'custom'],
  [7200, 60, 9, 0, 'custom'],
  [3600, 75, 9, 0, 'custom'],
  [10_000, 75, 9, 0, 'custom'],
  [10_000, 75, null, 0, 'custom'],
  [10_000, 75, 8, 0, 'custom'],
  [10_000, 1, 10, 1, 'custom'],
  [null, null, 3, 0, 'custom'],
  // Nothing observed.
  [null, null, null, 0, null],
  [null, null, null, 1, null],
  // Timer slack: late by up to 5 % + 0.25 s, early by 0.05 s (plus capture noise), no more.
  [7200 * 1.05 + 0.2, 75, 9, 0, 'linux'],
  [7200 * 1.05 + 0.3, 75, 9, 0, 'custom'],
  [7600, 75, 9, 0, 'custom'],
  [7199.96, 75, 9, 0, 'linux'],
  [7180, 75, 9, 0, 'custom'],
  [7200, 75 * 1.05 + 0.2, 8, 0, 'bsd'],
  [7200, 75 * 1.05 + 0.3, 8, 0, 'custom'],
  [7200, 74.96, 8, 0, 'bsd'],
  [7200, 74.7, 8, 0, 'custom'],
  [7200, 1.29, 10, 1, 'windows'],
  [7200, 1.31, 10, 1, 'custom'],
  [7200, 0.96, 10, 1, 'windows'],
  [7200, 0.9, 10, 1, 'custom'],
];

for (const [idle, interval, count, bytes, matches] of stackRows) {
  test(`settings idle ${idle} s, interval ${interval} s, count ${count}, ${bytes}-byte probes: ${matches}`, () => {
    const s = inferSettings(idle, interval, count, bytes);
    assert.equal(s.matches, matches);
    assert.equal(s.idleSeconds, idle);
    assert.equal(s.intervalSeconds, interval);
    assert.equal(s.count, count);
  });
}

// README: AWS ALB/CLB 60 s, Azure LB 240 s, AWS NLB/NAT 350 s, GCP VPC firewall 600 s, GCP Cloud NAT
// 1200 s; named when the idle is at or above one, or within 20 % under it.
const MIDDLEBOX_NAMES: Readonly<Record<number, string>> = { 60: 'AWS ALB', 240: 'Azure LB', 350: 'AWS NLB', 600: 'GCP VPC firewall', 1200: 'GCP Cloud NAT' };

const bandRows: readonly { idle: number | null; above: number[]; under: number[] }[] = [
  { idle: null, above: [], under: [] },
  { idle: 10, above: [], under: [] },
  { idle: 47.9, above: [], under: [] },
  { idle: 48, above: [], under: [60] },
  { idle: 59.99, above: [], under: [60] },
  { idle: 60, above: [60], under: [] },
  { idle: 191.9, above: [60], under: [] },
  { idle: 192, above: [60], under: [240] },
  { idle: 240, above: [60, 240], under: [] },
  { idle: 279.9, above: [60, 240], under: [] },
  { idle: 280, above: [60, 240], under: [350] },
  { idle: 349.9, above: [60, 240], under: [350] },
  { idle: 350, above: [60, 240, 350], under: [] },
  { idle: 479.9, above: [60, 240, 350], under: [] },
  { idle: 480, above: [60, 240, 350], under: [600] },
  { idle: 959.9, above: [60, 240, 350, 600], under: [] },
  { idle: 960, above: [60, 240, 350, 600], under: [1200] },
  { idle: 1200, above: [60, 240, 350, 600, 1200], under: [] },
  { idle: 7200, above: [60, 240, 350, 600, 1200], under: [] },
];

for (const row of bandRows) {
  test(`middlebox notes for idle ${row.idle} s: at or above ${row.above.join('/') || '-'}, just under ${row.under.join('/') || '-'}`, () => {
    const notes = middleboxNotes(row.idle);
    const above: number[] = [], under: number[] = [];
    for (const n of notes) {
      const m = /^(at or above|just under) (.+) idle timeout (\d+) s$/.exec(n);
      assert.ok(m, `note "${n}"`);
      const secs = Number(m[3]);
      assert.ok(m[2].includes(MIDDLEBOX_NAMES[secs]), `note "${n}" names ${MIDDLEBOX_NAMES[secs]}`);
      (m[1] === 'at or above' ? above : under).push(secs);
    }
    assert.deepEqual(above, row.above);
    assert.deepEqual(under, row.under);
    assert.deepEqual(inferSettings(row.idle, null, null, 0).middleboxes, notes);
  });
}

// The same rules end to end: a conversation with the timing of each stack, its report's match.
function dyingConversation(idle: number, interval: number, count: number, bytes: number, giveUp: boolean) {
  const c = new Conversation({ idleTimeoutSeconds: 20_000 }); // longer than every idle below
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  const first = 0.004 + idle; // idle counts from the server's last segment, at 0.004 s
  for (let k = 0; k < count; k++) c.tcp(first + k * interval, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A', payload: bytes });
  if (giveUp) c.tcp(first + count * interval, { ...C, seq: cNxt, ack: sNxt, flags: 'RA' });
  return c.finish().flows[0].keepalive[0];
}

const endToEndRows: readonly { name: string; idle: number; interval: number; count: number; bytes: number; giveUp: boolean; matches: StackMatch; settingsCount: number | null }[] = [
  { name: 'Linux defaults, cut path', idle: 7200, interval: 75, count: 9, bytes: 0, giveUp: true, matches: 'linux', settingsCount: 9 },
  { name: 'BSD defaults, cut path', idle: 7200, interval: 75, count: 8, bytes: 0, giveUp: true, matches: 'bsd', settingsCount: 8 },
  { name: 'BSD timing, capture ends before the give-up', idle: 7200, interval: 75, count: 8, bytes: 0, giveUp: false, matches: 'linux', settingsCount: null },
  { name: 'Windows defaults, cut path', idle: 7200, interval: 1, count: 10, bytes: 1, giveUp: true, matches: 'windows', settingsCount: 10 },
  { name: 'Linux timing with idle 10,000 s', idle: 10_000, interval: 75, count: 9, bytes: 0, giveUp: true, matches: 'custom', settingsCount: 9 },
  { name: 'Linux timing with 1-byte probes', idle: 7200, interval: 75, count: 9, bytes: 1, giveUp: true, matches: 'custom', settingsCount: 9 },
];

for (const row of endToEndRows) {
  test(`end to end: ${row.name} matches ${row.matches}`, () => {
    const ka = dyingConversation(row.idle, row.interval, row.count, row.bytes, row.giveUp);
    assert.equal(ka.probes, row.count);
    assert.equal(ka.settings.count, row.settingsCount);
    assert.equal(ka.settings.idleSeconds, row.idle);
    assert.equal(ka.settings.intervalSeconds, row.interval);
    assert.equal(ka.settings.matches, row.matches);
  });
}

test('end to end: answered probes at 7200 s give idle only, count unknown, matched as linux', () => {
  const c = new Conversation();
  const { cNxt, sNxt } = handshake(c, 1000, 5000);
  let last = 0.004; // the server's last segment of the handshake
  for (let k = 0; k < 3; k++) {
    c.tcp(last + 7200, { ...C, seq: cNxt - 1, ack: sNxt, flags: 'A' });
    last += 7200.001;
    c.tcp(last, { ...S, seq: sNxt, ack: cNxt, flags: 'A' });
  }
  const ka = c.finish().flows[0].keepalive[0];
  assert.deepEqual(ka.settings, {
    idleSeconds: 7200, intervalSeconds: null, count: null, matches: 'linux',
    middleboxes: middleboxNotes(7200),
    // idle + interval × count needs all three: the interval and count are unknown here.
    deadPeerDetectedAfterSeconds: null,
  });
});
