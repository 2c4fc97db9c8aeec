import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketKind, TcpFlag } from '../../src/decode/packet';
import { tcpFrame } from '../support/frames';
import { decodeFrame, weirds } from './helpers';

test('seq and ack above 2^31 are unsigned', () => {
  const { d } = decodeFrame(tcpFrame({ seq: 0xfffffff0, ack: 0x80000000 }));
  assert.equal(d.pkt.seq, 4294967280);
  assert.equal(d.pkt.ack, 2147483648);
});

test('flags byte, window and ports', () => {
  const cases: Array<[string, number]> = [
    ['S', TcpFlag.SYN], ['SA', TcpFlag.SYN | TcpFlag.ACK], ['A', TcpFlag.ACK], ['FA', TcpFlag.FIN | TcpFlag.ACK],
    ['R', TcpFlag.RST], ['RA', TcpFlag.RST | TcpFlag.ACK],
    ['PA', TcpFlag.PSH | TcpFlag.ACK], ['UA', TcpFlag.URG | TcpFlag.ACK], ['FSRPAUEC', 0xff],
  ];
  for (const [flags, bits] of cases) {
    const { d } = decodeFrame(tcpFrame({ flags, win: 65535, sport: 65535, dport: 1 }));
    assert.deepEqual([d.pkt.flags, d.pkt.window, d.pkt.srcPort, d.pkt.dstPort], [bits, 65535, 65535, 1], flags);
  }
});

test('SYN options: MSS, window scale, SACK-permitted, timestamps', () => {
  const { d, kind } = decodeFrame(tcpFrame({
    flags: 'S', opts: { mss: 1460, sackPerm: true, ts: [0xfedcba98, 0], wscale: 7 },
  }));
  assert.equal(kind, PacketKind.Tcp);
  const p = d.pkt;
  assert.deepEqual([p.mss, p.wscale, p.sackPermitted, p.hasTimestamps, p.tsVal, p.tsEcr],
    [1460, 7, true, true, 0xfedcba98, 0]);
  assert.equal(p.payloadLen, 0);
});

test('absent options read as -1 / false, and do not leak from the previous frame', () => {
  const { d } = decodeFrame(tcpFrame({ flags: 'S', opts: { mss: 1400, wscale: 2, sackPerm: true, ts: [1, 2] } }));
  const plain = tcpFrame({});
  d.decode(1, plain, 0, plain.length);
  const p = d.pkt;
  assert.deepEqual([p.mss, p.wscale, p.sackPermitted, p.hasTimestamps, p.tsVal, p.tsEcr], [-1, -1, false, false, 0, 0]);
});

test('SACK blocks and unknown options are skipped; options after them still parse', () => {
  const { d } = decodeFrame(tcpFrame({ opts: { sack: [[1, 2], [3, 4]], raw: Buffer.from([253, 4, 0, 0, 2, 4, 5, 0xb4]) } }));
  assert.equal(d.pkt.mss, 1460);
  assert.deepEqual(weirds(d), {});
});

test('EOL ends the option list', () => {
  const { d } = decodeFrame(tcpFrame({ opts: { raw: Buffer.from([0, 2, 4, 5, 0xb4]) } }));
  assert.equal(d.pkt.mss, -1);
  assert.deepEqual(weirds(d), {});
});

test('malformed options: counted, the segment is still TCP', () => {
  const bad = [
    Buffer.from([2, 0, 0, 0]), // length 0 would loop forever
    Buffer.from([1, 1, 1, 8, 10, 0, 0, 0]), // timestamps running past the header
    Buffer.from([2, 3, 5, 1]), // MSS with the wrong length
    Buffer.from([1, 1, 1, 3]), // kind with no room for its length byte
  ];
  for (const raw of bad) {
    const { d, kind } = decodeFrame(tcpFrame({ seq: 99, payload: 4, opts: { raw } }));
    assert.equal(kind, PacketKind.Tcp, raw.toString('hex'));
    assert.deepEqual([d.pkt.seq, d.pkt.payloadLen], [99, 4]);
    assert.deepEqual(weirds(d), { 'tcp-bad-option': 1 }, raw.toString('hex'));
  }
});

test('payload offset points at the data', () => {
  const payload = Buffer.from('keepalive!');
  for (const v6 of [false, true]) {
    const buf = tcpFrame({ payload, opts: { ts: [1, 1] }, ...(v6 ? { src: '::1', dst: '::2' } : {}) });
    const { d } = decodeFrame(buf);
    assert.deepEqual(buf.subarray(d.pkt.payloadOff, d.pkt.payloadOff + d.pkt.payloadLen), payload);
  }
});

test('lying data offsets', () => {
  const cases: Array<[Buffer, number | undefined, string]> = [
    [tcpFrame({ dataOffset: 4 }), undefined, 'tcp-bad-offset'],
    [tcpFrame({ dataOffset: 0 }), undefined, 'tcp-bad-offset'],
    [tcpFrame({ dataOffset: 15, payload: 10 }), undefined, 'tcp-bad-offset'], // 60 > 20 + 10
    [tcpFrame({ dataOffset: 15, payload: 10, pad: 200 }), undefined, 'tcp-bad-offset'], // padding does not help
    [tcpFrame({ opts: { ts: [1, 2] }, payload: 100 }), 14 + 20 + 25, 'tcp-truncated'], // snap length inside the header
    [tcpFrame({}), 14 + 20 + 19, 'tcp-truncated'],
  ];
  for (const [buf, caplen, name] of cases) {
    const { d, kind } = decodeFrame(buf, 'ether', caplen);
    assert.equal(kind, PacketKind.Other, name);
    assert.deepEqual(weirds(d), { [name]: 1 }, name);
  }
});
