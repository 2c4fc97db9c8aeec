// The frame builder and the decoder checked together against tshark: frames built by
// test/support/frames.ts must carry valid checksums and decode in tshark to the fields that were
// asked for, and our decoder must agree with tshark on every one of them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decoder } from '../../src/decode/decoder';
import { PacketKind } from '../../src/decode/packet';
import { icmpErrorFrame, LinkKind, linkTypeOf, tcpFrame, TcpSpec } from '../support/frames';
import { haveTshark, tsharkFields, writePcapng } from './helpers';

const specs: TcpSpec[] = [];
let n = 0;
for (const link of ['ether', 'sll', 'sll2', 'raw', 'null', 'loop'] as LinkKind[]) {
  for (const v6 of [false, true]) {
    const addr = v6 ? { src: '2001:db8::5', dst: '2001:db8::6' } : { src: '10.9.8.7', dst: '10.9.8.6' };
    specs.push({ link, ...addr, sport: 1000 + n, dport: 2000 + n, seq: 0xffffff00 + n, ack: n * 7919, flags: 'PA', win: 100 + n, payload: n % 3 });
    n++;
  }
}
specs.push({ link: 'ipv4', sport: 1, dport: 2, seq: 3, ack: 4, flags: 'S', opts: { mss: 1460, wscale: 7, sackPerm: true, ts: [123456789, 0] } });
specs.push({ link: 'ipv6', src: '::1', dst: '::1', sport: 5, dport: 6, seq: 7, ack: 8, flags: 'SA', opts: { mss: 1220, wscale: 14, ts: [1, 2] } });
specs.push({ vlan: [10, 20], sport: 7, dport: 8, payload: 1, pad: 60, ipOptions: 8 });
specs.push({ vlan: [30], src: 'fe80::1', dst: 'fe80::2', ext: [{ type: 'hop' }, { type: 'dest', len: 16 }, { type: 'routing' }], payload: 9 });
specs.push({ payload: 0, pad: 60, flags: 'A', seq: 0x7fffffff, opts: { ts: [4000000000, 3000000000] } });

const FIELDS = ['tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len', 'tcp.window_size_value',
  'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr', 'vlan.id',
  'ip.checksum.status', 'tcp.checksum.status', 'icmp.type', 'icmpv6.type', 'ieee8021ad.id',
  'tcp.seq', 'icmp.checksum.status', 'icmpv6.checksum.status'];

test('built frames decode the same in tshark and here, with good checksums', async (t) => {
  if (!haveTshark()) { t.skip('tshark not installed'); return; }
  const frames: Array<[number, Buffer]> = specs.map((s) => [linkTypeOf(s.link), tcpFrame(s)]);
  frames.push([1, icmpErrorFrame({ type: 3, code: 1, quoted: { sport: 4321, dport: 80, seq: 555 } })]);
  frames.push([1, icmpErrorFrame({ type: 1, code: 0, quoted: { src: '2001:db8::1', dst: '2001:db8::2', sport: 4322, dport: 81, seq: 556 } })]);
  const rows = tsharkFields(writePcapng(frames), FIELDS, ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE']);
  assert.equal(rows.length, frames.length);
  const d = new Decoder();
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const [lt, buf] = frames[i];
    assert.equal(d.decode(lt, buf, 0, buf.length), PacketKind.Tcp, `frame ${i + 1}`);
    const p = d.pkt;
    const r = rows[i];
    const opt = (v: number): string => (v < 0 ? '' : String(v));
    const ours = [p.srcPort, p.dstPort, p.seq, p.ack, `0x${p.flags.toString(16).padStart(4, '0')}`, p.payloadLen, p.window,
      opt(p.mss), opt(p.wscale), p.hasTimestamps ? p.tsVal : '', p.hasTimestamps ? p.tsEcr : '',
      p.vlanOuter ? [p.vlanOuter, p.vlanInner].filter((v) => v).join(',') : ''].map(String);
    // tshark names an 802.1ad (0x88a8) S-tag ieee8021ad.id and the C-tags vlan.id.
    const theirs = [...r.slice(0, 11), [r[16] ?? '', r[11]].filter((v) => v).join(',')];
    assert.deepEqual(ours, theirs, `frame ${i + 1} (${s.link ?? 'ether'})`);
    // The spec itself, so a builder bug shared by both sides cannot hide.
    assert.equal(p.srcPort, s.sport ?? 40000);
    assert.equal(p.seq, (s.seq ?? 1000) >>> 0);
    if (!(s.src ?? '').includes(':')) assert.equal(r[12], '1', `IPv4 checksum frame ${i + 1}`);
    assert.equal(r[13], '1', `TCP checksum frame ${i + 1}`);
  }
  const icmp4 = rows[specs.length], icmp6 = rows[specs.length + 1];
  // With only 8 quoted TCP bytes tshark fills tcp.seq but not tcp.seq_raw.
  assert.deepEqual([icmp4[14], icmp4[0], icmp4[1], icmp4[17], icmp4[18]], ['3', '4321', '80', '555', '1']);
  assert.deepEqual([icmp6[15], icmp6[0], icmp6[1], icmp6[17], icmp6[19]], ['1', '4322', '81', '556', '1']);
  for (const k of [specs.length, specs.length + 1]) {
    const [lt, buf] = frames[k];
    assert.equal(d.decode(lt, buf, 0, buf.length), PacketKind.IcmpError);
    assert.deepEqual([d.pkt.quotedSrcPort, d.pkt.quotedDstPort, d.pkt.quotedSeq].map(String),
      [rows[k][0], rows[k][1], rows[k][17]]);
  }
});
