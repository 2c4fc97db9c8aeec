// The HTML report's segment marks (report/flow-marks.ts) against tshark, on every bundled capture:
// each flow's marks are its segments, frame by frame; its retransmissions are the frames tshark
// calls tcp.analysis.retransmission (fast and spurious included) or tcp.analysis.out_of_order, less
// its keep-alives; its data marks are tshark's tcp.len > 0 less those. Copies are not folded
// (--dup-window 0), as tshark does not fold them. Captures whose flows tshark keys differently
// (tunnel tenants with the same inner addresses) are checked only for one mark per counted packet.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import type { JsonReport } from '../../src/report/json';
import { ROOT, run } from '../cli/run';
import { hasTshark, pageJson, pageMarks, segmentsOf, tsharkSegments } from './tshark-segments';

const OUT = join(ROOT, 'dist', 'test-output', 'html-marks');
const captures = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((n) => /\.(pcap|pcapng)(\.gz)?$/.test(n)).sort().map((n) => join(dir, n));
const ALL = [...captures('fixtures'), ...captures('fixtures/path'), ...captures('fixtures/captures'), ...captures('fixtures/public')];
/** Tunnel captures: tshark's conversations ignore the tenant (VNI, key …) that keys our flows. */
const TSHARK_KEYS_DIFFER = (file: string): boolean => /tunnel-|vxlan/.test(file);

function page(capture: string, extra: readonly string[]): { file: string; json: JsonReport } {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${capture.replace(/[/.]/g, '_')}${extra.length ? '-nodup' : ''}.html`);
  const r = run(['analyze', '--format', 'html', '--all-flows', ...extra, '-o', file, join(ROOT, capture)]);
  assert.ok(r.code === 0 || r.code === 2, r.stderr); // 2: a damaged capture, reported up to the damage
  const html = readFileSync(file, 'utf8');
  return { file, json: { ...pageJson<JsonReport>(html, 'report-data') } };
}

for (const capture of ALL) {
  test(`html marks: ${capture}: one mark per segment of each flow, in frame order`, () => {
    const { file, json } = page(capture, []);
    const marks = pageMarks(file);
    for (const f of json.flows) {
      const m = marks.get(`${f.capture}:${f.id}`);
      assert.ok(m !== undefined, `${f.id}: marks`);
      assert.equal(m.segments, f.packets, `${f.id}: segments`);
      assert.equal(m.marks.length + m.thinned, f.packets);
      assert.equal(m.marks[0].frame, f.firstFrame);
      assert.equal(m.marks[m.marks.length - 1].frame, f.lastFrame);
      for (let i = 1; i < m.marks.length; i++) assert.ok(m.marks[i].frame > m.marks[i - 1].frame, `${f.id}: frame order`);
    }
  });

  if (TSHARK_KEYS_DIFFER(capture)) continue;
  test(`html marks: ${capture}: data, RSTs and retransmissions are tshark's`, (t) => {
    if (!hasTshark()) { t.skip('tshark not installed (apt-get install tshark)'); return; }
    const { file, json } = page(capture, ['--dup-window', '0']);
    const marks = pageMarks(file);
    const ts = tsharkSegments(join(ROOT, capture));
    let resent = 0;
    for (const f of json.flows) {
      const m = marks.get(`${f.capture}:${f.id}`);
      assert.ok(m !== undefined && m.thinned === 0, `${f.id}: all marks`);
      const mine = segmentsOf(f, ts);
      assert.deepEqual(m.marks.map((k) => k.frame), mine.map((s) => s.frame), `${f.id}: frames`);
      const framesWhere = (keep: (s: (typeof mine)[number]) => boolean): number[] => mine.filter(keep).map((s) => s.frame);
      const retransmitted = (s: (typeof mine)[number]): boolean => s.resent && !s.keepAlive;
      assert.deepEqual(m.marks.filter((k) => k.kind === 'retransmission').map((k) => k.frame), framesWhere(retransmitted), `${f.id}: retransmissions`);
      assert.deepEqual(m.marks.filter((k) => k.len > 0 && k.kind !== 'retransmission').map((k) => k.frame),
        framesWhere((s) => s.len > 0 && !retransmitted(s)), `${f.id}: data`);
      assert.deepEqual(m.marks.filter((k) => k.kind === 'rst').map((k) => k.frame), framesWhere((s) => s.rst), `${f.id}: RSTs`);
      assert.deepEqual(m.marks.map((k) => k.len), mine.map((s) => s.len), `${f.id}: lengths`);
      resent += framesWhere(retransmitted).length;
    }
    // The checks above are not vacuous: the cut NAT path's client retransmits into the void.
    if (capture.endsWith('nat-blackhole.client.pcap')) assert.ok(resent > 0);
  });
}
