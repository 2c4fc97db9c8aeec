// Per-flow state of the synthetic traffic, one typed-array column per field so 50k concurrent flows
// cost a few MB and no objects. A slot is reused by a new flow (new port) when its flow ends.

export const enum Kind {
  /** Handshake, request/response rounds, FIN or RST. */
  Plain = 0,
  /** Goes idle, then keepalive probes that the peer answers with an ACK. */
  KeepaliveAnswered = 1,
  /** Goes idle, then probes nobody answers, then the prober gives up with a RST (Linux does). */
  KeepaliveDead = 2,
  /** A receiver advertises window 0; the sender probes with RTO backoff until the window opens. */
  ZeroWindow = 3,
}

export class FlowSlots {
  readonly kind: Uint8Array;
  readonly step: Uint8Array;
  readonly v6: Uint8Array;
  /** 802.1Q VLAN ID, 0 = untagged. */
  readonly vlan: Uint16Array;
  readonly clientPort: Uint16Array;
  readonly serverPort: Uint16Array;
  readonly server: Uint8Array;
  /** Next sequence number each side will send (uint32 held in a double). */
  readonly cNxt: Float64Array;
  readonly sNxt: Float64Array;
  readonly rounds: Int32Array;
  readonly probes: Int32Array;
  readonly burst: Int32Array;
  /** Payload of this flow's keepalive probes: 0 (Linux, RFC 9293 SHLD-12) or 1 garbage byte (MAY-6). */
  readonly probeLen: Uint8Array;
  readonly proberIsClient: Uint8Array;
  readonly closeWithRst: Uint8Array;
  /** Times in µs. */
  readonly keepIdle: Float64Array;
  readonly keepIntvl: Float64Array;
  readonly rtt: Float64Array;
  readonly thinkMean: Float64Array;
  readonly backoff: Float64Array;

  constructor(readonly size: number) {
    this.kind = new Uint8Array(size); this.step = new Uint8Array(size); this.v6 = new Uint8Array(size);
    this.vlan = new Uint16Array(size); this.clientPort = new Uint16Array(size);
    this.serverPort = new Uint16Array(size); this.server = new Uint8Array(size);
    this.cNxt = new Float64Array(size); this.sNxt = new Float64Array(size);
    this.rounds = new Int32Array(size); this.probes = new Int32Array(size); this.burst = new Int32Array(size);
    this.probeLen = new Uint8Array(size); this.proberIsClient = new Uint8Array(size);
    this.closeWithRst = new Uint8Array(size);
    this.keepIdle = new Float64Array(size); this.keepIntvl = new Float64Array(size);
    this.rtt = new Float64Array(size); this.thinkMean = new Float64Array(size);
    this.backoff = new Float64Array(size);
  }
}
