// From observed timing to the keepalive settings in force and the stack defaults they match
// (keepalive-facts.md §3 and §6). Timers fire late, never early: the slack grows with the value.
import type { InferredSettings, StackMatch } from './model';
import { MIDDLEBOX_TIMEOUTS } from '../path/catalogue';

interface StackDefaults {
  readonly name: Exclude<StackMatch, 'custom' | null>;
  readonly idle: number;
  readonly interval: number;
  readonly count: number;
  readonly probeBytes: number;
}

// Windows sends one garbage byte; Linux and the BSDs none. Linux and BSD differ only in count.
const STACKS: readonly StackDefaults[] = [
  { name: 'linux', idle: 7200, interval: 75, count: 9, probeBytes: 0 },
  { name: 'bsd', idle: 7200, interval: 75, count: 8, probeBytes: 0 },
  { name: 'windows', idle: 7200, interval: 1, count: 10, probeBytes: 1 },
];

/**
 * Does an observed duration fit a configured one? Linux's timer wheel fires up to ~3.6 % late
 * at HZ=1000 (facts §6.5); the capture point adds RTT and delayed-ACK noise of a few ms either way.
 */
export function fitsTimer(observed: number, configured: number): boolean {
  return observed >= configured - 0.05 - configured * 0.002 && observed <= configured * 1.05 + 0.25;
}

/** Middlebox idle timeouts that keepalive notes name (path/catalogue.ts has the sources), smallest first. */
export const MIDDLEBOXES: readonly { readonly name: string; readonly seconds: number }[] = MIDDLEBOX_TIMEOUTS
  .filter((m) => m.note !== null)
  .filter((m, i, all) => all.findIndex((x) => x.note === m.note) === i)
  .map((m) => ({ name: m.note!, seconds: m.seconds }));

/** "just under" means within the last 20 % below the timeout. */
export function middleboxNotes(idleSeconds: number | null): string[] {
  if (idleSeconds === null) return [];
  const notes: string[] = [];
  for (const m of MIDDLEBOXES) {
    if (idleSeconds >= m.seconds) notes.push(`at or above ${m.name} idle timeout ${m.seconds} s`);
    else if (idleSeconds >= m.seconds * 0.8) notes.push(`just under ${m.name} idle timeout ${m.seconds} s`);
  }
  return notes;
}

export function inferSettings(idleSeconds: number | null, intervalSeconds: number | null,
  count: number | null, probeBytes: number): InferredSettings {
  let matches: StackMatch = null;
  if (idleSeconds !== null || intervalSeconds !== null || count !== null) {
    matches = 'custom';
    for (const s of STACKS) {
      if (s.probeBytes !== probeBytes) continue;
      if (idleSeconds !== null && !fitsTimer(idleSeconds, s.idle)) continue;
      if (intervalSeconds !== null && !fitsTimer(intervalSeconds, s.interval)) continue;
      if (count !== null && count !== s.count) continue;
      matches = s.name; // first fit wins: Linux before BSD when the count is not known
      break;
    }
  }
  const deadPeer = idleSeconds !== null && intervalSeconds !== null && count !== null
    ? Number((idleSeconds + intervalSeconds * count).toFixed(6)) : null;
  return { idleSeconds, intervalSeconds, count, matches, middleboxes: middleboxNotes(idleSeconds), deadPeerDetectedAfterSeconds: deadPeer };
}
