// The JSON text of one flow, written as bytes straight from its snapshot row (keepalive/report.ts):
// the same text as `{ capture, ...buildFlowReport(row) }` stringified at its depth in the report
// (json.ts), without the report objects, their strings and the text's UTF-8 copy, which makes
// writing the flows cheaper than building and stringifying the reports (bench/README.md). Times and
// IPv4 endpoints are written digit by digit rather than made as strings first: those strings were
// half of what writing a flow allocated. Every value comes
// from the row reader buildFlowReport uses (SnapshotRow); test/report/flow-json.test.ts checks the bytes against
// the stringified report on every bundled capture and on made-up rows for the rare shapes.
import { ProberSample, SnapshotRow } from '../keepalive/report';
import { fateOf } from '../keepalive/fate-row';
import type { Fate } from '../fate/model';
import { isoDay, isoTime, NS_PER_SEC, SEC_PER_DAY, type Nanos } from '../units';

/**
 * Most bytes one flow's text takes. The longest flow (IPv6 endpoints, two VLAN tags, both ends
 * probing with every middlebox note) is under 3 KiB; the caller keeps this much room free.
 */
export const FLOW_JSON_MAX_BYTES = 8192;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const indent = (depth: number): string => `\n${'  '.repeat(depth)}`;
/** `,` (unless first), a new line at `depth` and `"name": `, as bytes. */
const key = (name: string, depth: number, first = false): Uint8Array =>
  ascii(`${first ? '' : ','}${indent(depth)}${JSON.stringify(name)}: `);

// Depths as in the report: a flow's fields at 3, a prober's at 5, a spread's and settings' at 6.
const FLOW_OPEN = ascii(`{${indent(3)}"capture": `);
const ID = key('id', 3), CLIENT = key('client', 3), SERVER = key('server', 3), VLAN = key('vlan', 3);
const TUNNEL = key('tunnel', 3), TUNNEL_KIND = key('kind', 4, true), TUNNEL_ID = key('id', 4), TUNNEL_CLOSE = ascii(indent(3) + '}');
const FIRST_FRAME = key('firstFrame', 3), LAST_FRAME = key('lastFrame', 3);
const FIRST_TIME = key('firstTime', 3), LAST_TIME = key('lastTime', 3), MIDSTREAM = key('midstream', 3);
const PACKETS = key('packets', 3), MAX_IDLE = key('maxIdleSeconds', 3), ZERO_WINDOW = key('zeroWindowProbes', 3);
const END = key('end', 3), CONTINUES = key('continues', 3), KEEPALIVE = key('keepalive', 3), FLOW_CLOSE = ascii(indent(2) + '}');
const PROBER = key('prober', 5, true), PROBES = key('probes', 5), ACKED = key('acked', 5), UNANSWERED = key('unanswered', 5);
const RESETS = key('resets', 5), ICMP = key('icmp', 5), PROBE_BYTES = key('probeBytes', 5);
const IDLE = key('idleSeconds', 5), INTERVAL = key('intervalSeconds', 5), RTT = key('rttMs', 5);
const MAX_UNANSWERED = key('maxUnanswered', 5), OUTCOME = key('outcome', 5), SETTINGS = key('settings', 5);
const ANSWERS_LOST = key('answersLost', 5);
const S_IDLE = key('idleSeconds', 6, true), S_INTERVAL = key('intervalSeconds', 6), S_COUNT = key('count', 6);
const S_MATCHES = key('matches', 6), S_MIDDLEBOXES = key('middleboxes', 6), S_DEAD_PEER = key('deadPeerDetectedAfterSeconds', 6);
const FATE = key('fate', 3), FATE_HOW = key('how', 4, true), FATE_BY = key('by', 4), FATE_AFTER = key('afterIdleSeconds', 4);
const FATE_GAVE_UP = key('gaveUpAfterSeconds', 4), FATE_RETX = key('retransmissions', 4), FATE_SILENT = key('silentAtEndSeconds', 4), FATE_CLUE = key('clue', 4);
const FATE_EVIDENCE = key('evidence', 4), FATE_CLOSE = ascii(indent(3) + '}');
const EVIDENCE_ITEM = ascii(indent(5)), EVIDENCE_NEXT = ascii(',' + indent(5)), EVIDENCE_CLOSE = ascii(indent(4) + ']');
const MIN = key('min', 6, true), MEDIAN = key('median', 6), MAX = key('max', 6);
const OBJECT_CLOSE = ascii(indent(5) + '}');
const PROBERS_OPEN = ascii(`[${indent(4)}{`), PROBERS_NEXT = ascii(`${indent(4)}},${indent(4)}{`);
const PROBERS_CLOSE = ascii(`${indent(4)}}${indent(3)}]`);
const NULL = ascii('null'), TRUE = ascii('true'), FALSE = ascii('false'), EMPTY_LIST = ascii('[]');
const VLAN_ITEM = ascii(indent(4)), VLAN_NEXT = ascii(',' + indent(4)), VLAN_CLOSE = ascii(indent(3) + ']');
const NOTE_ITEM = ascii(indent(7)), NOTE_NEXT = ascii(',' + indent(7)), NOTE_CLOSE = ascii(indent(6) + ']');
const ROLES = [ascii('"client"'), ascii('"server"')];

/** Writes `b` at `p`; returns the position after it. */
function bytes(buf: Uint8Array, p: number, b: Uint8Array): number {
  buf.set(b, p);
  return p + b.length;
}

/** A non-negative integer below 2^53, in decimal. */
function whole(buf: Uint8Array, p: number, n: number): number {
  let digits = 1;
  for (let d = 10; d <= n; d *= 10) digits++;
  const end = p + digits;
  for (let i = end - 1; i >= p; i--) {
    const q = Math.floor(n / 10);
    buf[i] = 48 + (n - q * 10);
    n = q;
  }
  return end;
}

/**
 * `n` as JSON.stringify writes it. Integers and whole numbers of millionths (every duration of a
 * µs capture, in seconds or ms) are written digit by digit; anything else goes through String().
 * A value x equal to r / 10^6 for an integer 0 < r < 10^15 prints as r's digits with the point six
 * places from the right and trailing zeros dropped: that decimal has at most 15 significant
 * digits, so it is the shortest one that reads back as x, which is what String() prints.
 */
export function writeNumber(buf: Uint8Array, p: number, n: number): number {
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) {
    if (n < 0) { buf[p++] = 45; n = -n; }
    return whole(buf, p, n);
  }
  if (!Number.isFinite(n)) return bytes(buf, p, NULL);
  const r = Math.round(n * 1e6);
  if (r > 0 && r < 1e15 && r / 1e6 === n) {
    const units = Math.floor(r / 1e6);
    let frac = r - units * 1e6;
    p = whole(buf, p, units);
    buf[p++] = 46; // frac > 0: n is not an integer
    for (let d = 100000; frac > 0; d /= 10) {
      const q = Math.floor(frac / d);
      buf[p++] = 48 + q;
      frac -= q * d;
    }
    return p;
  }
  return writeAscii(buf, p, String(n));
}

/** Text known to be ASCII (digits, signs, letters of an exponent). */
function writeAscii(buf: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[p + i] = s.charCodeAt(i);
  return p + s.length;
}

/** `s` as a JSON string. The report's strings are printable ASCII; anything else goes through JSON.stringify. */
function writeString(buf: Uint8Array, p: number, s: string): number {
  buf[p] = 34;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 34 || c === 92) return p + Buffer.from(JSON.stringify(s)).copy(buf, p);
    buf[p + 1 + i] = c;
  }
  buf[p + 1 + s.length] = 34;
  return p + s.length + 2;
}

/** Two decimal digits of 0 ≤ n < 100. */
function twoDigits(buf: Uint8Array, p: number, n: number): number {
  const tens = Math.floor(n / 10);
  buf[p] = 48 + tens;
  buf[p + 1] = 48 + n - tens * 10;
  return p + 2;
}

/** The last day's `YYYY-MM-DDT` (units.ts isoDay) as bytes. */
let dayText = '';
let dayBytes: Uint8Array = new Uint8Array(0);

/** isoTime(epochSec, t, digits) as a JSON string, without making the string. */
function writeTime(buf: Uint8Array, p: number, epochSec: number, t: number, digits: number): number {
  let sec = epochSec + Math.floor(t / NS_PER_SEC);
  let ns = t - Math.floor(t / NS_PER_SEC) * NS_PER_SEC;
  if (ns < 0) { ns += NS_PER_SEC; sec -= 1; }
  if (!(ns >= 0 && ns < NS_PER_SEC)) ns = 0; // as isoTime, past 2^53 ns
  const day = Math.floor(sec / SEC_PER_DAY);
  const date = isoDay(day);
  if (date[10] !== 'T') return writeString(buf, p, isoTime(epochSec, t as Nanos, digits));
  if (date !== dayText) { dayText = date; dayBytes = ascii(date); }
  buf[p++] = 34;
  p = bytes(buf, p, dayBytes);
  const s = sec - day * SEC_PER_DAY;
  p = twoDigits(buf, p, Math.floor(s / 3600)); buf[p++] = 58;
  p = twoDigits(buf, p, Math.floor(s / 60) % 60); buf[p++] = 58;
  p = twoDigits(buf, p, s % 60);
  if (digits > 0) {
    // The first `digits` of the nanoseconds written with nine digits.
    buf[p++] = 46;
    for (let i = 0, d = NS_PER_SEC / 10; i < Math.min(9, digits); i++, d /= 10) {
      const q = Math.floor(ns / d);
      buf[p++] = 48 + q;
      ns -= q * d;
    }
  }
  buf[p++] = 90; // Z
  buf[p] = 34;
  return p + 1;
}

/** `"a.b.c.d:port"` of an IPv4 address held as one 32-bit word (address.ts formatIpv4Endpoint), without making the string. */
function writeIpv4Endpoint(buf: Uint8Array, p: number, word: number, port: number): number {
  buf[p++] = 34;
  p = whole(buf, p, word >>> 24); buf[p++] = 46;
  p = whole(buf, p, (word >>> 16) & 255); buf[p++] = 46;
  p = whole(buf, p, (word >>> 8) & 255); buf[p++] = 46;
  p = whole(buf, p, word & 255); buf[p++] = 58;
  p = whole(buf, p, port);
  buf[p] = 34;
  return p + 1;
}

/** The endpoint a (isA) or b of the flow, as endpointName() writes it. */
function writeEndpoint(buf: Uint8Array, p: number, r: SnapshotRow, isA: boolean): number {
  if (!r.isIpv4) return writeString(buf, p, r.endpointName(isA));
  return writeIpv4Endpoint(buf, p, r.addressWord(isA), r.port(isA));
}

/** A prober's sample as `{ min, median, max }`, or null when empty. */
function writeSpread(buf: Uint8Array, p: number, r: SnapshotRow, side: number, s: ProberSample): number {
  if (r.sampleCount(side, s) === 0) return bytes(buf, p, NULL);
  buf[p++] = 123; // {
  p = bytes(buf, p, MIN); p = writeNumber(buf, p, r.sampleValue(side, s, 1));
  p = bytes(buf, p, MEDIAN); p = writeNumber(buf, p, r.sampleValue(side, s, 2));
  p = bytes(buf, p, MAX); p = writeNumber(buf, p, r.sampleValue(side, s, 3));
  return bytes(buf, p, OBJECT_CLOSE);
}

function writeNumberOrNull(buf: Uint8Array, p: number, n: number | null): number {
  return n === null ? bytes(buf, p, NULL) : writeNumber(buf, p, n);
}

/** The prober on `side` (a KeepaliveReport), from its opening brace's content. */
function writeProber(buf: Uint8Array, p: number, r: SnapshotRow, side: number, role: 0 | 1): number {
  p = bytes(buf, p, PROBER); p = bytes(buf, p, ROLES[role]);
  p = bytes(buf, p, PROBES); p = writeNumber(buf, p, r.probes(side));
  p = bytes(buf, p, ACKED); p = writeNumber(buf, p, r.acked(side));
  p = bytes(buf, p, UNANSWERED); p = writeNumber(buf, p, r.unanswered(side));
  p = bytes(buf, p, RESETS); p = writeNumber(buf, p, r.resets(side));
  p = bytes(buf, p, ICMP); p = writeNumber(buf, p, r.icmp(side));
  p = bytes(buf, p, PROBE_BYTES); p = writeNumber(buf, p, r.probeBytes(side));
  p = bytes(buf, p, IDLE); p = writeSpread(buf, p, r, side, ProberSample.Idle);
  p = bytes(buf, p, INTERVAL); p = writeSpread(buf, p, r, side, ProberSample.Interval);
  p = bytes(buf, p, RTT); p = writeSpread(buf, p, r, side, ProberSample.Rtt);
  p = bytes(buf, p, MAX_UNANSWERED); p = writeNumber(buf, p, r.maxUnanswered(side));
  p = bytes(buf, p, OUTCOME); p = writeString(buf, p, r.outcome(side));
  const lost = r.answersLost(side);
  if (lost > 0) { p = bytes(buf, p, ANSWERS_LOST); p = writeNumber(buf, p, lost); }
  const s = r.settings(side);
  p = bytes(buf, p, SETTINGS); buf[p++] = 123; // {
  p = bytes(buf, p, S_IDLE); p = writeNumberOrNull(buf, p, s.idleSeconds);
  p = bytes(buf, p, S_INTERVAL); p = writeNumberOrNull(buf, p, s.intervalSeconds);
  p = bytes(buf, p, S_COUNT); p = writeNumberOrNull(buf, p, s.count);
  p = bytes(buf, p, S_MATCHES); p = s.matches === null ? bytes(buf, p, NULL) : writeString(buf, p, s.matches);
  p = bytes(buf, p, S_MIDDLEBOXES);
  if (s.middleboxes.length === 0) p = bytes(buf, p, EMPTY_LIST);
  else {
    buf[p++] = 91; // [
    for (let i = 0; i < s.middleboxes.length; i++) {
      p = bytes(buf, p, i === 0 ? NOTE_ITEM : NOTE_NEXT);
      p = writeString(buf, p, s.middleboxes[i]);
    }
    p = bytes(buf, p, NOTE_CLOSE);
  }
  p = bytes(buf, p, S_DEAD_PEER); p = writeNumberOrNull(buf, p, s.deadPeerDetectedAfterSeconds);
  return bytes(buf, p, OBJECT_CLOSE);
}

function writeStringOrNull(buf: Uint8Array, p: number, s: string | null): number {
  return s === null ? bytes(buf, p, NULL) : writeString(buf, p, s);
}

/** The flow's fate (keepalive/fate-row.ts) as an object at depth 3. */
function writeFate(buf: Uint8Array, p: number, f: Fate): number {
  buf[p++] = 123; // {
  p = bytes(buf, p, FATE_HOW); p = writeString(buf, p, f.how);
  p = bytes(buf, p, FATE_BY); p = writeStringOrNull(buf, p, f.by);
  p = bytes(buf, p, FATE_AFTER); p = writeNumberOrNull(buf, p, f.afterIdleSeconds);
  p = bytes(buf, p, FATE_RETX); p = writeNumber(buf, p, f.retransmissions);
  p = bytes(buf, p, FATE_GAVE_UP); p = writeNumberOrNull(buf, p, f.gaveUpAfterSeconds);
  p = bytes(buf, p, FATE_SILENT); p = writeNumberOrNull(buf, p, f.silentAtEndSeconds);
  p = bytes(buf, p, FATE_CLUE); p = writeStringOrNull(buf, p, f.clue);
  p = bytes(buf, p, FATE_EVIDENCE);
  if (f.evidence.length === 0) p = bytes(buf, p, EMPTY_LIST);
  else {
    buf[p++] = 91; // [
    for (let i = 0; i < f.evidence.length; i++) { p = bytes(buf, p, i === 0 ? EVIDENCE_ITEM : EVIDENCE_NEXT); p = writeString(buf, p, f.evidence[i]); }
    p = bytes(buf, p, EVIDENCE_CLOSE);
  }
  return bytes(buf, p, FATE_CLOSE);
}

const reader = new SnapshotRow();

/**
 * Writes the flow whose snapshot starts at `off` of `row`, tagged with input `capture`, at `p` of
 * `buf` (which has FLOW_JSON_MAX_BYTES free there); returns the position after it. `epochSec` is
 * the analysis's epoch second (AnalysisResult.epochSecond).
 */
export function writeFlowJson(buf: Uint8Array, p: number, row: Float64Array, off: number, epochSec: number, capture: number): number {
  const r = reader.at(row, off);
  const clientIsA = r.clientIsA;
  p = bytes(buf, p, FLOW_OPEN); p = writeNumber(buf, p, capture);
  p = bytes(buf, p, ID); p = writeNumber(buf, p, r.id);
  p = bytes(buf, p, CLIENT); p = writeEndpoint(buf, p, r, clientIsA);
  p = bytes(buf, p, SERVER); p = writeEndpoint(buf, p, r, !clientIsA);
  p = bytes(buf, p, VLAN);
  const outer = r.vlanOuter, inner = r.vlanInner;
  if (outer === 0 && inner === 0) p = bytes(buf, p, EMPTY_LIST);
  else {
    buf[p++] = 91; // [
    let first = true;
    for (const id of [outer, inner]) {
      if (id === 0) continue;
      p = bytes(buf, p, first ? VLAN_ITEM : VLAN_NEXT);
      p = writeNumber(buf, p, id);
      first = false;
    }
    p = bytes(buf, p, VLAN_CLOSE);
  }
  const tunnel = r.tunnel;
  if (tunnel !== undefined) {
    p = bytes(buf, p, TUNNEL); buf[p++] = 123; // {
    p = bytes(buf, p, TUNNEL_KIND); p = writeString(buf, p, tunnel.kind);
    if (tunnel.id !== undefined) { p = bytes(buf, p, TUNNEL_ID); p = writeNumber(buf, p, tunnel.id); }
    p = bytes(buf, p, TUNNEL_CLOSE);
  }
  const digits = r.digits;
  p = bytes(buf, p, FIRST_FRAME); p = writeNumber(buf, p, r.firstFrame);
  p = bytes(buf, p, LAST_FRAME); p = writeNumber(buf, p, r.lastFrame);
  p = bytes(buf, p, FIRST_TIME); p = writeTime(buf, p, epochSec, r.firstTime, digits);
  p = bytes(buf, p, LAST_TIME); p = writeTime(buf, p, epochSec, r.lastTime, digits);
  p = bytes(buf, p, MIDSTREAM); p = bytes(buf, p, r.midstream ? TRUE : FALSE);
  p = bytes(buf, p, PACKETS); p = writeNumber(buf, p, r.packets);
  p = bytes(buf, p, MAX_IDLE); p = writeNumber(buf, p, r.maxIdleSeconds);
  p = bytes(buf, p, ZERO_WINDOW); p = writeNumber(buf, p, r.zeroWindowProbes);
  p = bytes(buf, p, END); p = writeString(buf, p, r.end);
  if (r.continues >= 0) { p = bytes(buf, p, CONTINUES); p = writeNumber(buf, p, r.continues); }
  p = bytes(buf, p, FATE); p = writeFate(buf, p, fateOf(row, off));
  p = bytes(buf, p, KEEPALIVE);
  // The client's prober first, then the server's, as buildFlowReport lists them.
  const client = r.clientSide(), server = r.serverSide();
  const clientProbes = r.probes(client) !== 0, serverProbes = r.probes(server) !== 0;
  if (!clientProbes && !serverProbes) p = bytes(buf, p, EMPTY_LIST);
  else {
    if (clientProbes) { p = bytes(buf, p, PROBERS_OPEN); p = writeProber(buf, p, r, client, 0); }
    if (serverProbes) { p = bytes(buf, p, clientProbes ? PROBERS_NEXT : PROBERS_OPEN); p = writeProber(buf, p, r, server, 1); }
    p = bytes(buf, p, PROBERS_CLOSE);
  }
  return bytes(buf, p, FLOW_CLOSE);
}
