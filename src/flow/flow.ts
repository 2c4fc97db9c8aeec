// Per-connection state. One Flow per TCP connection (VLANs + addresses + ports), two Endpoints
// per flow. Allocated once per new flow; updated in place for every segment.
import type { Nanos } from '../units';
import type { Linked } from './list';
import type { ProberState } from '../keepalive/prober';
import { formatEndpoint } from './address';

export const UNKNOWN_TIME = -1 as Nanos;

/** What one side has sent, as far as the capture shows. */
export class Endpoint {
  /** Highest seq + len sent (SYN and FIN count one): the sender's snd_nxt as seen on the wire. */
  nextSeq = 0;
  nextSeqKnown = false;
  /** Highest ACK the peer sent: this endpoint's snd_una as seen on the wire. */
  acked = 0;
  ackedKnown = false;
  /** Last advertised window, scaled when both SYNs carried window scale; -1 unknown. */
  window = -1;
  /** Window scale shift from this side's SYN, -1 when its SYN was not seen or had none. */
  wscale = -1;
  synSeen = false;
  synSeq = 0;
  finSent = false;
  /** Last segment received from the peer that was not a probe: Linux's keepalive clock (facts §2.3). */
  lastRecv: Nanos = UNKNOWN_TIME;
  /** Last segment this side sent with data (not a probe). */
  lastData: Nanos = UNKNOWN_TIME;
  /** Keepalive state, created at this side's first probe (or first unconfirmed candidate). */
  ka: ProberState | null = null;
}

export const enum FlowState { Open = 0, Closed = 1 }

export class Flow implements Linked<Flow> {
  prev: Flow | null = null;
  next: Flow | null = null;
  /** Next flow in the same hash bucket. */
  chain: Flow | null = null;

  readonly a = new Endpoint();
  readonly b = new Endpoint();
  /** True when endpoint a is the client (sent the SYN, or chosen by port evidence). */
  clientIsA = true;
  midstream = true;
  state = FlowState.Open;
  end: 'rst' | 'fin' | 'open' | 'evicted' = 'open';
  finA = false;
  finB = false;

  packets = 0;
  firstFrame = 0;
  lastFrame = 0;
  firstTime = 0 as Nanos;
  lastTime = 0 as Nanos;
  maxGap = 0;
  zeroWindowProbes = 0;
  /** Any keepalive, zero-window or unconfirmed-candidate activity: the flow is worth reporting. */
  active = false;

  // Addresses as 32-bit words (IPv4 uses a0/b0 only): no Buffer per flow, compared as numbers.
  a1 = 0; a2 = 0; a3 = 0;
  b1 = 0; b2 = 0; b3 = 0;

  constructor(
    readonly id: number,
    readonly hash: number,
    readonly ipVersion: number,
    readonly vlanOuter: number,
    readonly vlanInner: number,
    readonly a0: number,
    readonly portA: number,
    readonly b0: number,
    readonly portB: number,
  ) {}

  /** `ip:port` of endpoint a or b; built on demand (events and reports only). */
  endpointName(isA: boolean): string {
    const words = isA ? [this.a0, this.a1, this.a2, this.a3] : [this.b0, this.b1, this.b2, this.b3];
    const addr = Buffer.alloc(this.ipVersion === 4 ? 4 : 16);
    for (let i = 0; i < addr.length / 4; i++) addr.writeUInt32BE(words[i] >>> 0, i * 4);
    return formatEndpoint(addr, isA ? this.portA : this.portB);
  }
}
