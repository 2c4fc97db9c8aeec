// A capture of many long-lived IPv4 flows that do nothing but keepalive: a handshake each, then
// every `intervalSeconds` a probe from the client (seq = snd_una − 1, no data) and the server's ACK.
// Flows start staggered over one interval, so the records are in time order. Used by the memory
// row of `npm run bench` (probes per flow must not cost memory) and by tests that need a long
// stream of events.
import * as fs from 'node:fs';

export interface ProbeFlowsOptions {
  readonly flows: number;
  readonly probesPerFlow: number;
  /** Seconds between a flow's probes (and from its handshake to its first probe). */
  readonly intervalSeconds: number;
  /**
   * Rounds of `intervalSeconds` to write (default probesPerFlow): rounds past probesPerFlow carry
   * two UDP datagrams per flow instead of a probe and its ACK, so captures with different probe
   * counts can have the same packets, bytes and time span.
   */
  readonly rounds?: number;
  /** Unix seconds of the first handshake. */
  readonly startSecond?: number;
}

const FRAME = 60; // Ethernet + IPv4 + TCP (54 bytes), padded to Ethernet's minimum
const RECORD = 16 + FRAME;
const CHUNK = 4 << 20;
const SYN = 0x02, ACK = 0x10;
/** `flags` of frame() that makes a UDP datagram instead of a TCP segment. */
const UDP = -1;

/** Frames written by writeProbeFlows for these options. */
export const probeFlowsPackets = (o: ProbeFlowsOptions): number => o.flows * (3 + 2 * Math.max(o.probesPerFlow, o.rounds ?? 0));

/** Writes the capture to `file`; returns the number of packets. */
export function writeProbeFlows(file: string, o: ProbeFlowsOptions): number {
  const fd = fs.openSync(file, 'w');
  const buf = Buffer.alloc(CHUNK);
  let pos = 0, packets = 0;
  const startUs = (o.startSecond ?? 1_700_000_000) * 1e6;
  const intervalUs = o.intervalSeconds * 1e6;
  const staggerUs = Math.floor(intervalUs / Math.max(1, o.flows) / 2);
  const flush = (): void => { fs.writeSync(fd, buf, 0, pos); pos = 0; };
  buf.writeUInt32LE(0xa1b2c3d4, 0); buf.writeUInt16LE(2, 4); buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16); buf.writeUInt32LE(1, 20);
  pos = 24;

  const frame = (tUs: number, f: number, fromClient: boolean, flags: number, seq: number, ack: number): void => {
    if (pos + RECORD > CHUNK) flush();
    const b = buf, p = pos;
    b.writeUInt32LE(Math.floor(tUs / 1e6), p); b.writeUInt32LE(tUs % 1e6, p + 4);
    b.writeUInt32LE(FRAME, p + 8); b.writeUInt32LE(FRAME, p + 12);
    const e = p + 16;
    b.fill(0, e, e + FRAME);
    b[e] = 2; b[e + 5] = fromClient ? 1 : 2; b[e + 6] = 2; b[e + 11] = fromClient ? 2 : 1;
    b.writeUInt16BE(0x0800, e + 12);
    const ip = e + 14;
    b[ip] = 0x45; b.writeUInt16BE(40, ip + 2); b[ip + 8] = 64; b[ip + 9] = flags === UDP ? 17 : 6;
    // client 10.(f>>16).(f>>8).(f), server 10.255.0.1
    const client = (10 << 24 | (f & 0xffffff)) >>> 0, server = (10 << 24 | 255 << 16 | 1) >>> 0;
    b.writeUInt32BE(fromClient ? client : server, ip + 12); b.writeUInt32BE(fromClient ? server : client, ip + 16);
    const tcp = ip + 20;
    b.writeUInt16BE(fromClient ? 40000 : 443, tcp); b.writeUInt16BE(fromClient ? 443 : 40000, tcp + 2);
    if (flags === UDP) { b.writeUInt16BE(20, tcp + 4); pos += RECORD; packets++; return; }
    b.writeUInt32BE(seq >>> 0, tcp + 4); b.writeUInt32BE(ack >>> 0, tcp + 8);
    b[tcp + 12] = 0x50; b[tcp + 13] = flags; b.writeUInt16BE(65535, tcp + 14);
    pos += RECORD;
    packets++;
  };

  const cIsn = (f: number): number => (f * 2654435761) >>> 0;
  const sIsn = (f: number): number => (f * 40503 + 12345) >>> 0;
  const start = (f: number): number => startUs + f * staggerUs;
  for (let f = 0; f < o.flows; f++) {
    const t = start(f);
    frame(t, f, true, SYN, cIsn(f), 0);
    frame(t + 100, f, false, SYN | ACK, sIsn(f), cIsn(f) + 1);
    frame(t + 200, f, true, ACK, cIsn(f) + 1, sIsn(f) + 1);
  }
  for (let k = 1; k <= Math.max(o.probesPerFlow, o.rounds ?? 0); k++) {
    for (let f = 0; f < o.flows; f++) {
      const t = start(f) + 200 + k * intervalUs;
      if (k > o.probesPerFlow) { frame(t, f, true, UDP, 0, 0); frame(t + 150, f, false, UDP, 0, 0); continue; }
      frame(t, f, true, ACK, cIsn(f), sIsn(f) + 1); // seq = snd_una − 1: a keepalive probe
      frame(t + 150, f, false, ACK, sIsn(f) + 1, cIsn(f) + 1);
    }
  }
  flush();
  fs.closeSync(fd);
  return packets;
}
