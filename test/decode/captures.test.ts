// Cross-check against real captures with tshark as an independent oracle: per frame, the decoded
// ports, raw seq/ack, flags and payload length must equal tshark's TCP fields; frames tshark sees
// no TCP in must not decode as TCP.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCapture } from '../../src/capture/open';
import { Decoder } from '../../src/decode/decoder';
import { PacketKind } from '../../src/decode/packet';
import { haveTshark, tsharkFields } from './helpers';

const PUBLIC = join(__dirname, '../../../fixtures/public');
const dir = existsSync(PUBLIC) ? PUBLIC : undefined;
const files = dir ? readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];

const FIELDS = ['frame.number', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len', 'vlan.id'];

/** What we decoded, in tshark's field order and notation. */
function row(d: Decoder, kind: PacketKind): string[] {
  const p = d.pkt;
  const vlan = p.vlanOuter === 0 ? '' : p.vlanInner === 0 ? `${p.vlanOuter}` : `${p.vlanOuter},${p.vlanInner}`;
  if (kind === PacketKind.Tcp) {
    return [String(p.srcPort), String(p.dstPort), String(p.seq), String(p.ack),
      `0x${p.flags.toString(16).padStart(4, '0')}`, String(p.payloadLen), vlan];
  }
  if (kind === PacketKind.IcmpError) {
    // tshark decodes the quoted TCP header; only its first 8 bytes are compared.
    return [String(p.quotedSrcPort), String(p.quotedDstPort), String(p.quotedSeq), '*', '*', '*', vlan];
  }
  return ['', '', '', '', '', '', '*'];
}

test('decoded TCP fields equal tshark on the public captures', { skip: files.length === 0 ? 'no capture directory found' : undefined }, async (t) => {
  if (!haveTshark()) { t.skip('tshark not installed'); return; }
  for (const name of files) {
    const file = join(dir as string, name);
    await t.test(name, async () => {
      const theirs = tsharkFields(file, FIELDS);
      const d = new Decoder();
      const ours: string[][] = [];
      const info = await readCapture(file, {
        packet(frame, linkType, _s, _ns, _dg, buf, off, caplen) {
          ours.push([String(frame), ...row(d, d.decode(linkType, buf, off, caplen))]);
        },
      });
      assert.equal(info.error, null);
      assert.equal(ours.length, theirs.length, 'frame count');
      let tcp = 0;
      for (let i = 0; i < ours.length; i++) {
        const o = ours[i];
        // tshark keeps the NS/reserved bits of byte 12 in tcp.flags; we keep byte 13 only.
        const th = theirs[i].slice(0, FIELDS.length).map((v, j) => (j === 5 && v !== '' ? `0x${(parseInt(v, 16) & 0xff).toString(16).padStart(4, '0')}` : v));
        while (th.length < FIELDS.length) th.push('');
        const expect = th.map((v, j) => (o[j] === '*' ? '*' : v));
        assert.deepEqual(o, expect, `${name} frame ${o[0]}`);
        if (o[1] !== '') tcp++;
      }
      assert.ok(tcp > 0, 'some TCP frames');
      t.diagnostic(`${name}: ${ours.length} frames, ${tcp} TCP, weird ${JSON.stringify(d.weird)}`);
    });
  }
});
