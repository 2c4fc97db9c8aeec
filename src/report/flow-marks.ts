// The segments the HTML report's timelines draw besides the engine's events: each flow's data,
// ACKs, SYNs, FINs, RSTs and retransmissions, read back from the analysis's segment spill
// (pipeline/segment-spill.ts) for the flows the page embeds only. A flow is found by its key (the
// same text as its report's addresses, VLANs and tunnel) and its frames, first to last.
import type { FlowReport } from '../keepalive/model';
import { TcpFlag } from '../decode/packet';
import { TENANT_NAMES, tenantHasId } from '../decode/tunnel/state';
import { formatEndpoint } from '../flow/address';
import { CONNECTION_WORDS, SEGMENT_WORDS, SpillWord, type SegmentSpill } from '../pipeline/segment-spill';
import { seqDelta } from '../units';

/** At most this many segment marks in a page, shared among its flows (about 20 bytes each). */
export const HTML_MAX_MARKS = 400_000;
/** A flow keeps at most this many of its first and as many of its last segments; the rest are counted. */
export const MARKS_PER_SIDE_MAX = 1000;
/** …and at least this many, however many flows share HTML_MAX_MARKS. */
export const MARKS_PER_SIDE_MIN = 8;

/** What a segment mark is, as a letter in the page's data and a name in its `data-event`. */
export const MARK_KINDS = { D: 'data', A: 'ack', S: 'syn', F: 'fin', R: 'rst', X: 'retransmission' } as const;
export type MarkKind = keyof typeof MARK_KINDS;

/** Marks kept from each end of a flow when `flows` flows share HTML_MAX_MARKS. */
export function marksPerSide(flows: number): number {
  return Math.max(MARKS_PER_SIDE_MIN, Math.min(MARKS_PER_SIDE_MAX, Math.floor(HTML_MAX_MARKS / 2 / Math.max(1, flows))));
}

/**
 * One segment's mark. A retransmission carries data, SYN or FIN that starts below the highest
 * sequence number its sender had sent (as tshark's tcp.analysis.retransmission, which splits off
 * fast and spurious ones); a segment of at most one byte at that number − 1 is keepalive-shaped,
 * never a retransmission (tshark's tcp.analysis.keep_alive), whether or not the engine found it a probe.
 */
export function markKind(state: SenderState, seq: number, len: number, flags: number): MarkKind {
  if ((flags & TcpFlag.RST) !== 0) return 'R';
  const syn = (flags & TcpFlag.SYN) !== 0, fin = (flags & TcpFlag.FIN) !== 0;
  let kind: MarkKind = syn ? 'S' : fin ? 'F' : len > 0 ? 'D' : 'A';
  if (state.known) {
    const d = seqDelta(seq, state.next);
    const keepaliveShaped = len <= 1 && !syn && !fin && d === -1;
    if (!keepaliveShaped && (len > 0 || syn || fin) && d < 0) kind = 'X';
  }
  const end = (seq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) | 0;
  if (!state.known || seqDelta(end, state.next) > 0) { state.next = end; state.known = true; }
  return kind;
}

/** A sender's highest sequence number sent so far (seq32 form), once known. */
export interface SenderState { known: boolean; next: number }

/** The marks of one flow, in capture order, for the page. */
export interface FlowMarks {
  /** One letter per mark (MARK_KINDS). */
  readonly kinds: string;
  /** One letter per mark: `c` sent by the client, `s` by the server. */
  readonly from: string;
  readonly frames: readonly number[];
  /** Nanoseconds since the capture's first record. */
  readonly times: readonly number[];
  /** Payload bytes. */
  readonly lens: readonly number[];
  /** Segments of the flow seen in all, and how many in its middle were left out (after the first `cut` marks). */
  readonly segments: number;
  readonly thinned: number;
  readonly cut: number;
}

/** The text a flow's key reads as: VLANs, tunnel, both endpoints in order. */
export function flowKeyText(vlan: readonly number[], tunnel: string, a: string, b: string): string {
  return `${vlan.join('.')}|${tunnel}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
}

const reportKeyText = (f: FlowReport): string =>
  flowKeyText(f.vlan, f.tunnel === undefined ? '' : `${f.tunnel.kind}:${f.tunnel.id ?? ''}`, f.client, f.server);

/** Collects one flow's marks: the first `side` as they come, then the last `side` in a ring. */
class Collector {
  readonly states: [SenderState, SenderState] = [{ known: false, next: 0 }, { known: false, next: 0 }];
  private readonly kinds: MarkKind[] = [];
  private readonly from: string[] = [];
  private readonly frames: number[] = [];
  private readonly times: number[] = [];
  private readonly lens: number[] = [];
  private seen = 0;

  constructor(readonly flow: FlowReport, private readonly side: number) {}

  add(frame: number, time: number, seq: number, len: number, flags: number, fromClient: boolean): void {
    const kind = markKind(this.states[fromClient ? 0 : 1], seq, len, flags);
    let at = this.seen++;
    if (at >= 2 * this.side) at = this.side + ((at - this.side) % this.side);
    this.kinds[at] = kind; this.from[at] = fromClient ? 'c' : 's';
    this.frames[at] = frame; this.times[at] = time; this.lens[at] = len;
  }

  marks(firstRecord: number): FlowMarks {
    const n = this.kinds.length, side = this.side;
    // The ring's oldest mark is at side + (seen − side) mod side once it has wrapped.
    const order: number[] = [];
    if (this.seen <= 2 * side) for (let i = 0; i < n; i++) order.push(i);
    else {
      for (let i = 0; i < side; i++) order.push(i);
      const start = side + ((this.seen - side) % side);
      for (let i = 0; i < side; i++) order.push(side + ((start - side + i) % side));
    }
    const pick = <T>(list: readonly T[]): T[] => order.map((i) => list[i]);
    return {
      kinds: pick(this.kinds).join(''), from: pick(this.from).join(''), frames: pick(this.frames),
      times: pick(this.times).map((t) => t - firstRecord), lens: pick(this.lens),
      segments: this.seen, thinned: Math.max(0, this.seen - 2 * side), cut: this.seen > 2 * side ? side : -1,
    };
  }
}

/** A connection of the spill that some drawn flows share the key of. */
interface Connection {
  /** Those flows, by first frame. */
  readonly flows: readonly Collector[];
  /** Whether the connection's side A is each flow's client. */
  readonly aIsClient: readonly boolean[];
}

/**
 * The marks of `flows` (those the page embeds, of one analysis) from that analysis's spill, by
 * flow id; `side`: marks kept from each end of a flow.
 */
export function resolveMarks(spill: SegmentSpill, flows: Iterable<FlowReport>, side: number): Map<number, FlowMarks> {
  const byKey = new Map<string, Collector[]>();
  const all: Collector[] = [];
  for (const f of flows) {
    const c = new Collector(f, side);
    all.push(c);
    const k = reportKeyText(f);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [c]); else list.push(c);
  }
  for (const list of byKey.values()) list.sort((x, y) => x.flow.firstFrame - y.flow.firstFrame);
  const conns: (Connection | undefined)[] = [];
  if (all.length > 0) {
    for (const piece of spill.read()) {
      const f64 = new Float64Array(piece.buffer, piece.byteOffset, piece.length >> 1);
      for (let w = 0; w < piece.length;) {
        const s = piece[w];
        if (s < 0) {
          const found = connection(piece, w, byKey);
          if (found !== null) conns[-1 - s] = found;
          w += CONNECTION_WORDS;
          continue;
        }
        const conn = conns[s];
        if (conn !== undefined) {
          const frame = piece[w + SpillWord.Frame] >>> 0;
          let k = 0;
          while (k < conn.flows.length && conn.flows[k].flow.lastFrame < frame) k++;
          if (k < conn.flows.length && conn.flows[k].flow.firstFrame <= frame) {
            const bits = piece[w + SpillWord.Bits];
            const fromB = (bits >>> 24) & 1;
            conn.flows[k].add(frame, f64[(w + SpillWord.Time) >> 1], piece[w + SpillWord.Seq], bits & 0xffff, (bits >>> 16) & 0xff,
              conn.aIsClient[k] === (fromB === 0));
          }
        }
        w += SEGMENT_WORDS;
      }
    }
  }
  const out = new Map<number, FlowMarks>();
  for (const c of all) out.set(c.flow.id, c.marks(spill.firstRecord));
  return out;
}

/** The drawn flows whose key the connection entry at `w` has, or null. */
function connection(piece: Int32Array, w: number, byKey: ReadonlyMap<string, Collector[]>): Connection | null {
  const bits = piece[w + SpillWord.KeyBits], ports = piece[w + SpillWord.Ports];
  const v6 = (bits & 0xf) === 6;
  const addr = (at: number): Buffer => {
    const b = Buffer.alloc(v6 ? 16 : 4);
    for (let i = 0; i < b.length / 4; i++) b.writeInt32BE(piece[at + i], i * 4);
    return b;
  };
  const a = formatEndpoint(addr(w + SpillWord.A0), ports >>> 16), b = formatEndpoint(addr(w + SpillWord.B0), ports & 0xffff);
  const vlan: number[] = [];
  if ((bits >>> 4) & 0xfff) vlan.push((bits >>> 4) & 0xfff);
  if ((bits >>> 16) & 0xfff) vlan.push((bits >>> 16) & 0xfff);
  const kind = bits >>> 28;
  const tunnel = kind === 0 ? '' : `${TENANT_NAMES[kind]}:${tenantHasId(kind) ? piece[w + SpillWord.Tenant] >>> 0 : ''}`;
  const flows = byKey.get(flowKeyText(vlan, tunnel, a, b));
  if (flows === undefined) return null;
  return { flows, aIsClient: flows.map((c) => c.flow.client === a) };
}
