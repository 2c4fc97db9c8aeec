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
  /** Segments sent while the last window the other direction advertised (tshark's tcp.window_size) was 0. */
  readonly towardsZeroWindow: Set<number>;
}

/** One tshark pass per capture: the analysis flags of every TCP frame. */
function tsharkLabels(file: string): TsharkLabels {
  const fields = ['frame.number', 'tcp.stream', 'tcp.srcport', 'tcp.flags.fin', 'tcp.analysis.keep_alive',
    'tcp.analysis.keep_alive_ack', 'tcp.analysis.duplicate_ack', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment',
    'tcp.window_size'];
  const out = execFileSync('tshark', ['-r', file, '-Y', 'tcp', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 }).toString();
  const l: TsharkLabels = { keepAlive: new Set(), keepAliveAck: new Set(), dupOrLost: new Set(), afterFin: new Set(), towardsZeroWindow: new Set() };
  const finSent = new Set<string>();
  /** Per tcp.stream: the last window each sending port advertised. */
  const lastWindow = new Map<string, Map<string, number>>();
  for (const row of out.split('\n')) {
    const [frame, stream, port, fin, ka, kaAck, dup, lost, ackLost, window] = row.split('\t');
    if (!frame) continue;
    const n = Number(frame);
    if (ka) l.keepAlive.add(n);
    if (kaAck) l.keepAliveAck.add(n);
    if (dup || lost || ackLost) l.dupOrLost.add(n);
    const key = `${stream}/${port}`;
    if (finSent.has(key)) l.afterFin.add(n);
    if (fin === '1' || fin === 'True') finSent.add(key);
    const windows = lastWindow.get(stream) ?? new Map<string, number>();
    for (const [p, w] of windows) if (p !== port && w === 0) l.towardsZeroWindow.add(n);
    windows.set(port, Number(window));
    lastWindow.set(stream, windows);
  }
  return l;
}

/**
 * Each disagreement with tshark, by the README's cases ("Where we differ from Wireshark"):
 * - zeroWindow: tshark Keep-Alive, our zero-window-probe, sent towards a zero window (tshark's own window field);
 * - probe: our probe that tshark leaves unlabelled or calls Dup ACK (capture started mid-idle);
 * - ack: our probe ACK that tshark does not label, because its probe was not its Keep-Alive or it calls the ACK a Dup ACK
 *   (mid-idle probes, both ends probing at once);
 * - afterFin: tshark Keep-Alive at the sequence number of a FIN its sender sent and the peer had not yet ACKed (the
 *   FIN is in flight; once it is ACKed, a segment at its seq is a probe for both: half-close captures).
 */
type Kind = 'zeroWindow' | 'probe' | 'ack' | 'afterFin';
type Disagreements = Partial<Record<Kind, number[]>>;

/** The disagreements the README documents, frame by frame; every other capture must agree exactly. */
const DOCUMENTED: Readonly<Record<string, Disagreements>> = {
  'public/tcp_zerowindowdead.pcapng': { zeroWindow: [3, 5, 7] },
  'zero-window.pcap': { zeroWindow: [8, 10, 11, 13, 15, 17] },
  'public/nest_log_sink.pcap': { probe: [1, 5], ack: [2, 6, 8, 889] },
  'midstream.pcap': { probe: [1, 3, 5], ack: [2, 4, 6] },
  'both-probe.pcap': { ack: [17] },
  // both-probe.pcap's frames come first in the stepped-back capture (fixtures/scripts/step-back.sh).
  'derived/step-back.pcap': { ack: [17] },
  'public/psiphon3.pcap': { afterFin: [58] },
};

const captures = [
  ...(existsSync(join(ROOT, 'public')) ? readdirSync(join(ROOT, 'public')).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(ROOT, 'public', f)) : []),
  ...(existsSync(ROOT) ? readdirSync(ROOT).filter((f) => f.endsWith('.pcap')).map((f) => join(ROOT, f)) : []),
  ...(existsSync(join(ROOT, 'path')) ? readdirSync(join(ROOT, 'path')).filter((f) => /^(half-close|oneway-cut)\..*\.pcap$/.test(f)).map((f) => join(ROOT, 'path', f)) : []),
  // A capture whose clock steps back (issue #22, rule 5): tshark and we both follow each flow's own time.
  join(ROOT, 'derived', 'step-back.pcap'),
];

test('every documented disagreement names a bundled capture', () => {
  const names = new Set(captures.map((f) => f.slice(ROOT.length + 1)));
  for (const name of Object.keys(DOCUMENTED)) assert.ok(names.has(name), name);
});

for (const file of captures) {
  const name = file.slice(ROOT.length + 1);
  test(`agrees with tshark frame for frame: ${name}`, async (t) => {
    if (!hasTshark) { t.skip('tshark is not installed (apt-get install tshark)'); return; }
    const events: KeepaliveEvent[] = [];
    await analyzeFile(file, {}, (e) => events.push(e));
    const framesOf = (type: KeepaliveEvent['type']): Set<number> => new Set(events.filter((e) => e.type === type).map((e) => e.frame as number));
    const probes = framesOf('probe'), acks = framesOf('probe-ack'), zwp = framesOf('zero-window-probe');
    const anyEvent = new Set(events.map((e) => e.frame as number));
    const ts = tsharkLabels(file);

    const found: Record<Kind, number[]> = { zeroWindow: [], probe: [], ack: [], afterFin: [] };
    const unexplained: string[] = [];
    for (const f of probes) {
      if (ts.keepAlive.has(f)) continue;
      // tshark has no state before a direction's first segment: mid-stream probes go unlabelled,
      // and after a probe set its nextseq the next ones become "Dup ACK" (facts §5).
      if (!ts.keepAliveAck.has(f)) found.probe.push(f);
      else unexplained.push(`frame ${f}: our probe, tshark's Keep-Alive ACK`);
    }
    for (const f of ts.keepAlive) {
      if (probes.has(f)) continue;
      // Linux zero-window probes are built like keepalives; tshark labels them Keep-Alive (facts §2.5).
      if (zwp.has(f) && ts.towardsZeroWindow.has(f)) found.zeroWindow.push(f);
      else if (ts.afterFin.has(f) && !anyEvent.has(f)) found.afterFin.push(f);
      else unexplained.push(`frame ${f}: tshark Keep-Alive we do not call a probe`);
    }
    for (const f of acks) {
      if (ts.keepAliveAck.has(f)) continue;
      const e = events.find((x) => x.type === 'probe-ack' && x.frame === f);
      const probeFrame = e && e.type === 'probe-ack' ? (e.probeFrame as number) : 0;
      // tshark only labels the ACK when the segment just before it was its own Keep-Alive with an
      // unchanged window; crossing probes and unlabelled probes leave it a Dup ACK or unlabelled.
      if (!ts.keepAlive.has(probeFrame) || ts.dupOrLost.has(f)) found.ack.push(f);
      else unexplained.push(`frame ${f}: our probe ACK (for probe ${probeFrame}) not a tshark Keep-Alive ACK`);
    }
    for (const f of ts.keepAliveAck) {
      if (!acks.has(f)) unexplained.push(`frame ${f}: tshark Keep-Alive ACK we do not call a probe answer`);
    }
    assert.deepEqual(unexplained, []);
    const documented = DOCUMENTED[name] ?? {};
    const got: Disagreements = {};
    for (const k of Object.keys(found) as Kind[]) if (found[k].length > 0) got[k] = found[k].sort((a, b) => a - b);
    assert.deepEqual(got, documented, 'disagreements with tshark other than the documented ones (README "Where we differ from Wireshark")');
    // The agreement must not be vacuous where tshark sees keepalives.
    if ([...ts.keepAlive].some((f) => !ts.afterFin.has(f))) assert.ok(probes.size + zwp.size > 0);
  });
}
