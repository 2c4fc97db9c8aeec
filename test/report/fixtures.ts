// Hand-built report inputs for the report tests (no engine involved).
import type { AnalysisResult } from '../../src/analysis';
import type { CaptureInfo } from '../../src/capture/types';
import type { FlowReport, KeepaliveEvent, KeepaliveReport } from '../../src/keepalive/model';
import type { AnalyzedInput } from '../../src/report/inputs';
import type { FrameNo } from '../../src/units';
import type { Fate } from '../../src/fate/model';

export const probing: KeepaliveReport = {
  prober: 'client', probes: 4, acked: 3, unanswered: 1, resets: 0, icmp: 0, probeBytes: 0,
  idleSeconds: { min: 7200, median: 7200, max: 7200 }, intervalSeconds: { min: 75, median: 75, max: 75 },
  rttMs: { min: 0.21, median: 0.21, max: 0.21 }, maxUnanswered: 1, outcome: 'alive',
  settings: { idleSeconds: 7200, intervalSeconds: 75, count: 9, matches: 'linux', middleboxes: [], deadPeerDetectedAfterSeconds: 7875 },
};

export const openFate: Fate = { how: 'open', by: null, afterIdleSeconds: null, retransmissions: 0, gaveUpAfterSeconds: null, silentAtEndSeconds: 3, clue: null, evidence: ['silent for 3.0 s when the capture ended'] };

export function makeFlow(over: Partial<FlowReport> = {}): FlowReport {
  return {
    id: 1, client: '192.0.2.1:50000', server: '[2001:db8::1]:443', vlan: [], firstFrame: 1 as FrameNo, lastFrame: 10 as FrameNo,
    firstTime: '2023-11-14T22:13:20.000000Z', lastTime: '2023-11-15T00:13:23.000000Z', midstream: false, packets: 10,
    maxIdleSeconds: 7203, zeroWindowProbes: 0, end: 'open', fate: openFate, keepalive: [probing], ...over,
  };
}

export function makeInput(index: number, flows: FlowReport[], events: KeepaliveEvent[] = [], over: Partial<CaptureInfo> = {}): AnalyzedInput {
  const capture: CaptureInfo = {
    file: `in${index}.pcap`, format: 'pcap', gzip: false, packets: 10, linkTypes: [1, 113], tsDigits: 6,
    warnings: ['reader warning'], error: null, bytesRead: 1000, ...over,
  };
  const reports = { length: flows.length, spilled: false, [Symbol.iterator]: () => flows[Symbol.iterator](), toArray: () => flows.slice(),
    eachRow: () => { throw new Error('made-up reports have no snapshot rows'); }, dispose: () => {} };
  const result: AnalysisResult = {
    reports, flows, epochSecond: 1700000000, firstTime: '2023-11-14T22:13:20.000000Z', lastTime: '2023-11-15T00:13:23.000000Z', warnings: ['engine warning'], paths: [],
    summary: {
      flows: 5, flowsWithKeepalive: flows.length, probes: 4, zeroWindowProbes: 0,
      outcomes: { alive: 1, reset: 0, icmp: 0, timeout: 0, unanswered: 0 }, evictedFlows: 0, expiredFlows: 3, nonTcpFrames: 2, duplicateFrames: 0,
      weird: { 'tcp-truncated': 1 },
    },
  };
  return { index, capture, result, flows, events };
}

export const probeEvent: KeepaliveEvent = {
  type: 'probe', frame: 5 as FrameNo, time: '2023-11-15T00:13:20.000000Z', relTime: 7200, flow: 1,
  from: '192.0.2.1:50000', to: '[2001:db8::1]:443', payloadBytes: 0, idleSeconds: 7200, series: 1, late: false,
};
export const ackEvent: KeepaliveEvent = {
  type: 'probe-ack', frame: 6 as FrameNo, time: '2023-11-15T00:13:20.000210Z', relTime: 7200.00021, flow: 1,
  from: '[2001:db8::1]:443', to: '192.0.2.1:50000', probeFrame: 5 as FrameNo, rttMs: 0.21,
};
