// The HTML report's segment tap (pipeline/segment-spill.ts) and its reading back per flow
// (report/flow-marks.ts): the mark of each kind of segment, a long flow thinned to its first and
// last marks, and the same marks however the spill is cut into pieces.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import test from 'node:test';
import { analyzeFile } from '../../src/analysis';
import { TcpFlag } from '../../src/decode/packet';
import type { FlowReport } from '../../src/keepalive/model';
import { SegmentSpill } from '../../src/pipeline/segment-spill';
import { markCode, markLetter, marksPerSide, MARKS_PER_SIDE_MAX, MARKS_PER_SIDE_MIN, HTML_MAX_MARKS, resolveMarks, type FlowMarks } from '../../src/report/flow-marks';
import { ROOT } from '../cli/run';

const SYN = TcpFlag.SYN, ACK = TcpFlag.ACK, FIN = TcpFlag.FIN, RST = TcpFlag.RST;

test('flow marks: each segment of one sender, from its SYN on, gets the mark its sequence numbers call for', () => {
  const state = new Int32Array(2);
  const isn = 1000;
  // [seq, payload bytes, flags, mark]
  const steps: [number, number, number, string][] = [
    [isn, 0, SYN, 'S'], // the handshake: next is isn + 1
    [isn, 0, SYN, 'X'], // the SYN again
    [isn + 1, 0, ACK, 'A'],
    [isn + 1, 100, ACK, 'D'], // next: isn + 101
    [isn + 101, 50, ACK, 'D'], // next: isn + 151
    [isn + 101, 50, ACK, 'X'], // resent
    [isn + 131, 40, ACK, 'X'], // starts below next, ends past it: next becomes isn + 171
    [isn + 170, 0, ACK, 'A'], // keepalive-shaped (next − 1, no byte): not a retransmission
    [isn + 170, 1, ACK, 'D'], // keepalive-shaped with its byte
    [isn + 169, 1, ACK, 'X'], // one byte further back: resent data
    [isn + 171, 0, ACK | FIN, 'F'], // next: isn + 172
    [isn + 171, 0, ACK | FIN, 'X'], // the FIN again
    [isn + 100, 0, RST, 'R'], // a RST is a RST wherever it points
    [isn + 172, 0, ACK, 'A'],
  ];
  for (const [seq, len, flags, want] of steps) {
    assert.equal(markLetter(markCode(state, 0, seq | 0, len, flags)), want, `seq +${seq - isn} len ${len} flags ${flags}`);
  }
  // Sequence numbers wrap at 2^32: data just past the wrap is new, the bytes before it resent.
  const wrap = new Int32Array(2);
  assert.equal(markLetter(markCode(wrap, 0, 0xfffffff0 | 0, 0, SYN)), 'S');
  assert.equal(markLetter(markCode(wrap, 0, 0xfffffff1 | 0, 100, ACK)), 'D');
  assert.equal(markLetter(markCode(wrap, 0, 0x55, 10, ACK)), 'D');
  assert.equal(markLetter(markCode(wrap, 0, 0xfffffff1 | 0, 100, ACK)), 'X');
  // Without a SYN (joined mid-stream) the first segment sets the sender's next number.
  const mid = new Int32Array(2);
  assert.equal(markLetter(markCode(mid, 0, 5000, 10, ACK)), 'D');
  assert.equal(markLetter(markCode(mid, 0, 5000, 10, ACK)), 'X');
});

test('flow marks: each end of a flow keeps at least MARKS_PER_SIDE_MIN and the page at most HTML_MAX_MARKS', () => {
  assert.equal(marksPerSide(1), MARKS_PER_SIDE_MAX);
  for (const flows of [1, 10, 199, 200, 201, 5000, 20_000, 100_000]) {
    const side = marksPerSide(flows);
    assert.ok(side >= MARKS_PER_SIDE_MIN && side <= MARKS_PER_SIDE_MAX);
    if (side > MARKS_PER_SIDE_MIN) assert.ok(2 * side * flows <= HTML_MAX_MARKS, `${flows} flows`);
  }
});

async function marksOf(capture: string, bufferWords: number, side: number, memoryWords?: number): Promise<{ flows: FlowReport[]; marks: Map<number, FlowMarks> }> {
  const spill = new SegmentSpill({ bufferWords, memoryWords });
  try {
    const { result } = await analyzeFile(join(ROOT, capture), { allFlows: true, segmentTap: spill, decodeWorkerMinBytes: Infinity });
    const flows = result.flows;
    return { flows, marks: resolveMarks(spill, flows, side) };
  } finally {
    spill.dispose();
  }
}

for (const capture of ['fixtures/path/nat-blackhole.client.pcap', 'fixtures/many-flows.pcap', 'fixtures/public/ethereum.pcap', 'fixtures/public/ipv6.pcap']) {
  test(`flow marks: ${capture}: the same marks with the spill in small pieces, most in its temporary file; a thinned flow keeps its first and last`, async () => {
    const whole = await marksOf(capture, 1 << 18, 10_000);
    const cut = await marksOf(capture, 64, 10_000, 256);
    assert.deepEqual(cut.marks, whole.marks);
    for (const f of whole.flows) {
      const m = whole.marks.get(f.id);
      assert.ok(m !== undefined);
      assert.equal(m.segments, f.packets, `flow ${f.id}`);
      assert.equal(m.kinds.length, f.packets);
      assert.equal(m.frames[0], f.firstFrame);
      assert.equal(m.frames[m.frames.length - 1], f.lastFrame);
    }
    const side = 3;
    const thin = await marksOf(capture, 64, side);
    let thinned = 0;
    for (const f of whole.flows) {
      const all = whole.marks.get(f.id)!, some = thin.marks.get(f.id)!;
      const keep = (list: readonly number[]): number[] => (list.length <= 2 * side ? [...list] : [...list.slice(0, side), ...list.slice(-side)]);
      assert.deepEqual(some.frames, keep(all.frames), `flow ${f.id}`);
      assert.deepEqual(some.times, keep(all.times));
      const letters = [...all.kinds];
      assert.equal(some.kinds, (letters.length <= 2 * side ? letters : [...letters.slice(0, side), ...letters.slice(-side)]).join(''));
      assert.equal(some.thinned, Math.max(0, f.packets - 2 * side));
      assert.equal(some.cut, f.packets > 2 * side ? side : -1);
      thinned += some.thinned;
    }
    assert.ok(thinned > 0);
  });
}
