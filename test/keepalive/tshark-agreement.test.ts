// Frame-for-frame agreement with tshark's tcp.analysis.keep_alive / keep_alive_ack, an
// independent implementation. Every disagreement must fall in one of the documented cases where
// tshark is wrong (README "Where we differ from Wireshark"); anything else fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../src/analysis';
import type { KeepaliveEvent } from '../../src/keepalive/model';

const ROOT = join(__dirname, '..', '..', '..', 'fixtures');
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

interface TsharkLabels {
  readonly keepAlive: Set<number>;
  readonly keepAliveAck: Set<number>;
  /** Dup ACK, "previous segment not captured", "ACKed unseen segment". */
  readonly dupOrLost: Set<number>;
  /** Segments whose sender had already sent a FIN in that tcp.stream. */
  readonly afterFin: Set<number>;
}

/** One tshark pass per capture: the analysis flags of every TCP frame. */
function tsharkLabels(file: string): TsharkLabels {
  const fields = ['frame.number', 'tcp.stream', 'tcp.srcport', 'tcp.flags.fin', 'tcp.analysis.keep_alive',
    'tcp.analysis.keep_alive_ack', 'tcp.analysis.duplicate_ack', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment'];
  const out = execFileSync('tshark', ['-r', file, '-Y', 'tcp', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 }).toString();
  const l: TsharkLabels = { keepAlive: new Set(), keepAliveAck: new Set(), dupOrLost: new Set(), afterFin: new Set() };
  const finSent = new Set<string>();
  for (const row of out.split('\n')) {
    const [frame, stream, port, fin, ka, kaAck, dup, lost, ackLost] = row.split('\t');
    if (!frame) continue;
    const n = Number(frame);
    if (ka) l.keepAlive.add(n);
    if (kaAck) l.keepAliveAck.add(n);
    if (dup || lost || ackLost) l.dupOrLost.add(n);
    const key = `${stream}/${port}`;
    if (finSent.has(key)) l.afterFin.add(n);
    if (fin === '1' || fin === 'True') finSent.add(key);
  }
  return l;
}

const captures = [
  ...(existsSync(join(ROOT, 'public')) ? readdirSync(join(ROOT, 'public')).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(ROOT, 'public', f)) : []),
  ...(existsSync(ROOT) ? readdirSync(ROOT).filter((f) => f.endsWith('.pcap')).map((f) => join(ROOT, f)) : []),
];

for (const file of captures) {
  test(`agrees with tshark frame for frame: ${file.slice(ROOT.length + 1)}`, async (t) => {
    if (!hasTshark) { t.skip('tshark is not installed (apt-get install tshark)'); return; }
    const events: KeepaliveEvent[] = [];
    await analyzeFile(file, {}, (e) => events.push(e));
    const ours = new Map<number, KeepaliveEvent>();
    for (const e of events) ours.set(e.frame, e);
    const probes = new Set(events.filter((e) => e.type === 'probe').map((e) => e.frame as number));
    const acks = new Set(events.filter((e) => e.type === 'probe-ack').map((e) => e.frame as number));
    const zwp = new Set(events.filter((e) => e.type === 'zero-window-probe').map((e) => e.frame as number));

    const labels = tsharkLabels(file);
    const tsKa = labels.keepAlive, tsAck = labels.keepAliveAck, tsDup = labels.dupOrLost;
    // A pure ACK carrying the sequence number of a FIN already sent is no probe, but tshark's
    // nextseq counted the FIN (psiphon3 frame 58).
    const tsAfterFin = labels.afterFin;

    const unexplained: string[] = [];
    for (const f of probes) {
      if (tsKa.has(f)) continue;
      const e = ours.get(f);
      // tshark has no state before a direction's first segment: mid-stream probes go unlabelled,
      // and after a probe set its nextseq the next ones become "Dup ACK" (facts §5).
      const late = events.some((x) => x.type === 'probe' && x.frame === f && x.late);
      if (late || tsDup.has(f)) continue;
      unexplained.push(`frame ${f}: our probe (${e?.from}) not a tshark Keep-Alive`);
    }
    for (const f of tsKa) {
      if (probes.has(f)) continue;
      // Linux zero-window probes are built like keepalives; tshark labels them Keep-Alive (facts §2.5).
      if (zwp.has(f)) continue;
      if (tsAfterFin.has(f)) continue;
      unexplained.push(`frame ${f}: tshark Keep-Alive we do not call a probe`);
    }
    for (const f of acks) {
      if (tsAck.has(f)) continue;
      const e = ours.get(f);
      const probeFrame = e && e.type === 'probe-ack' ? (e.probeFrame as number) : 0;
      // tshark only labels the ACK when the segment just before it was its own Keep-Alive with an
      // unchanged window; crossing probes and unlabelled probes leave it a Dup ACK or unlabelled.
      if (!tsKa.has(probeFrame) || tsDup.has(f)) continue;
      unexplained.push(`frame ${f}: our probe ACK (for probe ${probeFrame}) not a tshark Keep-Alive ACK`);
    }
    for (const f of tsAck) {
      if (!acks.has(f)) unexplained.push(`frame ${f}: tshark Keep-Alive ACK we do not call a probe answer`);
    }
    assert.deepEqual(unexplained, []);
    // The agreement must not be vacuous where tshark sees keepalives.
    if ([...tsKa].some((f) => !tsAfterFin.has(f))) assert.ok(probes.size + zwp.size > 0);
  });
}
