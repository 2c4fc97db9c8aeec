// A throwaway run of the engine over a short script of segments that takes its branches once each,
// done while a large capture's decode worker starts (analysis/in-worker.ts).
//
// Why: V8 optimises the engine's functions after a few thousand segments, using what those segments
// did. A branch none of them took (the first FIN, RST, probe, answer, zero-window probe, idle sweep)
// has no type feedback, so the first segment that takes it throws the optimised code away, and the
// function is compiled again, a dozen times early in a large run (--trace-deopt).
// The engine's state is all in the throwaway instance; what carries over is V8's feedback on the
// shared code. bench/README.md has the measurements.
import { DecodedPacket, TcpFlag } from '../decode/packet';
import { MAX_RECORD_WORDS, writeSegment } from '../decode/segment-record';
import { FlowKey } from '../decode/flow-key';
import { KeepaliveEngine, type EventClock } from '../keepalive/engine';

/** Times the script runs, each time on new flows: twice each over IPv4, IPv6 and a VLAN. */
const ROUNDS = 6;
/** Segments per engine batch, as the decoding side writes them. */
const BATCH = 32;

const SYN = TcpFlag.SYN, ACK = TcpFlag.ACK, FIN = TcpFlag.FIN, RST = TcpFlag.RST, PSH = TcpFlag.PSH;

/** The script's segments, written as records and handed to the engine in batches. */
class Script {
  private readonly rec = new Int32Array(BATCH * MAX_RECORD_WORDS);
  private readonly f64 = new Float64Array(this.rec.buffer);
  private readonly pkt = new DecodedPacket();
  private readonly key = new FlowKey();
  /** Addresses: endpoint a at byte 0, b at byte 16. */
  private readonly addr = Buffer.alloc(32);
  private words = 0;
  private batched = 0;
  private frame = 0;
  private now = 0;

  constructor(private readonly engine: KeepaliveEngine) {}

  /**
   * One segment of flow `flow` (IPv6 when `v6`, on VLAN `vlan` when not 0), sent by endpoint a
   * (the client, port 40000 + flow) when `fromA`, `afterS` seconds after the previous segment.
   */
  seg(flow: number, v6: boolean, vlan: number, fromA: boolean, flags: number, seq: number, ack: number,
    len: number, window: number, afterS: number): void {
    this.now += afterS * 1e9;
    const a = this.addr, p = this.pkt;
    a.fill(0);
    if (v6) {
      a.writeUInt32BE(0xfd000000, 0); a.writeUInt32BE(flow, 12); // fd00::flow
      a.writeUInt32BE(0xfd000001, 16); a.writeUInt32BE(7, 28); // fd00:1::7
    } else {
      a.writeUInt32BE(0x0a000000 + flow, 0); // 10.0.x.y
      a.writeUInt32BE(0x0a010001, 16); // 10.1.0.1
    }
    p.ipVersion = v6 ? 6 : 4;
    p.srcOff = fromA ? 0 : 16; p.dstOff = fromA ? 16 : 0;
    p.srcPort = fromA ? 40000 + flow : 443; p.dstPort = fromA ? 443 : 40000 + flow;
    p.vlanOuter = vlan; p.vlanInner = 0;
    p.flags = flags; p.seq = seq; p.ack = ack; p.payloadLen = len; p.window = window;
    this.key.set(a, p.srcOff, p.dstOff, p.ipVersion, p.srcPort, p.dstPort, p.vlanOuter, p.vlanInner);
    this.words += writeSegment(this.rec, this.f64, this.words, p, this.key, ++this.frame, this.now, this.now);
    if (++this.batched === BATCH) this.flush();
  }

  flush(): void {
    if (this.words > 0) this.engine.tcpBatch(this.rec, this.f64, 0, this.words);
    this.words = 0;
    this.batched = 0;
  }
}

/**
 * Runs the script through a new engine and returns that engine, finished (its reports and counts
 * are the script's; the caller drops it).
 */
export function warmUpEngine(rounds = ROUNDS): KeepaliveEngine {
  const clock: EventClock = { iso: () => '', rel: () => 0, epochSecond: 0, digits: 6 };
  // The options with the same fields as an analysis's (pipeline/back.ts), so the engine sees one shape.
  const opts = { idleTimeoutNs: 9000e9, maxFlows: 1_000_000, allFlows: false, reportsInMemory: undefined };
  const engine = new KeepaliveEngine(opts, clock, null);
  const s = new Script(engine);
  const ia = 1000, ib = 5000; // initial sequence numbers of a and b
  for (let round = 0; round < rounds; round++) {
    // Rounds alternate IPv4, IPv6 and IPv4 on a VLAN.
    const v6 = round % 3 === 1, vlan = round % 3 === 2 ? 100 : 0;
    for (let i = 0; i < 8; i++) {
      const f = round * 16 + i;
      // Handshake (window scale on both SYNs), 100 bytes a → b, their ACK.
      s.seg(f, v6, vlan, true, SYN, ia, 0, 0, 65535, 0.001);
      s.seg(f, v6, vlan, false, SYN | ACK, ib, ia + 1, 0, 65535, 0.001);
      s.seg(f, v6, vlan, true, ACK, ia + 1, ib + 1, 0, 512, 0.001);
      s.seg(f, v6, vlan, true, ACK | PSH, ia + 1, ib + 1, 100, 512, 0.001);
      s.seg(f, v6, vlan, false, ACK, ib + 1, ia + 101, 0, 512, 0.001);
      switch (i) {
        case 0: // a probe answered, two unanswered, then a's RST: the prober gives up
          s.seg(f, v6, vlan, true, ACK, ia + 100, ib + 1, 0, 512, 75);
          s.seg(f, v6, vlan, false, ACK, ib + 1, ia + 101, 0, 512, 0.01);
          s.seg(f, v6, vlan, true, ACK, ia + 100, ib + 1, 0, 512, 75);
          s.seg(f, v6, vlan, true, ACK, ia + 100, ib + 1, 0, 512, 10);
          s.seg(f, v6, vlan, true, RST | ACK, ia + 101, ib + 1, 0, 0, 10);
          break;
        case 1: // a 1-byte probe answered, then FIN from both sides
          s.seg(f, v6, vlan, true, ACK, ia + 100, ib + 1, 1, 512, 60);
          s.seg(f, v6, vlan, false, ACK, ib + 1, ia + 101, 0, 512, 0.01);
          s.seg(f, v6, vlan, true, FIN | ACK, ia + 101, ib + 1, 0, 512, 1);
          s.seg(f, v6, vlan, false, FIN | ACK, ib + 1, ia + 102, 0, 512, 0.01);
          s.seg(f, v6, vlan, true, ACK, ia + 102, ib + 2, 0, 512, 0.01);
          break;
        case 2: // a probe answered by RST
          s.seg(f, v6, vlan, true, ACK, ia + 100, ib + 1, 0, 512, 60);
          s.seg(f, v6, vlan, false, RST, ib + 1, 0, 0, 0, 0.01);
          break;
        case 3: // b's zero window and a's probes of it; then data and a retransmitted last byte
          s.seg(f, v6, vlan, false, ACK, ib + 1, ia + 101, 0, 0, 0.01);
          s.seg(f, v6, vlan, true, ACK, ia + 100, ib + 1, 1, 512, 0.2);
          s.seg(f, v6, vlan, true, ACK, ia + 101, ib + 1, 1, 512, 0.2);
          s.seg(f, v6, vlan, false, ACK, ib + 1, ia + 101, 0, 512, 0.01);
          s.seg(f, v6, vlan, true, ACK | PSH, ia + 101, ib + 1, 10, 512, 0.01);
          s.seg(f, v6, vlan, true, ACK | PSH, ia + 110, ib + 1, 1, 512, 0.2);
          break;
        case 4: // FIN from both sides, then a new SYN on the same tuple
          s.seg(f, v6, vlan, true, FIN | ACK, ia + 101, ib + 1, 0, 512, 1);
          s.seg(f, v6, vlan, false, FIN | ACK, ib + 1, ia + 102, 0, 512, 0.01);
          s.seg(f, v6, vlan, true, SYN, ia + 7777, 0, 0, 65535, 1);
          break;
        default: break; // plain flows: data, then quiet
      }
    }
    // Mid-stream flows (no handshake): a repeated empty segment is confirmed as a probe, then
    // answered by the peer's ACK and followed by data.
    for (let i = 8; i < 12; i++) {
      const f = round * 16 + i;
      s.seg(f, v6, vlan, true, ACK, 9000, 7000, 0, 512, 0.01);
      s.seg(f, v6, vlan, true, ACK, 9000, 7000, 0, 512, 75);
      s.seg(f, v6, vlan, false, ACK, 7000, 9001, 0, 512, 0.01);
      s.seg(f, v6, vlan, true, ACK | PSH, 9001, 7000, 20, 512, 1);
    }
    // Capture time moves on past sweeps and lingers, which retire the flows gone quiet.
    s.seg(round * 16 + 13, false, 0, true, ACK, 1, 1, 0, 512, 1000);
  }
  s.flush();
  // Reading the reports back covers their merge and building (the output's first steps).
  let reports = 0;
  for (const r of engine.finish()) reports += r.keepalive.length;
  void reports;
  return engine;
}
