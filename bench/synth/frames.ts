// Writes classic-pcap records of Ethernet[/802.1Q]/IPv4|IPv6/TCP frames into one big reused buffer:
// a prebuilt template per (IP version, VLAN, direction) is copied, then the varying fields are patched.
import * as fs from 'node:fs';
import type { FlowSlots } from './slots';

const CHUNK = 16 << 20;
const MAX_RECORD = 16 + 18 + 40 + 32 + 1448 + 64;
const SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;
const CLIENT_MAC = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
const ROUTER_MAC = [0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe];
/** SYN options: MSS, NOP, window scale 7, SACK permitted, NOP, NOP (12 bytes → data offset 8). */
const SYN_OPTIONS = [0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07, 0x04, 0x02, 0x01, 0x01];

export const enum Tcp { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 }

function template(v6: boolean, vlan: boolean, fromClient: boolean): Buffer {
  const l2 = vlan ? 18 : 14;
  const b = Buffer.alloc(l2 + (v6 ? 40 : 20) + 20);
  const [dst, src] = fromClient ? [ROUTER_MAC, CLIENT_MAC] : [CLIENT_MAC, ROUTER_MAC];
  b.set(dst, 0); b.set(src, 6);
  if (vlan) b.writeUInt16BE(0x8100, 12);
  b.writeUInt16BE(v6 ? 0x86dd : 0x0800, l2 - 2);
  if (v6) {
    b[l2] = 0x60; b[l2 + 6] = 6; b[l2 + 7] = 64;
    b.writeUInt16BE(0xfd00, l2 + 8); b.writeUInt16BE(0xfd00, l2 + 24); // fd00::/8 unique local
  } else {
    b[l2] = 0x45; b[l2 + 6] = 0x40; b[l2 + 8] = 64; b[l2 + 9] = 6; // DF, TTL 64, TCP
  }
  return b;
}

export class FrameWriter {
  private readonly chunk = Buffer.alloc(CHUNK, 0xa5);
  private pos = 0;
  private readonly tpl: Buffer[] = [];
  private ipId = 1;
  packets = 0;
  bytes = 0;

  constructor(private readonly fd: number, private readonly slots: FlowSlots) {
    for (let i = 0; i < 8; i++) this.tpl.push(template((i & 4) !== 0, (i & 2) !== 0, (i & 1) !== 0));
    const h = this.chunk;
    h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6);
    h.writeUInt32LE(0, 8); h.writeUInt32LE(0, 12); h.writeUInt32LE(SNAPLEN, 16); h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.pos = 24;
    this.bytes = 24;
  }

  /**
   * One TCP segment of flow `s` at `tUs` (µs since 1970). `pad` pads frames shorter than Ethernet's
   * 60-byte minimum with zeros, as a capture on the receiving host shows them; the IP length
   * excludes the padding, so a decoder that trusts caplen would see phantom payload.
   */
  tcp(tUs: number, s: number, fromClient: boolean, flags: number, seq: number, ack: number,
    win: number, len: number, pad: boolean): void {
    const sl = this.slots;
    const v6 = sl.v6[s] === 1, vlan = sl.vlan[s];
    const syn = (flags & Tcp.SYN) !== 0;
    const l2 = vlan !== 0 ? 18 : 14, l3 = v6 ? 40 : 20, l4 = syn ? 32 : 20;
    const frameLen = l2 + l3 + l4 + len;
    const capLen = pad && frameLen < 60 ? 60 : frameLen;
    if (this.pos + 16 + capLen > CHUNK) this.flush();
    const b = this.chunk, o = this.pos;
    const sec = Math.floor(tUs / 1e6);
    b.writeUInt32LE(sec, o); b.writeUInt32LE(tUs - sec * 1e6, o + 4);
    b.writeUInt32LE(capLen, o + 8); b.writeUInt32LE(capLen, o + 12);
    const e = o + 16;
    this.tpl[(v6 ? 4 : 0) | (vlan !== 0 ? 2 : 0) | (fromClient ? 1 : 0)].copy(b, e);
    if (vlan !== 0) b.writeUInt16BE(vlan, e + 14);
    const ip = e + l2, client = s + 1, server = 10 + sl.server[s];
    if (v6) {
      b.writeUInt16BE(l4 + len, ip + 4);
      // fd00::1:… clients, fd00::2:… servers, whichever way the frame goes
      b.writeUInt16BE(fromClient ? 1 : 2, ip + 14); b.writeUInt16BE(fromClient ? 2 : 1, ip + 30);
      b.writeUInt32BE(fromClient ? client : server, ip + 20);
      b.writeUInt32BE(fromClient ? server : client, ip + 36);
    } else {
      b.writeUInt16BE(l3 + l4 + len, ip + 2);
      b.writeUInt16BE(this.ipId, ip + 4);
      this.ipId = (this.ipId + 1) & 0xffff;
      const c4 = (0x0a000000 | (client + 0x10000)) >>> 0, s4 = (0xac100000 | server) >>> 0;
      b.writeUInt32BE(fromClient ? c4 : s4, ip + 12);
      b.writeUInt32BE(fromClient ? s4 : c4, ip + 16);
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(ip + i);
      sum = (sum & 0xffff) + (sum >>> 16);
      sum = (sum & 0xffff) + (sum >>> 16);
      b.writeUInt16BE(~sum & 0xffff, ip + 10);
    }
    const t = ip + l3;
    b.writeUInt16BE(fromClient ? sl.clientPort[s] : sl.serverPort[s], t);
    b.writeUInt16BE(fromClient ? sl.serverPort[s] : sl.clientPort[s], t + 2);
    b.writeUInt32BE(seq >>> 0, t + 4);
    b.writeUInt32BE((flags & Tcp.ACK) !== 0 ? ack >>> 0 : 0, t + 8);
    b[t + 12] = (l4 >> 2) << 4;
    b[t + 13] = flags;
    b.writeUInt16BE(win, t + 14);
    // Checksum left 0, as captures on the sending host show with checksum offload.
    if (syn) for (let i = 0; i < 12; i++) b[t + 20 + i] = SYN_OPTIONS[i];
    // The payload keeps whatever bytes the reused chunk held: deterministic, and content is irrelevant.
    if (capLen > frameLen) b.fill(0, e + frameLen, e + capLen);
    this.pos = e + capLen;
    this.packets++;
    this.bytes += 16 + capLen;
  }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.chunk, off, this.pos - off);
    this.pos = 0;
  }
}

export const MAX_RECORD_BYTES = MAX_RECORD;
