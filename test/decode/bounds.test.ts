// The decoder must never throw and never read outside [off, off+caplen): every prefix of a set of
// frames is decoded twice, surrounded by different garbage, and must give identical results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { icmpErrorFrame, LinkKind, linkTypeOf, tcpFrame } from '../support/frames';

const FRAMES: Array<[LinkKind, Buffer]> = [
  ['ether', tcpFrame({ vlan: [1, 2], opts: { mss: 1460, sackPerm: true, ts: [1, 2], wscale: 7 }, payload: 3, flags: 'S' })],
  ['ether', tcpFrame({ ipOptions: 12, payload: 1, pad: 60 })],
  ['ether', tcpFrame({ src: '::1', dst: '::2', ext: [{ type: 'hop' }, { type: 'routing' }, { type: 'frag' }, { type: 'ah' }, { type: 'dest' }], opts: { ts: [3, 4] } })],
  ['sll', tcpFrame({ link: 'sll', vlan: [9], payload: 2 })],
  ['sll2', tcpFrame({ link: 'sll2', src: '::1', dst: '::2' })],
  ['null', tcpFrame({ link: 'null' })],
  ['loop', tcpFrame({ link: 'loop', src: '::1', dst: '::2' })],
  ['raw', tcpFrame({ link: 'raw', ipLen: 0, payload: 10 })],
  ['ether', icmpErrorFrame({ type: 3, code: 1, quoted: { ipOptions: 4, seq: 5 } })],
  ['ether', icmpErrorFrame({ type: 1, quoted: { src: '::1', dst: '::2', ext: [{ type: 'dest' }] } })],
];

function snapshot(d: Decoder, kind: number, off: number): string {
  const p = d.pkt;
  const rel = (o: number): number => (o === 0 ? -1 : o - off);
  // Offsets relative to the frame start, so frames placed differently compare equal.
  return JSON.stringify([kind, p.vlanOuter, p.vlanInner, p.ipVersion, rel(p.srcOff), rel(p.dstOff), p.srcPort, p.dstPort,
    p.seq, p.ack, p.flags, p.window, p.payloadLen, p.mss, p.wscale, p.sackPermitted, p.tsVal, p.tsEcr,
    p.icmpType, rel(p.quotedSrcOff), p.quotedSrcPort, p.quotedSeq, d.weird]);
}

test('every prefix decodes the same whatever surrounds it', () => {
  let checked = 0;
  for (const [link, frame] of FRAMES) {
    const lt = linkTypeOf(link);
    for (let caplen = 0; caplen <= frame.length; caplen++) {
      // Exactly the captured bytes, at offset 0, nothing after them.
      const exact = Buffer.from(frame.subarray(0, caplen));
      const a = new Decoder();
      const ka = a.decode(lt, exact, 0, caplen);
      const sa = snapshot(a, ka, 0);
      for (const fill of [0x00, 0xff, 0x45]) {
        // The same bytes in the middle of a buffer whose other bytes would change any result.
        const big = Buffer.alloc(caplen + 200, fill);
        frame.copy(big, 100, 0, caplen);
        const b = new Decoder();
        const kb = b.decode(lt, big, 100, caplen);
        assert.equal(snapshot(b, kb, 100), sa, `${link} frame of ${frame.length} cut at ${caplen}, fill ${fill}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 1000);
});

test('random corruption never throws', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
  const d = new Decoder();
  for (let i = 0; i < 20000; i++) {
    const [link, frame] = FRAMES[rnd(FRAMES.length)];
    const buf = Buffer.from(frame);
    for (let k = rnd(4) + 1; k > 0; k--) buf[rnd(buf.length)] = rnd(256);
    const caplen = rnd(4) === 0 ? rnd(buf.length + 1) : buf.length;
    d.decode(linkTypeOf(link), buf, 0, caplen);
  }
  // A caplen larger than the buffer is clamped, not read past.
  const f = tcpFrame({});
  d.decode(1, f, 0, f.length + 1000);
  d.decode(1, f, f.length, 50);
  d.decode(1, f, 0, -5);
  assert.ok(Object.keys(d.weird).length > 0);
});
