// Per-connection state, as views over a FlowStore record (store.ts holds the layout and why).
// The engine's per-packet path reads and writes the record directly; probes, answers and reports
// go through these classes. One Flow (with its two Endpoints) exists per store slot and is reused
// by every connection that slot holds, so a Flow must not be kept after it is retired. What the
// keepalive engine learns about each side's probing is kept by the engine (keepalive/prober-slots.ts).
import type { Nanos } from '../units';
import { formatEndpoint } from './address';
import { FlowBit, FlowDouble, EndpointBit, Layout, FlowWord, type FlowStore } from './store';

export const UNKNOWN_TIME = -1 as Nanos;

/** FlowWord.End codes' names, indexed by End. */
export const END_NAMES = ['open', 'rst', 'fin', 'evicted'] as const;
export type FlowEnd = typeof END_NAMES[number];

/** What one side has sent, as far as the capture shows. */
export class Endpoint {
  /** The record's first word, this endpoint's first word (b's fields are shifted), its first double. */
  private readonly r: number;
  private readonly w: number;
  private readonly d: number;
  private readonly shift: number;

  constructor(private readonly store: FlowStore, readonly slot: number, readonly isA: boolean) {
    this.r = slot * Layout.Words;
    this.w = this.r + (isA ? 0 : Layout.EndpointBW);
    this.d = slot * Layout.Doubles + (isA ? 0 : Layout.EndpointBD);
    this.shift = isA ? Layout.EA : Layout.EB;
  }

  private bit(b: EndpointBit): boolean { return (this.store.i32[this.r + FlowWord.Bits] & (b << this.shift)) !== 0; }
  private setBit(b: EndpointBit, on: boolean): void {
    if (on) this.store.i32[this.r + FlowWord.Bits] |= b << this.shift; else this.store.i32[this.r + FlowWord.Bits] &= ~(b << this.shift);
  }

  get nextSeq(): number { return this.store.i32[this.w + FlowWord.NextSeqA]; }
  set nextSeq(v: number) { this.store.i32[this.w + FlowWord.NextSeqA] = v; }
  get nextSeqKnown(): boolean { return this.bit(EndpointBit.NextSeqKnown); }
  set nextSeqKnown(v: boolean) { this.setBit(EndpointBit.NextSeqKnown, v); }
  get lastRecv(): Nanos { return this.store.f64[this.d + FlowDouble.LastRecvA] as Nanos; }

  /** Whether the keepalive engine holds prober state for this side (keepalive/prober-slots.ts). */
  get hasProber(): boolean { return this.bit(EndpointBit.HasKa); }
  set hasProber(v: boolean) { this.setBit(EndpointBit.HasKa, v); }

  /**
   * Whether this side's prober has unconfirmed candidates, and whether its last probe awaits an
   * answer: kept in the record, where the per-packet path tests them (keepalive/prober.ts writes them).
   */
  get hasCandidates(): boolean { return this.bit(EndpointBit.Candidates); }
  set hasCandidates(v: boolean) { this.setBit(EndpointBit.Candidates, v); }
  get awaiting(): boolean { return this.bit(EndpointBit.Awaiting); }
  set awaiting(v: boolean) { this.setBit(EndpointBit.Awaiting, v); }
}

/** One TCP connection: a view of its store record. */
export class Flow {
  readonly a: Endpoint;
  readonly b: Endpoint;
  private readonly w: number;
  private readonly d: number;

  constructor(private readonly store: FlowStore, readonly slot: number) {
    this.w = slot * Layout.Words;
    this.d = slot * Layout.Doubles;
    this.a = new Endpoint(store, slot, true);
    this.b = new Endpoint(store, slot, false);
  }

  private bit(b: FlowBit): boolean { return (this.store.i32[this.w + FlowWord.Bits] & b) !== 0; }
  private setBit(b: FlowBit, on: boolean): void {
    if (on) this.store.i32[this.w + FlowWord.Bits] |= b; else this.store.i32[this.w + FlowWord.Bits] &= ~b;
  }

  get id(): number { return this.store.i32[this.w + FlowWord.Id]; }
  get clientIsA(): boolean { return this.bit(FlowBit.ClientIsA); }
  get midstream(): boolean { return this.bit(FlowBit.Midstream); }
  get end(): FlowEnd { return END_NAMES[this.store.i32[this.w + FlowWord.End]]; }
  set end(v: FlowEnd) { this.store.i32[this.w + FlowWord.End] = END_NAMES.indexOf(v); }
  get active(): boolean { return this.bit(FlowBit.Active); }
  set active(v: boolean) { this.setBit(FlowBit.Active, v); }
  /** Who closed: FIN from a (1), FIN from b (2), the last RST from b (4). */
  get closeBits(): number {
    return (this.bit(FlowBit.FinA) ? 1 : 0) | (this.bit(FlowBit.FinB) ? 2 : 0) | (this.bit(FlowBit.RstFromB) ? 4 : 0);
  }
  get packets(): number { return this.store.u32[this.w + FlowWord.Packets]; }
  get firstFrame(): number { return this.store.u32[this.w + FlowWord.FirstFrame]; }
  get lastFrame(): number { return this.store.u32[this.w + FlowWord.LastFrame]; }
  get zeroWindowProbes(): number { return this.store.u32[this.w + FlowWord.ZeroWindowProbes]; }
  set zeroWindowProbes(v: number) { this.store.u32[this.w + FlowWord.ZeroWindowProbes] = v; }
  get ipVersion(): number { return this.store.i32[this.w + FlowWord.Key] & 0xf; }
  get vlanOuter(): number { return (this.store.i32[this.w + FlowWord.Key] >>> 4) & 0xfff; }
  get vlanInner(): number { return (this.store.i32[this.w + FlowWord.Key] >>> 16) & 0xfff; }
  /** The tunnel the flow came through (decode/tunnel/state.ts TenantKind, 0: none) and its identifier. */
  get tenantKind(): number { return this.store.i32[this.w + FlowWord.Key] >>> 28; }
  get tenantId(): number { return this.store.i32[this.w + FlowWord.Tenant] >>> 0; }
  get portA(): number { return this.store.i32[this.w + FlowWord.Ports] >>> 16; }
  get portB(): number { return this.store.i32[this.w + FlowWord.Ports] & 0xffff; }
  get firstTime(): Nanos { return this.store.f64[this.d + FlowDouble.FirstTime] as Nanos; }
  get lastTime(): Nanos { return this.store.f64[this.d + FlowDouble.LastTime] as Nanos; }
  get maxGap(): number { return this.store.f64[this.d + FlowDouble.MaxGap]; }

  endpoint(isA: boolean): Endpoint { return isA ? this.a : this.b; }

  /** Address word i (0–3; IPv4 uses word 0) of endpoint a or b, as the packet's 32 bits. */
  addrWord(isA: boolean, i: number): number {
    const w = i === 0 ? (isA ? FlowWord.A0 : FlowWord.B0) : (isA ? FlowWord.A1 : FlowWord.B1) + i - 1;
    return this.store.i32[this.w + w];
  }

  /** `ip:port` of endpoint a or b; built on demand (events and reports only). */
  endpointName(isA: boolean): string {
    const addr = Buffer.alloc(this.ipVersion === 4 ? 4 : 16);
    for (let i = 0; i < addr.length / 4; i++) addr.writeInt32BE(this.addrWord(isA, i), i * 4);
    return formatEndpoint(addr, isA ? this.portA : this.portB);
  }
}
