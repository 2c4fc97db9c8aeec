// Drives the real Analysis (decoder + engine) with frames built by test/support/frames.ts, so
// engine tests state a conversation in TCP terms and read back the events and reports.
import { Analysis, type AnalysisOptions, type AnalysisResult } from '../../src/analysis';
import type { KeepaliveEvent } from '../../src/keepalive/model';
import { LINKTYPE, tcpFrame, icmpErrorFrame, type TcpSpec, type IcmpErrorSpec } from '../support/frames';

export const T0 = 1_700_000_000;

export class Conversation {
  readonly events: KeepaliveEvent[] = [];
  private readonly analysis: Analysis;
  private frame = 0;
  /** Seconds since T0 of the next segment. */
  t = 0;

  constructor(opts: AnalysisOptions = {}, readonly base: TcpSpec = {}) {
    this.analysis = new Analysis(opts, (e) => this.events.push(e));
  }

  /** Sends one TCP segment at time `at` (seconds since T0); returns its frame number. */
  tcp(at: number, spec: TcpSpec): number {
    return this.feed(at, tcpFrame({ pad: 60, ...this.base, ...spec }));
  }

  icmp(at: number, spec: IcmpErrorSpec): number {
    return this.feed(at, icmpErrorFrame(spec));
  }

  feed(at: number, buf: Buffer): number {
    this.frame++;
    const sec = T0 + Math.floor(at);
    const nsec = Math.round((at - Math.floor(at)) * 1e9);
    this.analysis.packet(this.frame, LINKTYPE.ether, sec, nsec, 9, buf, 0, buf.length, buf.length);
    return this.frame;
  }

  finish(): AnalysisResult { return this.analysis.finish(); }

  framesOf(type: KeepaliveEvent['type']): number[] {
    return this.events.filter((e) => e.type === type).map((e) => e.frame as number);
  }
}

export const C = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 } as const;
export const S = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000 } as const;

/** Handshake plus one request/response; returns the client's and server's next sequence numbers. */
export function handshake(c: Conversation, cIsn: number, sIsn: number, at = 0, bytes = 100): { cNxt: number; sNxt: number } {
  const u = (n: number): number => n >>> 0;
  c.tcp(at, { ...C, seq: cIsn, flags: 'S', win: 64240, opts: { mss: 1460, wscale: 7 } });
  c.tcp(at + 0.001, { ...S, seq: sIsn, ack: u(cIsn + 1), flags: 'SA', win: 65160, opts: { mss: 1460, wscale: 7 } });
  c.tcp(at + 0.002, { ...C, seq: u(cIsn + 1), ack: u(sIsn + 1), flags: 'A', win: 502 });
  c.tcp(at + 0.003, { ...C, seq: u(cIsn + 1), ack: u(sIsn + 1), flags: 'PA', win: 502, payload: bytes });
  c.tcp(at + 0.004, { ...S, seq: u(sIsn + 1), ack: u(cIsn + 1 + bytes), flags: 'PA', win: 509, payload: bytes });
  c.tcp(at + 0.005, { ...C, seq: u(cIsn + 1 + bytes), ack: u(sIsn + 1 + bytes), flags: 'A', win: 502 });
  return { cNxt: u(cIsn + 1 + bytes), sNxt: u(sIsn + 1 + bytes) };
}
