// How a series runs and ends (README "How detection decides": idle, interval, give-up). Rows are
// timelines in seconds; expectations follow from the rules: a probe continues the series while its
// predecessor is unanswered and nothing but probes came from the peer; an ACK or RST ends it; an
// ICMP error answers but the prober keeps probing (Linux, facts §2.6); RST or FIN with a probe
// unanswered is a give-up whose count is the series' probes; data from the prober ends it unanswered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_TIME } from '../../src/flow/flow';
import { ProberStep, proberStep, probeSent, SeriesEvent, settle } from '../../src/keepalive/series';
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
