// One direction of a flow record (store.ts), by name: the engine binds two of these per segment,
// the sender's (`snd`) and the receiver's (`rcv`), and reuses them for every segment, so reading
// `snd.nextSeq` or `rcv.window` costs what the word offset did and allocates nothing. One class,
// fields fixed at construction: V8 keeps its accessors monomorphic and inlines them.
import type { Nanos } from '../units';
import { EndpointBit, FlowBit, FlowDouble, FlowWord, Layout, type FlowStore } from './store';

export class SideView {
  private i32: Int32Array = new Int32Array(0);
  private f64: Float64Array = new Float64Array(0);
  /** The record's first word (its flow bits), this side's first word, first double, bit shift. */
  private r = 0;
  private w = 0;
  private d = 0;
  private shift = 0;
  /** The flow's endpoint a is this side. */
  isA = true;

  /** Points the view at side a (isA) or b of the flow in `slot`. Rebind after the store may have grown. */
  bind(store: FlowStore, slot: number, isA: boolean): this {
    // The arrays change only when the store grows: a pointer store costs a write barrier.
    if (this.i32 !== store.i32) { this.i32 = store.i32; this.f64 = store.f64; }
    this.r = slot * Layout.Words;
    this.w = this.r + (isA ? 0 : Layout.EndpointBW);
    this.d = slot * Layout.Doubles + (isA ? 0 : Layout.EndpointBD);
    this.shift = isA ? Layout.EA : Layout.EB;
    this.isA = isA;
    return this;
  }

  private set(b: EndpointBit): void { this.i32[this.r + FlowWord.Bits] |= b << this.shift; }

  /** Highest seq + len sent (SYN and FIN count one): snd_nxt as seen on the wire; valid when nextSeqKnown. */
  get nextSeq(): number { return this.i32[this.w + FlowWord.NextSeqA]; }
  get nextSeqKnown(): boolean { return (this.i32[this.r + FlowWord.Bits] & (EndpointBit.NextSeqKnown << this.shift)) !== 0; }
  /** Records snd_nxt (and that it is known). */
  setNextSeq(v: number): void { this.i32[this.w + FlowWord.NextSeqA] = v; this.set(EndpointBit.NextSeqKnown); }
  /** The highest ACK the peer sent: this side's snd_una as seen on the wire; valid when ackedKnown. */
  get acked(): number { return this.i32[this.w + FlowWord.AckedA]; }
  get ackedKnown(): boolean { return (this.i32[this.r + FlowWord.Bits] & (EndpointBit.AckedKnown << this.shift)) !== 0; }
  setAcked(v: number): void { this.i32[this.w + FlowWord.AckedA] = v; this.set(EndpointBit.AckedKnown); }
  /** The window field of the last segment this side sent, unscaled (-1 before any). */
  get window(): number { return this.i32[this.w + FlowWord.WindowA]; }
  set window(v: number) { this.i32[this.w + FlowWord.WindowA] = v; }
  get finSent(): boolean { return (this.i32[this.r + FlowWord.Bits] & (EndpointBit.FinSent << this.shift)) !== 0; }
  get synSeen(): boolean { return (this.i32[this.r + FlowWord.Bits] & (EndpointBit.SynSeen << this.shift)) !== 0; }
  /** The sequence number of this side's SYN, when synSeen. */
  get synSeq(): number { return this.i32[this.r + (this.isA ? FlowWord.SynSeqA : FlowWord.SynSeqB)]; }
  /** The flow is closed (RST, or FIN from both sides). */
  get flowClosed(): boolean { return (this.i32[this.r + FlowWord.Bits] & FlowBit.Closed) !== 0; }
  /** This side's SYN and its sequence number. */
  sawSyn(seq: number): void {
    this.set(EndpointBit.SynSeen);
    this.i32[this.r + (this.isA ? FlowWord.SynSeqA : FlowWord.SynSeqB)] = seq;
  }
  /** This side's FIN; true when the other side had sent one too (the flow is closed). */
  sawFin(): boolean {
    const both = FlowBit.FinA | FlowBit.FinB;
    const bits = this.i32[this.r + FlowWord.Bits] | (EndpointBit.FinSent << this.shift) | (this.isA ? FlowBit.FinA : FlowBit.FinB);
    this.i32[this.r + FlowWord.Bits] = bits;
    return (bits & both) === both;
  }
  /** This side's RST, which ends the flow (FlowBit.RstFromB says whose it was). */
  sawRst(): void {
    const bits = this.i32[this.r + FlowWord.Bits];
    this.i32[this.r + FlowWord.Bits] = this.isA ? bits & ~FlowBit.RstFromB : bits | FlowBit.RstFromB;
  }
  /** The last segment this side received that was not a probe (Linux's keepalive clock). */
  get lastRecv(): Nanos { return this.f64[this.d + FlowDouble.LastRecvA] as Nanos; }
  set lastRecv(t: Nanos) { this.f64[this.d + FlowDouble.LastRecvA] = t; }
  /** The last segment with data this side sent (not a probe, not a retransmission). */
  get lastData(): Nanos { return this.f64[this.d + FlowDouble.LastDataA] as Nanos; }
  set lastData(t: Nanos) { this.f64[this.d + FlowDouble.LastDataA] = t; }
  /** The keepalive engine holds a prober for this side (it probed, or sent a candidate). */
  get hasProber(): boolean { return (this.i32[this.r + FlowWord.Bits] & (EndpointBit.HasKa << this.shift)) !== 0; }
  /** The keepalive engine holds unconfirmed probe candidates from this side. */
  get hasCandidates(): boolean { return (this.i32[this.r + FlowWord.Bits] & (EndpointBit.Candidates << this.shift)) !== 0; }
  /** This side's last probe awaits its answer. */
  get awaiting(): boolean { return (this.i32[this.r + FlowWord.Bits] & (EndpointBit.Awaiting << this.shift)) !== 0; }
  /** Either of the two above. */
  get probing(): boolean { return (this.i32[this.r + FlowWord.Bits] & ((EndpointBit.Candidates | EndpointBit.Awaiting) << this.shift)) !== 0; }
}
