// How a series runs and ends (README "How detection decides": idle, interval, give-up). Rows are
// timelines in seconds; expectations follow from the rules: a probe continues the series while its
// predecessor is unanswered and nothing but probes came from the peer; an ACK or RST ends it; an
// ICMP error answers but the prober keeps probing (Linux, facts §2.6); RST or FIN with a probe
// unanswered is a give-up whose count is the series' probes; data from the prober ends it unanswered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_TIME } from '../../src/flow/flow';
import { givesUpAfterLostAnswers, ProberStep, proberStep, probeSent, SeriesEvent, settle } from '../../src/keepalive/series';
import type { Nanos } from '../../src/units';
import { newProber } from '../support/prober';

const s = (x: number): Nanos => Math.round(x * 1e9) as Nanos;

test('series: first probe after data starts a series; idle runs from the last receipt', () => {
  const pr = newProber();
  assert.equal(probeSent(pr, s(10), s(7210), 5, 99, 0), s(7200));
  assert.equal(pr.seriesLen, 1);
  assert.equal(pr.awaiting, true);
  assert.equal(pr.idle.count, 1);
});

test('series: nothing received before the first probe: no idle', () => {
  const pr = newProber();
  assert.equal(probeSent(pr, UNKNOWN_TIME, s(5), 1, 99, 0), -1);
  assert.equal(pr.idle.count, 0);
});

test('series: unanswered probes continue it; the gaps are intervals; give-up counts the series', () => {
  const pr = newProber();
  probeSent(pr, s(0), s(7200), 1, 99, 0);
  for (let i = 1; i <= 8; i++) assert.equal(probeSent(pr, s(0), s(7200 + 75 * i), 1 + i, 99, 0), -1);
  assert.equal(pr.seriesLen, 9);
  assert.equal(pr.interval.count, 8);
  assert.equal(pr.interval.median(), s(75));
  settle(pr, SeriesEvent.GaveUp, 0);
  assert.equal(pr.outcome, 'timeout');
  assert.equal(pr.giveUpAfter, 9);
  assert.equal(pr.awaiting, false);
  assert.equal(pr.maxUnanswered, 9);
  assert.equal(pr.unanswered, 9);
});

test('series: a receipt after the last probe starts a new series', () => {
  const pr = newProber();
  probeSent(pr, s(0), s(100), 1, 99, 0);
  // Something non-probe arrived at 101 s, after the probe at 100 s, without answering it.
  assert.equal(probeSent(pr, s(101), s(176), 2, 99, 0), s(75));
  assert.equal(pr.seriesLen, 1);
  assert.equal(pr.interval.count, 0);
});

const answerRows: readonly { ev: SeriesEvent; outcome: string; acked: number; resets: number }[] = [
  { ev: SeriesEvent.Acked, outcome: 'alive', acked: 1, resets: 0 },
  { ev: SeriesEvent.Reset, outcome: 'reset', acked: 0, resets: 1 },
];
for (const r of answerRows) {
  test(`series: answer ${r.outcome} ends the series with its RTT`, () => {
    const pr = newProber();
    probeSent(pr, s(0), s(100), 1, 99, 0);
    settle(pr, r.ev, 2e6);
    assert.equal(pr.outcome, r.outcome);
    assert.equal(pr.awaiting, false);
    assert.equal(pr.acked, r.acked);
    assert.equal(pr.resets, r.resets);
    assert.equal(pr.rtt.median(), 2e6);
    assert.equal(pr.runUnanswered, 0);
    settle(pr, SeriesEvent.FlowEnded, 0);
    assert.equal(pr.outcome, r.outcome); // an answered series stays answered at the end of the flow
  });
}

test('series: ICMP answers but the series goes on; the end keeps the icmp outcome', () => {
  const pr = newProber();
  probeSent(pr, s(0), s(100), 1, 99, 0);
  settle(pr, SeriesEvent.Icmp, 0);
  assert.equal(pr.awaiting, true);
  assert.equal(pr.outcome, 'icmp');
  probeSent(pr, s(0), s(175), 2, 99, 0);
  assert.equal(pr.seriesLen, 2);
  assert.equal(pr.maxUnanswered, 0); // the ICMP-answered probe is not an unanswered one
  settle(pr, SeriesEvent.Icmp, 0);
  settle(pr, SeriesEvent.FlowEnded, 0);
  assert.equal(pr.outcome, 'icmp');
  assert.equal(pr.icmp, 2);
});

test('series: flow ends with the probe unanswered', () => {
  const pr = newProber();
  probeSent(pr, s(0), s(100), 1, 99, 0);
  settle(pr, SeriesEvent.FlowEnded, 0);
  assert.equal(pr.outcome, 'unanswered');
  assert.equal(pr.awaiting, false);
  assert.equal(pr.maxUnanswered, 1);
});

test('series: data from the prober ends the series without an outcome change', () => {
  const pr = newProber();
  probeSent(pr, s(0), s(100), 1, 99, 0);
  settle(pr, SeriesEvent.DataResumed, 0);
  assert.equal(pr.awaiting, false);
  assert.equal(pr.outcome, null);
  assert.equal(pr.giveUpAfter, null);
});

const stepRows: readonly { rule: string; rstOrFin: boolean; len: number; ordinary: boolean; want: ProberStep }[] = [
  { rule: 'RST or FIN gives up', rstOrFin: true, len: 0, ordinary: true, want: ProberStep.GivesUp },
  { rule: 'FIN with data gives up', rstOrFin: true, len: 10, ordinary: true, want: ProberStep.GivesUp },
  { rule: 'new data resumes', rstOrFin: false, len: 1, ordinary: true, want: ProberStep.DataResumes },
  { rule: 'a retransmission does not resume', rstOrFin: false, len: 1, ordinary: false, want: ProberStep.Nothing },
  { rule: 'a pure ACK changes nothing', rstOrFin: false, len: 0, ordinary: true, want: ProberStep.Nothing },
];
for (const r of stepRows) {
  test(`series: prober's own segment: ${r.rule}`, () => assert.equal(proberStep(r.rstOrFin, r.len, r.ordinary), r.want));
}

// Answers lost between the capture point and the prober (issue #22, rule 4). Timelines in seconds:
// the prober's idle is 2 s, its retry interval 1 s; the peer's ACK comes 1 ms after each probe.
// A prober that got an ACK waits its idle again; one that probes 1 s after it never got it.
interface LostRow {
  readonly name: string;
  /** Probe times; each is ACKed 1 ms later when `acked` says so (all by default). */
  readonly probes: readonly number[];
  readonly acked?: readonly boolean[];
  /** The prober's RST at this time, if any. */
  readonly rstAt?: number;
  readonly outcome: string;
  readonly answersLost: number;
  readonly giveUpAfter: number | null;
  readonly intervals: number;
}
const lostRows: readonly LostRow[] = [
  { name: 'every ACK seen, probes at the retry interval, then RST: all four ACKs were lost',
    probes: [2, 3, 4, 5], rstAt: 6, outcome: 'timeout', answersLost: 4, giveUpAfter: 4, intervals: 3 },
  { name: 'probes at the retry interval after ACKs but no give-up: nothing is decided, each is answered',
    probes: [2, 3, 4, 5], outcome: 'alive', answersLost: 0, giveUpAfter: null, intervals: 0 },
  { name: 'the prober waits its idle after each ACK, then RST a full idle later: an application abort, no loss',
    probes: [2, 4.1, 6.2], rstAt: 8.3, outcome: 'alive', answersLost: 0, giveUpAfter: null, intervals: 0 },
  { name: 'RST 1 s after the only ACKed probe: no probe went on past an ACK, so no evidence of loss',
    probes: [2], rstAt: 3, outcome: 'alive', answersLost: 0, giveUpAfter: null, intervals: 0 },
  { name: 'the last probe is unanswered even on the wire: the earlier ACKs were lost, that one never came',
    probes: [2, 3, 4, 5], acked: [true, true, true, false], rstAt: 6, outcome: 'timeout', answersLost: 3, giveUpAfter: 4, intervals: 3 },
];
for (const r of lostRows) {
  test(`series, answers lost: ${r.name}`, () => {
    const pr = newProber();
    let lastRecv = s(0);
    for (let i = 0; i < r.probes.length; i++) {
      probeSent(pr, lastRecv, s(r.probes[i]), i + 1, 99, 0);
      if (r.acked?.[i] ?? true) { settle(pr, SeriesEvent.Acked, s(0.001)); lastRecv = s(r.probes[i] + 0.001); }
    }
    if (r.rstAt !== undefined) {
      if (pr.awaiting) settle(pr, SeriesEvent.GaveUp, 0);
      else if (givesUpAfterLostAnswers(pr, lastRecv, s(r.rstAt))) settle(pr, SeriesEvent.GaveUpAnswerLost, 0);
    }
    settle(pr, SeriesEvent.FlowEnded, 0);
    assert.equal(pr.outcome, r.outcome);
    assert.equal(pr.answersLost, r.answersLost);
    assert.equal(pr.giveUpAfter, r.giveUpAfter);
    assert.equal(pr.interval.count, r.intervals);
    // The idles of probes that went on at the retry interval are intervals, not idles.
    assert.equal(pr.idle.count, r.probes.length - r.intervals);
    if (r.intervals > 0) assert.equal(pr.interval.max, s(1));
  });
}

test('series, answers lost: probes sooner after an ACK than the first idle, and no give-up, keep their idles (public nest_log_sink flow 8)', () => {
  // Idle 120 s, but the first series started 240 s after the last receipt (the peer's probe in between is one the rules do not see).
  const pr = newProber();
  probeSent(pr, s(0), s(240), 1, 99, 0);
  settle(pr, SeriesEvent.Acked, s(0.05));
  probeSent(pr, s(240.05), s(360.05), 2, 99, 0);
  settle(pr, SeriesEvent.Acked, s(0.05));
  probeSent(pr, s(360.1), s(480.1), 3, 99, 0);
  settle(pr, SeriesEvent.Acked, s(0.05));
  settle(pr, SeriesEvent.FlowEnded, 0);
  assert.deepEqual([pr.outcome, pr.answersLost, pr.interval.count, pr.idle.count, pr.idle.min], ['alive', 0, 0, 3, s(120)]);
});
