// Per-connection state. One Flow per TCP connection (VLANs + addresses + ports), two Endpoints
// per flow. Allocated once per new flow; updated in place for every segment.
import type { Nanos } from '../units';
import type { ProberState } from '../keepalive/prober';
import { formatEndpoint } from './address';
import { F64, U32, type FlowStore } from './store';

export const UNKNOWN_TIME = -1 as Nanos;

/** What one side has sent, as far as the capture shows. Numbers live in the table's FlowStore. */
export class Endpoint {
  private readonly seq0: number;
  private readonly time0: number;
  constructor(private readonly store: FlowStore, slot: number, isA: boolean) {
    this.seq0 = slot * U32.Count + (isA ? U32.NextSeqA : U32.NextSeqB);
    this.time0 = slot * F64.Count + (isA ? F64.LastRecvA : F64.LastRecvB);
  }

  /** Forgets the previous connection in this slot (the store's numbers were zeroed by allocate()). */
  reset(): void {
    this.lastRecv = UNKNOWN_TIME;
    this.lastData = UNKNOWN_TIME;
    this.nextSeqKnown = false;
    this.ackedKnown = false;
    this.window = -1;
    this.wscale = -1;
    this.synSeen = false;
    this.finSent = false;
    this.ka = null;
  }

  /** Highest seq + len sent (SYN and FIN count one): the sender's snd_nxt as seen on the wire. */
  get nextSeq(): number { return this.store.u32[this.seq0]; }
  set nextSeq(v: number) { this.store.u32[this.seq0] = v; }
  nextSeqKnown = false;
  /** Highest ACK the peer sent: this endpoint's snd_una as seen on the wire. */
  get acked(): number { return this.store.u32[this.seq0 + 1]; }
  set acked(v: number) { this.store.u32[this.seq0 + 1] = v; }
  ackedKnown = false;
  /** Last advertised window, scaled when both SYNs carried window scale; -1 unknown (< 2^30: a small integer). */
  window = -1;
  /** Window scale shift from this side's SYN, -1 when its SYN was not seen or had none. */
  wscale = -1;
  synSeen = false;
  get synSeq(): number { return this.store.u32[this.seq0 + 2]; }
  set synSeq(v: number) { this.store.u32[this.seq0 + 2] = v; }
  finSent = false;
  /** Last segment received from the peer that was not a probe: Linux's keepalive clock (facts §2.3). */
  get lastRecv(): Nanos { return this.store.f64[this.time0] as Nanos; }
  set lastRecv(v: Nanos) { this.store.f64[this.time0] = v; }
  /** Last segment this side sent with data (not a probe). */
  get lastData(): Nanos { return this.store.f64[this.time0 + 1] as Nanos; }
  set lastData(v: Nanos) { this.store.f64[this.time0 + 1] = v; }
  /** Keepalive state, created at this side's first probe (or first unconfirmed candidate). */
  ka: ProberState | null = null;
}

export const enum FlowState { Open = 0, Closed = 1 }

/**
 * One TCP connection. Flow objects belong to store slots and are reused (init) by the next
 * connection in the same slot: the table then allocates nothing per connection, and old space
 * stops filling with dead flows (the 4 GiB bench capture has 190k connections, 50k at a time).
 * So a Flow must not be kept after it is retired; reports copy what they need.
 */
export class Flow {
  /** Next flow in the same hash bucket. */
  chain: Flow | null = null;

  readonly a: Endpoint;
  readonly b: Endpoint;
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
  zeroWindowProbes = 0;
  /** Keepalive or zero-window probes seen: the flow is worth reporting without --all-flows. */
  active = false;
  id = 0;
  hash = 0;
  ipVersion = 0;
  vlanOuter = 0;
  vlanInner = 0;
  portA = 0;
  portB = 0;
  private readonly f0: number;
  private readonly u0: number;

  constructor(private readonly store: FlowStore, readonly slot: number) {
    this.f0 = slot * F64.Count;
    this.u0 = slot * U32.Count;
    this.a = new Endpoint(store, slot, true);
    this.b = new Endpoint(store, slot, false);
  }

  /** Starts a new connection in this slot; the store's numbers were zeroed by allocate(). */
  init(id: number, hash: number, ipVersion: number, vlanOuter: number, vlanInner: number, portA: number, portB: number): void {
    this.id = id;
    this.hash = hash;
    this.ipVersion = ipVersion;
    this.vlanOuter = vlanOuter;
    this.vlanInner = vlanInner;
    this.portA = portA;
    this.portB = portB;
    this.chain = null;
    this.clientIsA = true;
    this.midstream = true;
    this.state = FlowState.Open;
    this.end = 'open';
    this.finA = false;
    this.finB = false;
    this.packets = 0;
    this.firstFrame = 0;
    this.lastFrame = 0;
    this.zeroWindowProbes = 0;
    this.active = false;
    this.a.reset();
    this.b.reset();
  }

  get firstTime(): Nanos { return this.store.f64[this.f0 + F64.FirstTime] as Nanos; }
  set firstTime(v: Nanos) { this.store.f64[this.f0 + F64.FirstTime] = v; }
  get lastTime(): Nanos { return this.store.f64[this.f0 + F64.LastTime] as Nanos; }
  set lastTime(v: Nanos) { this.store.f64[this.f0 + F64.LastTime] = v; }
  /** Longest silence between two segments of the flow, ns. */
  get maxGap(): number { return this.store.f64[this.f0 + F64.MaxGap]; }
  set maxGap(v: number) { this.store.f64[this.f0 + F64.MaxGap] = v; }

  /** Address word i (0–3; IPv4 uses word 0) of endpoint a or b, as the packet's 32 bits. */
  addrWord(isA: boolean, i: number): number { return this.store.u32[this.u0 + (isA ? U32.A0 : U32.B0) + i]; }
  setAddrWord(isA: boolean, i: number, v: number): void { this.store.u32[this.u0 + (isA ? U32.A0 : U32.B0) + i] = v; }

  /** `ip:port` of endpoint a or b; built on demand (events and reports only). */
  endpointName(isA: boolean): string {
    const addr = Buffer.alloc(this.ipVersion === 4 ? 4 : 16);
    for (let i = 0; i < addr.length / 4; i++) addr.writeUInt32BE(this.addrWord(isA, i), i * 4);
    return formatEndpoint(addr, isA ? this.portA : this.portB);
  }
}
