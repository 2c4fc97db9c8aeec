// The segments the HTML report's timelines draw besides the engine's events: each flow's data,
// ACKs, SYNs, FINs, RSTs and retransmissions, read back from the analysis's segment spill
// (pipeline/segment-spill.ts) for the flows the page embeds only. A flow is found by its key (the
// same text as its report's addresses, VLANs and tunnel) and its frames, first to last.
import type { FlowReport } from '../keepalive/model';
import { TcpFlag } from '../decode/packet';
import { TENANT_NAMES, tenantHasId } from '../decode/tunnel/state';
import { formatIpv4Endpoint, formatIpv6Words } from '../flow/address';
import { CLOCK_TAG, CLOCK_WORDS, CONNECTION_WORDS, SEGMENT_WORDS, SpillWord, type SegmentSpill } from '../pipeline/segment-spill';
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

/** Letters of MarkKind, by code (the pools hold codes). */
const KIND_LETTERS = 'DASFRX';
const enum Code { D = 0, A = 1, S = 2, F = 3, R = 4, X = 5 }

/** The highest sequence number each sender sent (seq32 form), once known: [known, next] per sender. */
export type SenderStates = Int32Array;

/**
 * One segment's mark, updating its sender's state (`at`: the sender's two words in `state`). A
 * retransmission carries data, SYN or FIN that starts below the highest sequence number its sender
 * had sent (tshark's tcp.analysis.retransmission with its fast and spurious kinds, and its
 * tcp.analysis.out_of_order); a segment of at most one byte at that number − 1 is keepalive-shaped,
 * never a retransmission (tshark's tcp.analysis.keep_alive), whether or not the engine found it a probe.
 */
export function markCode(state: SenderStates, at: number, seq: number, len: number, flags: number): number {
  if ((flags & TcpFlag.RST) !== 0) return Code.R;
  const syn = (flags & TcpFlag.SYN) !== 0, fin = (flags & TcpFlag.FIN) !== 0;
  let code = syn ? Code.S : fin ? Code.F : len > 0 ? Code.D : Code.A;
  const known = state[at] !== 0;
  if (known) {
    const d = seqDelta(seq, state[at + 1]);
    const keepaliveShaped = len <= 1 && !syn && !fin && d === -1;
    if (!keepaliveShaped && (len > 0 || syn || fin) && d < 0) code = Code.X;
  }
  const end = (seq + len + (syn ? 1 : 0) + (fin ? 1 : 0)) | 0;
  if (!known || seqDelta(end, state[at + 1]) > 0) { state[at + 1] = end; state[at] = 1; }
  return code;
}

/** The letter of markCode()'s result. */
export const markLetter = (code: number): MarkKind => KIND_LETTERS[code] as MarkKind;

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

/** What resolveMarks keeps of a drawn flow's report (the report itself is let go at once). */
interface Drawn { readonly id: number; readonly client: string; readonly firstFrame: number; readonly lastFrame: number }

const portOf = (endpoint: string): number => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
/** Both ports of a flow as one number, the lower first: a cheap test before a connection's key text is made. */
const portPair = (p: number, q: number): number => (p < q ? p * 65536 + q : q * 65536 + p);

/**
 * Every drawn flow's marks in shared typed arrays (nothing per segment for the collector to
 * trace): flow k owns slots [k × 2 × side, (k + 1) × 2 × side), its first `side` marks as they
 * come, then its last `side` in a ring.
 */
class MarkPool {
  readonly frames: Float64Array;
  readonly times: Float64Array;
  readonly lens: Uint16Array;
  /** Kind code | from the server << 3. */
  readonly codes: Uint8Array;
  readonly seen: Int32Array;
  /** Per flow, where its ring writes next (0 … side − 1). */
  readonly ring: Int32Array;
  /** Per flow: client's [known, next], then server's. */
  readonly states: Int32Array;

  constructor(readonly flows: number, readonly side: number) {
    const n = flows * 2 * side;
    this.frames = new Float64Array(n); this.times = new Float64Array(n);
    this.lens = new Uint16Array(n); this.codes = new Uint8Array(n);
    this.seen = new Int32Array(flows); this.ring = new Int32Array(flows); this.states = new Int32Array(flows * 4);
  }

  /** Flow k's segment; its time is at `timeAt` of `f64` (a double passed as an argument would be boxed). */
  add(k: number, frame: number, f64: Float64Array, timeAt: number, seq: number, len: number, flags: number, fromClient: boolean): void {
    const code = markCode(this.states, k * 4 + (fromClient ? 0 : 2), seq, len, flags);
    const side = this.side, seen = this.seen[k];
    this.seen[k] = seen + 1;
    let at = k * 2 * side;
    if (seen < side) at += seen;
    else {
      const r = this.ring[k];
      at += side + r;
      this.ring[k] = r + 1 === side ? 0 : r + 1;
    }
    this.frames[at] = frame; this.times[at] = f64[timeAt]; this.lens[at] = len;
    this.codes[at] = code | (fromClient ? 0 : 8);
  }

  marks(k: number, firstRecord: number): FlowMarks {
    const side = this.side, seen = this.seen[k], base = k * 2 * side;
    const n = Math.min(seen, 2 * side);
    // Once the ring has wrapped, its oldest mark is the next one to be overwritten.
    const ringStart = seen > 2 * side ? this.ring[k] : 0;
    let kinds = '', from = '';
    const frames: number[] = [], times: number[] = [], lens: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = base + (i < side ? i : side + ((ringStart + i - side) % side));
      kinds += KIND_LETTERS[this.codes[at] & 7];
      from += (this.codes[at] & 8) !== 0 ? 's' : 'c';
      frames.push(this.frames[at]); times.push(this.times[at] - firstRecord); lens.push(this.lens[at]);
    }
    return { kinds, from, frames, times, lens, segments: seen, thinned: Math.max(0, seen - 2 * side), cut: seen > 2 * side ? side : -1 };
  }
}

/** Flows that share a key, by first frame, and whether a connection's side A is each one's client. */
interface Connection {
  readonly flows: readonly number[];
  readonly aIsClient: readonly boolean[];
}

/**
 * The marks of `flows` (those the page embeds, of one analysis) from that analysis's spill, by
 * flow id; `side`: marks kept from each end of a flow.
 */
export function resolveMarks(spill: SegmentSpill, flows: Iterable<FlowReport>, side: number): Map<number, FlowMarks> {
  const byKey = new Map<string, number[]>();
  const list: Drawn[] = [];
  const ports = new Set<number>();
  for (const f of flows) {
    const k = reportKeyText(f);
    const same = byKey.get(k);
    if (same === undefined) byKey.set(k, [list.length]); else same.push(list.length);
    list.push({ id: f.id, client: f.client, firstFrame: f.firstFrame, lastFrame: f.lastFrame });
    ports.add(portPair(portOf(f.client), portOf(f.server)));
  }
  for (const same of byKey.values()) same.sort((x, y) => list[x].firstFrame - list[y].firstFrame);
  const pool = new MarkPool(list.length, side);
  if (list.length > 0) {
    const scan = new SpillScan(pool, list, byKey, ports);
    for (const piece of spill.read()) scan.piece(piece, new Float64Array(piece.buffer, piece.byteOffset, piece.length >> 1));
  }
  const out = new Map<number, FlowMarks>();
  list.forEach((f, k) => out.set(f.id, pool.marks(k, spill.firstRecord)));
  return out;
}

/** Reads the spill's entries piece by piece, handing the drawn flows' segments to the pool. */
class SpillScan {
  /** Connection serial → index in `conns` + 1 (0: none of the drawn flows has its key). */
  private connOf = new Int32Array(1024);
  private readonly conns: Connection[] = [];
  /** The frame and time (Nanos, in a typed array so that passing it on boxes nothing) of the entry just read. */
  private frame = 0;
  private readonly time = new Float64Array(1);

  constructor(private readonly pool: MarkPool, private readonly list: readonly Drawn[],
    private readonly byKey: ReadonlyMap<string, number[]>, private readonly ports: ReadonlySet<number>) {}

  piece(piece: Int32Array, f64: Float64Array): void {
    for (let w = 0; w < piece.length;) {
      const s = piece[w];
      if (s === CLOCK_TAG) {
        this.frame = piece[w + SpillWord.Frame] >>> 0;
        this.time[0] = f64[(w + SpillWord.Time) >> 1];
        w += CLOCK_WORDS;
        continue;
      }
      if (s < 0) { this.connection(piece, w); w += CONNECTION_WORDS; continue; }
      const bits = piece[w + SpillWord.Bits];
      this.frame += bits >>> 20;
      this.time[0] += piece[w + SpillWord.Ns] >>> 0;
      const c = s < this.connOf.length ? this.connOf[s] : 0;
      if (c !== 0) this.segment(this.conns[c - 1], piece, w, bits);
      w += SEGMENT_WORDS;
    }
  }

  private connection(piece: Int32Array, w: number): void {
    const serial = -1 - piece[w];
    if (serial >= this.connOf.length) {
      const grown = new Int32Array(Math.max(serial + 1, this.connOf.length * 2));
      grown.set(this.connOf);
      this.connOf = grown;
    }
    const p = piece[w + SpillWord.Ports];
    const found = this.ports.has(portPair(p >>> 16, p & 0xffff)) ? connection(piece, w, this.byKey, this.list) : null;
    if (found !== null) { this.conns.push(found); this.connOf[serial] = this.conns.length; }
  }

  private segment(conn: Connection, piece: Int32Array, w: number, bits: number): void {
    const frame = this.frame, flows = conn.flows;
    let k = 0;
    while (k < flows.length && this.list[flows[k]].lastFrame < frame) k++;
    if (k === flows.length || this.list[flows[k]].firstFrame > frame) return;
    this.pool.add(flows[k], frame, this.time, 0, piece[w + SpillWord.Seq], bits & 0xffff, (bits >>> 16) & 7,
      conn.aIsClient[k] === ((bits & (1 << 19)) === 0));
  }
}

/** The drawn flows whose key the connection entry at `w` has, or null. */
function connection(piece: Int32Array, w: number, byKey: ReadonlyMap<string, number[]>, list: readonly Drawn[]): Connection | null {
  const bits = piece[w + SpillWord.KeyBits], ports = piece[w + SpillWord.Ports];
  const v6 = (bits & 0xf) === 6;
  const name = (at: number, port: number): string =>
    (!v6 ? formatIpv4Endpoint(piece[at], port) : `[${formatIpv6Words(piece[at], piece[at + 1], piece[at + 2], piece[at + 3])}]:${port}`);
  const a = name(w + SpillWord.A0, ports >>> 16), b = name(w + SpillWord.B0, ports & 0xffff);
  const vlan: number[] = [];
  if ((bits >>> 4) & 0xfff) vlan.push((bits >>> 4) & 0xfff);
  if ((bits >>> 16) & 0xfff) vlan.push((bits >>> 16) & 0xfff);
  const kind = bits >>> 28;
  const tunnel = kind === 0 ? '' : `${TENANT_NAMES[kind]}:${tenantHasId(kind) ? piece[w + SpillWord.Tenant] >>> 0 : ''}`;
  const flows = byKey.get(flowKeyText(vlan, tunnel, a, b));
  if (flows === undefined) return null;
  return { flows, aIsClient: flows.map((k) => list[k].client === a) };
}
