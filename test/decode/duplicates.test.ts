// Copies of one segment (a bridge seen with `-i any`, a router's two interfaces, merged taps) are
// folded before the engine; anything a stack would really send again is not. Generated frames.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile } from '../../src/analysis';
import { Decoder } from '../../src/decode/decoder';
import { DuplicateFolder } from '../../src/decode/duplicates';
import { PacketKind } from '../../src/decode/packet';
import { FlowKey } from '../../src/decode/flow-key';
import { linkTypeOf, tcpFrame, type LinkKind, type TcpSpec } from '../support/frames';
import { pcapFile, tempDir, writeTemp, type PcapRecord } from '../support/capture-files';
import { run } from '../cli/run';

const WINDOW_NS = 5e6;
const seg: TcpSpec = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 5001, seq: 100, ack: 200, flags: 'A', win: 64, payload: 0, ipId: 7 };

/** A folder and decoder; `copy(frame, link, ns)` says whether the frame at capture time ns is a copy. */
function folder(windowNs = WINDOW_NS): (frame: Buffer, link: LinkKind, ns: number) => boolean {
  const f = new DuplicateFolder(windowNs), d = new Decoder(), k = new FlowKey();
  return (frame, link, ns) => {
    assert.equal(d.decode(linkTypeOf(link), frame, 0, frame.length), PacketKind.Tcp);
    const p = d.pkt;
    k.set(frame, p.srcOff, p.dstOff, p.ipVersion, p.srcPort, p.dstPort, p.vlanOuter, p.vlanInner, p.tenantKind, p.tenantId);
    f.now[0] = ns;
    return f.isCopy(p, k);
  };
}

/** A Linux cooked v2 frame with the given packet type (3: to another host, 4: outgoing). */
function sll2(s: TcpSpec, packetType: number): Buffer {
  const f = tcpFrame({ ...s, link: 'sll2' });
  f[10] = packetType;
  return f;
}

test('duplicates: a bridge\'s two SLL2 copies (packet types 3 and 4) 19 µs apart are one segment', () => {
  const copy = folder();
  assert.equal(copy(sll2(seg, 3), 'sll2', 1e9), false);
  assert.equal(copy(sll2(seg, 4), 'sll2', 1e9 + 19e3), true);
});

test('duplicates: a router\'s copy with the TTL one lower is one segment, even written out of time order', () => {
  const copy = folder();
  assert.equal(copy(tcpFrame({ ...seg, ttl: 63 }), 'ether', 2e9 + 15e3), false);
  assert.equal(copy(tcpFrame({ ...seg, ttl: 64 }), 'ether', 2e9), true);
  assert.equal(copy(tcpFrame({ ...seg, ttl: 62 }), 'ether', 2e9 + 30e3), true, 'a third interface');
});

test('duplicates: IPv6 copies (no IP ID) are one segment', () => {
  const copy = folder();
  const s = { ...seg, src: 'fd00::1', dst: 'fd00::2' };
  assert.equal(copy(tcpFrame(s), 'ether', 1e9), false);
  assert.equal(copy(tcpFrame({ ...s, ttl: 63 }), 'ether', 1e9 + 4e6), true);
});

test('duplicates: what a stack really sends again is not a copy', () => {
  const copy = folder();
  assert.equal(copy(tcpFrame(seg), 'ether', 1e9), false);
  assert.equal(copy(tcpFrame({ ...seg, ipId: 8 }), 'ether', 1e9 + 1e3), false, 'new IP ID: a retransmission or a second ACK');
  assert.equal(copy(tcpFrame(seg), 'ether', 1e9 + 6e6), false, 'past the window');
  assert.equal(copy(tcpFrame({ ...seg, src: '10.0.0.2', dst: '10.0.0.1', sport: 5001, dport: 40000 }), 'ether', 1e9 + 6e6 + 1e3), false, 'other direction');
  assert.equal(copy(tcpFrame({ ...seg, win: 65 }), 'ether', 1e9 + 6e6 + 2e3), false, 'other window');
  assert.equal(copy(tcpFrame({ ...seg, opts: { ts: [5, 6] } }), 'ether', 1e9 + 6e6 + 3e3), false, 'other TCP timestamp');
  assert.equal(copy(tcpFrame({ ...seg, vlan: [10] }), 'ether', 1e9 + 6e6 + 4e3), false, 'other VLAN');
});

test('duplicates: the window is the option\'s', () => {
  const copy = folder(20e6);
  assert.equal(copy(tcpFrame(seg), 'ether', 1e9), false);
  assert.equal(copy(tcpFrame(seg), 'ether', 1e9 + 15e6), true);
});

/**
 * A connection as a bridge seen with `-i any` records it: every frame twice, 19 µs apart. Data,
 * then the client's keepalive probe 2 s later and the server's answer.
 */
function bridgeCapture(): { file: string; frames: number } {
  const c: TcpSpec = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 5001 };
  const s: TcpSpec = { src: '10.0.0.2', dst: '10.0.0.1', sport: 5001, dport: 40000 };
  const segs: Array<[number, TcpSpec]> = [
    [0, { ...c, seq: 1000, flags: 'S', ipId: 1 }],
    [100, { ...s, seq: 5000, ack: 1001, flags: 'SA', ipId: 0 }],
    [200, { ...c, seq: 1001, ack: 5001, ipId: 2 }],
    [300, { ...c, seq: 1001, ack: 5001, flags: 'PA', payload: 10, ipId: 3 }],
    [400, { ...s, seq: 5001, ack: 1011, ipId: 1 }],
    [2_000_400, { ...c, seq: 1010, ack: 5001, ipId: 4 }], // probe: seq = snd.una - 1
    [2_000_500, { ...s, seq: 5001, ack: 1011, ipId: 2 }], // its answer
  ];
  const records: PcapRecord[] = [];
  for (const [us, sp] of segs) {
    for (const [dt, type] of [[0, 3], [19, 4]] as const) {
      const t = 1_700_000_000_000_000 + us + dt;
      records.push({ sec: Math.floor(t / 1e6), frac: t % 1e6, data: sll2(sp, type) });
    }
  }
  const file = writeTemp(tempDir(), 'bridge.pcap', pcapFile(records, { linkType: linkTypeOf('sll2') }));
  return { file, frames: records.length };
}

test('duplicates: a probe seen twice on a bridge is one probe, answered; the copies are counted', async () => {
  const { file, frames } = bridgeCapture();
  const { result } = await analyzeFile(file);
  assert.equal(result.summary.duplicateFrames, frames / 2);
  assert.equal(result.summary.probes, 1);
  const [k] = result.flows[0]!.keepalive;
  assert.deepEqual([k!.probes, k!.acked, k!.unanswered], [1, 1, 0]);
  // Without folding, as before: the copy 19 µs later passes for a second, unanswered probe.
  const { result: raw } = await analyzeFile(file, { dupWindowMs: 0 });
  assert.equal(raw.summary.duplicateFrames, 0);
  assert.equal(raw.summary.probes, 2);
});

test('duplicates: --dup-window, the JSON field and the table footer', () => {
  const { file, frames } = bridgeCapture();
  const json = run(['analyze', '--format', 'json', file]);
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as { summary: { duplicateFrames: number } }).summary.duplicateFrames, frames / 2);
  const table = run(['analyze', file]);
  assert.match(table.stdout, new RegExp(`, ${frames / 2} duplicate frames folded\\n`));
  const off = run(['analyze', '--format', 'json', '--dup-window', '0', file]);
  assert.equal((JSON.parse(off.stdout) as { summary: { duplicateFrames: number; probes: number } }).summary.probes, 2);
  const bad = run(['analyze', '--dup-window', '-1', file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--dup-window/);
});
