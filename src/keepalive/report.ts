// Flow state → the report shape of the output contract (model.ts). Runs once per retired flow.
import { nanosToSeconds } from '../units';
import type { FrameNo } from '../units';
import type { Endpoint, Flow } from '../flow/flow';
import type { EventClock } from './engine';
import type { FlowReport, KeepaliveReport } from './model';
import { inferSettings } from './settings';

const NS_TO_S = 1e-9;
const NS_TO_MS = 1e-6;

function proberReport(e: Endpoint, role: 'client' | 'server'): KeepaliveReport | null {
  const pr = e.ka;
  if (pr === null || pr.probes === 0) return null;
  const idleSeconds = pr.idle.spread(NS_TO_S, 6);
  const intervalSeconds = pr.interval.spread(NS_TO_S, 6);
  return {
    prober: role,
    probes: pr.probes,
    acked: pr.acked,
    unanswered: pr.unanswered,
    resets: pr.resets,
    icmp: pr.icmp,
    probeBytes: pr.probeBytes,
    idleSeconds,
    intervalSeconds,
    rttMs: pr.rtt.spread(NS_TO_MS, 3),
    maxUnanswered: pr.maxUnanswered,
    outcome: pr.outcome ?? 'unanswered',
    settings: inferSettings(idleSeconds?.median ?? null, intervalSeconds?.median ?? null, pr.giveUpAfter, pr.probeBytes),
  };
}

export function buildFlowReport(flow: Flow, clock: EventClock): FlowReport {
  const client = flow.clientIsA ? flow.a : flow.b;
  const server = flow.clientIsA ? flow.b : flow.a;
  const keepalive: KeepaliveReport[] = [];
  const c = proberReport(client, 'client');
  if (c) keepalive.push(c);
  const s = proberReport(server, 'server');
  if (s) keepalive.push(s);
  const vlan: number[] = [];
  if (flow.vlanOuter) vlan.push(flow.vlanOuter);
  if (flow.vlanInner) vlan.push(flow.vlanInner);
  return {
    id: flow.id,
    client: flow.endpointName(flow.clientIsA),
    server: flow.endpointName(!flow.clientIsA),
    vlan,
    firstFrame: flow.firstFrame as FrameNo,
    lastFrame: flow.lastFrame as FrameNo,
    firstTime: clock.iso(flow.firstTime),
    lastTime: clock.iso(flow.lastTime),
    midstream: flow.midstream,
    packets: flow.packets,
    maxIdleSeconds: Number(nanosToSeconds(flow.maxGap).toFixed(6)),
    zeroWindowProbes: flow.zeroWindowProbes,
    end: flow.end,
    keepalive,
  };
}
