// The numeric state of every flow in typed arrays, indexed by the flow's slot. A flow then costs
// three small objects (Flow and its two Endpoints) instead of a dozen: V8 keeps each double or
// 32-bit field of an object in a heap box of its own, and boxes that survive a young-generation
// collection are what made tens of thousands of live flows expensive to carry.

/** Float64 fields per slot. */
export const enum F64 { FirstTime = 0, LastTime, MaxGap, LastRecvA, LastDataA, LastRecvB, LastDataB, Count }
/** Uint32 fields per slot: sequence numbers and address words. */
export const enum U32 { NextSeqA = 0, AckedA, SynSeqA, NextSeqB, AckedB, SynSeqB, A0, A1, A2, A3, B0, B1, B2, B3, Count }

export class FlowStore {
  f64: Float64Array;
  u32: Uint32Array;
  private capacity: number;
  private readonly free: number[] = [];
  private used = 0;

  constructor(initial = 1024) {
    this.capacity = initial;
    this.f64 = new Float64Array(initial * F64.Count);
    this.u32 = new Uint32Array(initial * U32.Count);
  }

  /** A cleared slot. Slots are recycled after release(); the arrays double when full. */
  allocate(): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    // Plain loops: TypedArray.fill with a range goes through the runtime, costly once per flow.
    for (let i = slot * F64.Count, end = i + F64.Count; i < end; i++) this.f64[i] = 0;
    for (let i = slot * U32.Count, end = i + U32.Count; i < end; i++) this.u32[i] = 0;
    return slot;
  }

  /** The slot's values stay readable until the next allocate(). */
  release(slot: number): void {
    this.free.push(slot);
  }

  private grow(): void {
    this.capacity *= 2;
    const f = new Float64Array(this.capacity * F64.Count);
    f.set(this.f64);
    this.f64 = f;
    const u = new Uint32Array(this.capacity * U32.Count);
    u.set(this.u32);
    this.u32 = u;
  }
}
