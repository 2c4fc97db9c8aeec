// The traffic model: 50k concurrent TCP flows, each a small state machine whose next packet time sits
// in a heap, so the merged stream is time-ordered without sorting. Parameters follow Linux defaults
// where they matter to keepalive analysis (see /work/shared/keepalive-facts.md §2).
import { SlotHeap } from './heap';
import { Rng } from './random';
import { FlowSlots, Kind } from './slots';
import { FrameWriter, Tcp } from './frames';

const enum Step {
  Syn, SynAck, HsAck, Request, RequestAck, Response, ResponseAck,
  Probe, ProbeAck, GiveUp, Fin1, Fin2, LastAck, Reset, ZeroWindowProbe, ZeroWindowProbeAck, WindowUpdate,
}

const MS = 1000, S = 1_000_000;
const WIN = 502; // × 2^7 (SYN option) ≈ 64 KB
const MSS_PAYLOAD = 1448;
const KEEP_IDLE_S = [30, 45, 60, 75, 120, 300, 600];
const KEEP_INTVL_S = [5, 10, 15, 30, 75];
const DEAD_PROBES = [3, 5, 9]; // 9 = Linux tcp_keepalive_probes default
const SERVER_PORTS = [443, 443, 443, 80, 22, 5432, 6379, 8080];
/** Linux TCP_RTO_MAX: zero-window probe backoff stops doubling here. */
const RTO_MAX = 120 * S;
/**
 * Mean pause between request/response rounds. With 50k concurrent flows this sets the capture's
 * rate (~1k packets/s), so 1 GiB spans a couple of hours, as a busy server's day would.
 */
const THINK_MEAN = 600 * S;

/** What the generator wrote, for the cache sidecar and to sanity-check analyzers against. */
export interface TrafficStats {
  flows: number;
  flowsByKind: { plain: number; keepaliveAnswered: number; keepaliveDead: number; zeroWindow: number };
  ipv6Flows: number;
  vlanFlows: number;
  keepaliveProbes: number;
  keepaliveProbesOneByte: number;
  keepaliveAcks: number;
  deadSeriesEndedByRst: number;
  zeroWindowEpisodes: number;
  zeroWindowProbes: number;
}

export class Traffic {
  private readonly sl: FlowSlots;
  private readonly heap: SlotHeap;
  private readonly rng: Rng;
  readonly stats: TrafficStats = {
    flows: 0, flowsByKind: { plain: 0, keepaliveAnswered: 0, keepaliveDead: 0, zeroWindow: 0 },
    ipv6Flows: 0, vlanFlows: 0, keepaliveProbes: 0, keepaliveProbesOneByte: 0, keepaliveAcks: 0,
    deadSeriesEndedByRst: 0, zeroWindowEpisodes: 0, zeroWindowProbes: 0,
  };

  constructor(private readonly w: FrameWriter, slots: FlowSlots, seed: number, private readonly startUs: number) {
    this.sl = slots;
    this.rng = new Rng(seed);
    this.heap = new SlotHeap(slots.size);
    for (let s = 0; s < slots.size; s++) {
      slots.clientPort[s] = 32768 + this.rng.int(0, 27999);
      this.init(s);
      // Staggered over one think time so the capture does not open with a SYN storm.
      this.heap.key[s] = startUs + Math.round(this.rng.next() * THINK_MEAN);
    }
    this.heap.build();
  }

  /** Writes packets until the writer holds at least `bytes`; returns the last timestamp (µs). */
  run(bytes: number): number {
    const h = this.heap;
    let t = this.startUs;
    while (this.w.bytes < bytes) {
      const s = h.top();
      t = h.key[s];
      h.rekeyTop(t + Math.max(1, Math.round(this.advance(s, t))));
    }
    return t;
  }

  private init(s: number): void {
    const sl = this.sl, r = this.rng, st = this.stats;
    const k = r.next();
    const kind = k < 0.8 ? Kind.Plain : k < 0.93 ? Kind.KeepaliveAnswered : k < 0.985 ? Kind.KeepaliveDead : Kind.ZeroWindow;
    sl.kind[s] = kind;
    st.flows++;
    if (kind === Kind.Plain) st.flowsByKind.plain++;
    else if (kind === Kind.KeepaliveAnswered) st.flowsByKind.keepaliveAnswered++;
    else if (kind === Kind.KeepaliveDead) st.flowsByKind.keepaliveDead++;
    else st.flowsByKind.zeroWindow++;
    sl.step[s] = Step.Syn;
    sl.v6[s] = r.next() < 0.1 ? 1 : 0;
    if (sl.v6[s] === 1) st.ipv6Flows++;
    sl.vlan[s] = r.next() < 0.03 ? 100 + r.int(0, 20) : 0;
    if (sl.vlan[s] !== 0) st.vlanFlows++;
    sl.clientPort[s] = 32768 + ((sl.clientPort[s] - 32768 + 1) % 28000);
    sl.server[s] = r.int(0, 15);
    sl.serverPort[s] = SERVER_PORTS[r.int(0, SERVER_PORTS.length - 1)];
    sl.cNxt[s] = r.u32(); sl.sNxt[s] = r.u32();
    sl.rtt[s] = 200 + Math.min(r.exp(10 * MS), 300 * MS);
    sl.thinkMean[s] = r.next() < 0.005 ? 5 * S : THINK_MEAN;
    sl.rounds[s] = kind === Kind.ZeroWindow ? r.int(4, 12) : kind === Kind.Plain ? r.int(2, 30) : r.int(1, 10);
    sl.probes[s] = kind === Kind.KeepaliveDead ? DEAD_PROBES[r.int(0, 2)] : kind === Kind.ZeroWindow ? r.int(2, 7) : r.int(1, 4);
    sl.probeLen[s] = r.next() < 0.15 ? 1 : 0;
    sl.proberIsClient[s] = r.next() < 0.7 ? 1 : 0;
    sl.closeWithRst[s] = r.next() < 0.06 ? 1 : 0;
    sl.keepIdle[s] = KEEP_IDLE_S[r.int(0, KEEP_IDLE_S.length - 1)] * S;
    sl.keepIntvl[s] = KEEP_INTVL_S[r.int(0, KEEP_INTVL_S.length - 1)] * S;
  }

  /** Sends slot `s`'s packet due at `t`; returns the delay (µs) until its next one. */
  private advance(s: number, t: number): number {
    const sl = this.sl, w = this.w, r = this.rng, rtt = sl.rtt[s];
    const c = sl.cNxt[s], sv = sl.sNxt[s];
    switch (sl.step[s] as Step) {
      case Step.Syn:
        w.tcp(t, s, true, Tcp.SYN, c, 0, 64240, 0, false);
        sl.cNxt[s] = (c + 1) >>> 0;
        sl.step[s] = Step.SynAck; return rtt;
      case Step.SynAck:
        w.tcp(t, s, false, Tcp.SYN | Tcp.ACK, sv, c, 65160, 0, true);
        sl.sNxt[s] = (sv + 1) >>> 0;
        sl.step[s] = Step.HsAck; return 30;
      case Step.HsAck:
        w.tcp(t, s, true, Tcp.ACK, c, sv, WIN, 0, false);
        sl.step[s] = Step.Request; return r.int(100, 2000);
      case Step.Request: {
        const len = r.next() < 0.5 ? r.int(20, 200) : r.int(400, 600);
        w.tcp(t, s, true, Tcp.PSH | Tcp.ACK, c, sv, WIN, len, false);
        sl.cNxt[s] = (c + len) >>> 0;
        sl.step[s] = Step.RequestAck; return rtt;
      }
      case Step.RequestAck: {
        w.tcp(t, s, false, Tcp.ACK, sv, c, WIN, 0, true);
        const k = r.next();
        sl.burst[s] = k < 0.4 ? -1 : k < 0.7 ? -2 : r.int(1, 4); // -1 small, -2 ~500 B, n = n full segments
        sl.step[s] = Step.Response; return 50 + r.exp(2 * MS);
      }
      case Step.Response: {
        const b = sl.burst[s];
        const len = b === -1 ? r.int(1, 200) : b === -2 ? r.int(400, 600) : MSS_PAYLOAD;
        w.tcp(t, s, false, Tcp.PSH | Tcp.ACK, sv, c, WIN, len, true);
        sl.sNxt[s] = (sv + len) >>> 0;
        if (b > 1) { sl.burst[s] = b - 1; return 12; } // 1514 B back to back at 1 Gb/s
        sl.step[s] = Step.ResponseAck; return rtt;
      }
      case Step.ResponseAck:
        if (sl.kind[s] === Kind.ZeroWindow && sl.rounds[s] === 2) {
          // The client's application stopped reading: it advertises window 0 and the server,
          // with data queued and nothing in flight, starts probing after one RTO.
          w.tcp(t, s, true, Tcp.ACK, c, sv, 0, 0, false);
          this.stats.zeroWindowEpisodes++;
          sl.backoff[s] = 200 * MS + rtt;
          sl.step[s] = Step.ZeroWindowProbe; return sl.backoff[s];
        }
        w.tcp(t, s, true, Tcp.ACK, c, sv, WIN, 0, false);
        return this.endRound(s);
      case Step.ZeroWindowProbe:
        // Linux tcp_xmit_probe_skb: zero length at snd_una − 1, same as a keepalive.
        w.tcp(t, s, false, Tcp.ACK, (sv - 1) >>> 0, c, WIN, 0, true);
        this.stats.zeroWindowProbes++;
        sl.step[s] = Step.ZeroWindowProbeAck; return rtt;
      case Step.ZeroWindowProbeAck:
        w.tcp(t, s, true, Tcp.ACK, c, sv, 0, 0, false);
        if (--sl.probes[s] > 0) {
          sl.backoff[s] = Math.min(sl.backoff[s] * 2, RTO_MAX);
          sl.step[s] = Step.ZeroWindowProbe; return sl.backoff[s];
        }
        sl.step[s] = Step.WindowUpdate; return r.exp(sl.backoff[s]);
      case Step.WindowUpdate:
        w.tcp(t, s, true, Tcp.ACK, c, sv, WIN, 0, false);
        sl.kind[s] = Kind.Plain; // one episode per flow
        sl.burst[s] = 2;
        sl.step[s] = Step.Response; return rtt / 2;
      case Step.Probe: {
        // RFC 1122 4.2.3.6 / Linux tcp_xmit_probe_skb: seq = SND.UNA − 1, which the peer must ACK.
        const cl = sl.proberIsClient[s] === 1, len = sl.probeLen[s];
        w.tcp(t, s, cl, Tcp.ACK, ((cl ? c : sv) - 1) >>> 0, cl ? sv : c, WIN, len, !cl);
        this.stats.keepaliveProbes++;
        if (len === 1) this.stats.keepaliveProbesOneByte++;
        if (sl.kind[s] === Kind.KeepaliveAnswered) { sl.step[s] = Step.ProbeAck; return rtt; }
        if (--sl.probes[s] > 0) return sl.keepIntvl[s];
        sl.step[s] = Step.GiveUp; return sl.keepIntvl[s];
      }
      case Step.ProbeAck: {
        const cl = sl.proberIsClient[s] === 1;
        w.tcp(t, s, !cl, Tcp.ACK, cl ? sv : c, cl ? c : sv, WIN, 0, cl);
        this.stats.keepaliveAcks++;
        // An answered probe resets the idle clock: the next one is a full keepalive time later.
        if (--sl.probes[s] > 0) { sl.step[s] = Step.Probe; return sl.keepIdle[s]; }
        if (r.next() < 0.5) {
          sl.kind[s] = Kind.Plain; sl.rounds[s] = r.int(1, 5);
          sl.step[s] = Step.Request; return r.exp(sl.thinkMean[s]);
        }
        sl.step[s] = Step.Fin1; return r.exp(S);
      }
      case Step.GiveUp: {
        // Linux tcp_keepalive_timer → tcp_send_active_reset after the last unanswered probe.
        const cl = sl.proberIsClient[s] === 1;
        w.tcp(t, s, cl, Tcp.RST | Tcp.ACK, cl ? c : sv, cl ? sv : c, 0, 0, !cl);
        this.stats.deadSeriesEndedByRst++;
        return this.restart(s);
      }
      case Step.Reset:
        w.tcp(t, s, false, Tcp.RST | Tcp.ACK, sv, c, 0, 0, true);
        return this.restart(s);
      case Step.Fin1:
        w.tcp(t, s, true, Tcp.FIN | Tcp.ACK, c, sv, WIN, 0, false);
        sl.cNxt[s] = (c + 1) >>> 0;
        sl.step[s] = Step.Fin2; return rtt;
      case Step.Fin2:
        w.tcp(t, s, false, Tcp.FIN | Tcp.ACK, sv, c, WIN, 0, true);
        sl.sNxt[s] = (sv + 1) >>> 0;
        sl.step[s] = Step.LastAck; return 30;
      case Step.LastAck:
        w.tcp(t, s, true, Tcp.ACK, c, sv, WIN, 0, false);
        return this.restart(s);
    }
  }

  private endRound(s: number): number {
    const sl = this.sl;
    if (--sl.rounds[s] > 0) { sl.step[s] = Step.Request; return this.rng.exp(sl.thinkMean[s]); }
    const k = sl.kind[s];
    if (k === Kind.KeepaliveAnswered || k === Kind.KeepaliveDead) { sl.step[s] = Step.Probe; return sl.keepIdle[s]; }
    sl.step[s] = sl.closeWithRst[s] === 1 ? Step.Reset : Step.Fin1;
    return this.rng.exp(S);
  }

  private restart(s: number): number {
    this.init(s);
    return this.rng.exp(2 * S);
  }
}
