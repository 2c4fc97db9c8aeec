// Every flow's state as one fixed-size record in a single ArrayBuffer, indexed by the flow's slot.
//
// Why records and not objects: a busy capture interleaves tens of thousands of open connections,
// so most packets land on a flow that is no longer in the CPU's caches. With a Flow object, two
// Endpoint objects and two typed arrays, one packet read fields spread over all of them. In a
// record the fields one packet needs sit in its first 128 bytes, nothing in it is a pointer the
// garbage collector must trace, and sequence numbers stay small integers (costs in
// bench/README.md; the misses that remain are overlapped by the engine's batches, tcpBatch). The
// Flow and Endpoint classes remain as views over a record for the cold paths (probes, reports).

/**
 * The record's sizes and endpoint offsets. A const enum, so every use compiles to the number
 * itself: an imported constant is a property load, and one that optimized code met for the first
 * time in a rare branch (a flow's first packet from b, say) threw that code away (--trace-deopt).
 */
export const enum Layout {
  /** 32-bit words per record (256 bytes: four cache lines, the first two hot, the third warm). */
  Words = 64,
  /** Float64 fields per record: word w is double w / 2. */
  Doubles = 32,
  /** Endpoint b's double fields are a's + EndpointBD, its word fields a's + EndpointBW. */
  EndpointBD = 2,
  EndpointBW = 4,
  /** Shifts of the EBit bits for endpoint a and b. */
  EA = 8,
  EB = 16,
}

/**
 * Double fields, as indexes into a record's doubles. Endpoint b's fields are a's + Layout.EndpointBD.
 * Times are Nanos since the analysis epoch; -1 is unknown (UNKNOWN_TIME).
 */
export const enum FlowDouble {
  LastTime = 0,
  /** Longest silence between two segments of the flow, ns. */
  MaxGap = 1,
  /** Last segment endpoint a received from b that was not a probe: Linux's keepalive clock. */
  LastRecvA = 2,
  /** Last segment endpoint a sent with data (not a probe). */
  LastDataA = 3,
  LastRecvB = 4,
  LastDataB = 5,
  // Warm: words 32–47, touched by a segment only when a run after an idle gap starts or is
  // answered, and loaded with the hot half by the table's prefetch (an IPv6 key's words too).
  /**
   * Gap before endpoint a's first segment that still waits for an answer (data, SYN, FIN or a
   * probe), ns; valid while FateBit.PendingA is set (fate/ reads it as the idle before a death).
   */
  PendGapA = 16,
  PendGapB = 17,
  /** Longest such gap after which the other side answered: an idle gap the path survived, ns. */
  SurvivedGap = 18,
  /**
   * Time of endpoint a's (b's) first segment of that run, stored with PendGapA (only after an
   * idle gap): from it to the flow's last segment is how long the sender kept trying.
   */
  PendStartA = 19,
  PendStartB = 20,
  // Cold: from word 48.
  FirstTime = 24,
}

/** 32-bit fields, as word indexes into a record. Endpoint b's fields are a's + Layout.EndpointBW. */
export const enum FlowWord {
  Hash = 12,
  /** Next slot + 1 in the same hash bucket; 0 ends the chain. */
  Next = 13,
  /** portA << 16 | portB. */
  Ports = 14,
  /** ipVersion | vlanOuter << 4 | vlanInner << 16 (VLAN IDs are 12 bits). */
  Key = 15,
  /** Word 0 of endpoint a's and b's address (the whole IPv4 address), as the packet's bytes. */
  A0 = 16,
  B0 = 17,
  /** Flag bits: FlowBit, and EBit shifted by Layout.EA / Layout.EB. */
  Bits = 18,
  Packets = 19,
  LastFrame = 20,
  /** Highest seq + len sent (SYN and FIN count one): the sender's snd_nxt as seen on the wire. Sequence numbers are seq32. */
  NextSeqA = 21,
  /** Highest ACK the peer sent: this endpoint's snd_una as seen on the wire. */
  AckedA = 22,
  /** Window field of the last segment sent, unscaled; -1 unknown. */
  WindowA = 23,
  // 24 and 28 are free.
  NextSeqB = 25,
  AckedB = 26,
  WindowB = 27,
  /** TTL / hop limit range of each side's segments: a's min | max << 8, b's << 16 (0: none yet). RSTs are left out. */
  TtlRange = 29,
  /** Last non-zero IPv4 ID of a (low 16 bits) and b (high 16). RSTs are left out. */
  IpId = 30,
  /** FateBit flags, and unanswered retransmissions of a (bits 16–23) and b (24–31). */
  Fate = 31,
  // Warm: words 32–41 are FlowDouble.PendGapA … PendStartB.
  /** Address words 1–3 of a and b (IPv6 only). */
  A1 = 42,
  B1 = 45,
  // Cold: words 48–63 (48–49 are FlowDouble.FirstTime).
  FirstFrame = 50,
  Id = 51,
  SynSeqA = 52,
  SynSeqB = 53,
  ZeroWindowProbes = 54,
  /** How the flow ended: End. */
  End = 55,
  /** The first RST's TTL | IP ID << 8, seq and ack. */
  RstIp = 56,
  RstSeq = 57,
  RstAck = 58,
  /** ICMP type << 8 | code of the last error about the flow. */
  Icmp = 59,
  /** Gap before a's and b's last retransmission, ms (RTO back-off). */
  RetxGapA = 60,
  RetxGapB = 61,
  /** The tunnel's tenant identifier (VNI, GRE key, …), compared only when the key has a tenant kind. */
  Tenant = 62,
}

/** Bits in FlowWord.Fate. A's bit is the one named, b's is twice it where there are two. */
export const enum FateBit {
  PendingA = 1, PendingB = 2,
  /** The side's non-zero IP IDs jumped (not a per-connection counter). */
  IpIdJumpA = 4, IpIdJumpB = 8,
  /** A later retransmission came at least twice the first one's gap after its predecessor: RTO back-off. */
  BackoffA = 16, BackoffB = 32,
  FinFirstSeen = 64, FinFirstB = 128,
  RstSeen = 256, RstFromB = 512, RstHasAck = 1024,
  /** An ICMP error about a's (or b's, IcmpAboutB) segment, not answered since; from the peer's own address. */
  Icmp = 2048, IcmpAboutB = 4096, IcmpFromPeer = 8192,
  /**
   * The waiting run started after an idle gap (at least fate/decide.ts IDLE_GAP_SECONDS), so
   * FlowDouble.PendGapA/B holds it. Shorter gaps are not stored: the doubles sit in a cold cache
   * line, and writing them for every run cost more than a third of the engine's time.
   */
  PendIdleA = 16384, PendIdleB = 32768,
  RetxShiftA = 16, RetxShiftB = 24,
}

/** Flow bits in FlowWord.Bits. */
export const enum FlowBit {
  /** The slot holds a flow the table tracks. */
  Live = 1,
  /** Endpoint a is the client (sent the SYN, or chosen by port evidence). */
  ClientIsA = 2,
  Midstream = 4,
  Closed = 8,
  FinA = 16,
  FinB = 32,
  /** Keepalive or zero-window probes seen: the flow is worth reporting without --all-flows. */
  Active = 64,
  /** The RST that ended the flow came from endpoint b (else from a). */
  RstFromB = 128,
}

/**
 * Endpoint bits in FlowWord.Bits, shifted left by Layout.EA for endpoint a and Layout.EB for b. Candidates
 * and Awaiting are the endpoint's ProberState's own state (keepalive/prober.ts writes them here), so that a packet of a flow
 * with nothing pending never leaves the record: midstream flows get a ProberState for their first probe-shaped
 * segment, and reading it on every later packet cost three more scattered objects per packet.
 */
export const enum EndpointBit {
  NextSeqKnown = 1, AckedKnown = 2, SynSeen = 4, FinSent = 8,
  /** The engine holds a ProberState for the endpoint (keepalive/prober-slots.ts). */
  HasKa = 16,
  /** It has unconfirmed probe candidates. */
  Candidates = 32,
  /** Its last probe awaits an answer. */
  Awaiting = 64,
}

/** FlowWord.End codes. */
export const enum End { Open = 0, Rst = 1, Fin = 2, Evicted = 3 }

export class FlowStore {
  i32: Int32Array;
  /** The same words unsigned: frame numbers, counts. */
  u32: Uint32Array;
  f64: Float64Array;
  private capacity: number;
  private readonly free: number[] = [];
  private used = 0;

  constructor(initial = 1024) {
    this.capacity = initial;
    const buf = new ArrayBuffer(initial * Layout.Words * 4);
    this.i32 = new Int32Array(buf);
    this.u32 = new Uint32Array(buf);
    this.f64 = new Float64Array(buf);
  }

  /** Slots handed out so far (live or free): the range a scan must cover. */
  get slots(): number { return this.used; }

  /** A zeroed slot. Slots are recycled after release(); the buffer grows fourfold when full. */
  allocate(): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    // A plain loop: TypedArray.fill with a range goes through the runtime, costly once per flow.
    const i32 = this.i32;
    for (let i = slot * Layout.Words, end = i + Layout.Words; i < end; i++) i32[i] = 0;
    return slot;
  }

  /** The slot's values stay readable until the next allocate(). */
  release(slot: number): void {
    this.free.push(slot);
  }

  /**
   * Four times the slots: every grow copies the records into memory the process has not touched
   * yet, and first touches of fresh pages are what growing costs (bench/README.md).
   */
  private grow(): void {
    this.capacity *= 4;
    const buf = new ArrayBuffer(this.capacity * Layout.Words * 4);
    const i32 = new Int32Array(buf);
    i32.set(this.i32);
    this.i32 = i32;
    this.u32 = new Uint32Array(buf);
    this.f64 = new Float64Array(buf);
  }
}
