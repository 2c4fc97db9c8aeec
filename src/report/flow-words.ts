// The table's phrases about a flow: how it ended and who ended it, the one middlebox hint its
// silence earns, and the inferred keepalive settings.
import type { Fate } from '../fate/model';
import type { FlowReport, KeepaliveReport } from '../keepalive/model';
import { MIDDLEBOXES } from '../keepalive/settings';
import { formatDuration } from './format';

/** `rst from server`, `fin from client, unanswered`, `fin from both`, `open`, `evicted` (Zeek's RSTO/RSTR, SF, SH in words). */
export function endText(f: FlowReport): string {
  const c = f.closing;
  if (c === undefined) return f.end;
  switch (f.end) {
    case 'rst': return `rst from ${c.rstFrom ?? 'unknown'}`;
    case 'fin': return 'fin from both';
    case 'open': return c.finFrom.length === 1 ? `fin from ${c.finFrom[0]}, unanswered` : 'open';
    case 'evicted': return 'evicted';
  }
}

const FATE_WORDS: Readonly<Record<Fate['how'], string>> = {
  closed: 'closed', reset: 'RST', 'injected-reset': 'injected RST', 'keepalive-timeout': 'keepalive timeout',
  'retransmission-timeout': 'retransmission timeout', icmp: 'ICMP error', open: 'open', evicted: 'evicted',
};

/** `injected RST (middlebox) after 12.0 s idle`. */
export function fateText(f: Fate): string {
  let s = FATE_WORDS[f.how];
  if (f.by !== null) s += ` (${f.by})`;
  if (f.afterIdleSeconds !== null) s += ` after ${f.afterIdleSeconds.toFixed(1)} s idle`;
  if (f.retransmissions > 0) s += `, ${f.retransmissions} resent`;
  if (f.gaveUpAfterSeconds !== null) s += `, gave up after ${f.gaveUpAfterSeconds.toFixed(1)} s`;
  if (f.silentAtEndSeconds !== null) s += `, silent ${f.silentAtEndSeconds.toFixed(1)} s at end`;
  return s;
}

/** The flow's notes: VLAN, tunnel, midstream, how it ended and who ended it, zero-window probes. */
export function flowNotes(f: FlowReport): string[] {
  const notes: string[] = [];
  if (f.vlan.length > 0) notes.push(`vlan ${f.vlan.join('.')}`);
  if (f.tunnel !== undefined) notes.push(f.tunnel.id === undefined ? f.tunnel.kind : `${f.tunnel.kind} ${f.tunnel.id}`);
  if (f.midstream) notes.push('midstream');
  notes.push(`end ${endText(f)}`);
  if (f.continues !== undefined) notes.push(`continues #${f.continues}`);
  notes.push(`fate: ${fateText(f.fate)}`);
  if (f.zeroWindowProbes > 0) notes.push(`${f.zeroWindowProbes} zero-window probe${f.zeroWindowProbes === 1 ? '' : 's'}`);
  return notes;
}

/** Short names of the catalogue's idle timeouts (keepalive/settings.ts MIDDLEBOXES). */
const SHORT_NAMES: Readonly<Record<number, string>> = {
  60: 'AWS ALB', 240: 'Azure LB', 350: 'AWS NLB', 600: 'GCP firewall', 1200: 'GCP Cloud NAT',
};

/**
 * One phrase about the catalogue's idle timeouts, only where the flow's longest silence could
 * have met one: `idle reached AWS NLB's 350 s` (the longest it reached) or, within 20 % below the
 * shortest it did not reach, `idle just under AWS NLB's 350 s`. null otherwise.
 */
export function middleboxHint(silenceSeconds: number): string | null {
  let reached: (typeof MIDDLEBOXES)[number] | null = null;
  for (const m of MIDDLEBOXES) if (silenceSeconds >= m.seconds) reached = m;
  const name = (m: (typeof MIDDLEBOXES)[number]): string => `${SHORT_NAMES[m.seconds] ?? m.name}'s ${m.seconds} s`;
  if (reached !== null) return `idle reached ${name(reached)}`;
  const next = MIDDLEBOXES.find((m) => silenceSeconds < m.seconds);
  if (next !== undefined && silenceSeconds >= next.seconds * 0.8) return `idle just under ${name(next)}`;
  return null;
}

/**
 * Probe counts the stacks' defaults give (BSD 8, Linux 9, Windows 10). A prober that gave up after
 * fewer was cut short by TCP_USER_TIMEOUT as often as it was configured so: its timing is the same
 * either way (Linux checks both on the probe timer), so the count is only a lower bound.
 */
export const USUAL_MIN_COUNT = 8;

/** `×9`, or `count ≥ 2 or cut short by TCP_USER_TIMEOUT` when the give-up came sooner than any usual count. */
export function countText(count: number): string {
  return count < USUAL_MIN_COUNT ? `count ≥ ${count} or cut short by TCP_USER_TIMEOUT` : `×${count}`;
}

/** The settings the timing matched and, when `withTimes`, the idle and interval inferred. */
export function settingsText(k: KeepaliveReport, withTimes: boolean): string[] {
  const st = k.settings;
  const inferred: string[] = [];
  if (withTimes && st.idleSeconds !== null) inferred.push(`idle ${formatDuration(st.idleSeconds)}`);
  if (withTimes && st.intervalSeconds !== null) inferred.push(`every ${formatDuration(st.intervalSeconds)}`);
  if (st.count !== null) inferred.push(countText(st.count));
  const lines = [st.matches ?? 'no match'];
  if (inferred.length > 0) lines.push(inferred.join(', '));
  return lines;
}

/** The outcome, and the answers lost after the capture point when there were some. */
export function outcomeText(k: KeepaliveReport, sep: string): string {
  const n = k.answersLost ?? 0;
  return n === 0 ? k.outcome : `${k.outcome}${sep}${n} answer${n === 1 ? '' : 's'} lost`;
}
