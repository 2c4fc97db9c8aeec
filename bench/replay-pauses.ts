// `node dist/bench/replay-pauses.js FILE [PASSES]`: how much of the engine's time is its own work
// and how much is the machine pausing it. The capture is decoded once into ring records held in
// memory (as the decode worker writes them); then each pass replays them through a fresh EngineBack
// on this thread, timing every ring chunk (up to 1024 segments). A chunk's normal cost is a fraction of a
// millisecond, so the chunks at the median rate show the work, and the few chunks hundreds of times
// slower show pauses (bench/README.md). Not part of `npm run bench`: it holds the
// whole decoded capture in memory (128 bytes per segment).
import { CaptureClock } from '../src/pipeline/capture-clock';
import { EngineBack } from '../src/pipeline/back';
import { DecodingFront } from '../src/pipeline/front';
import { RingReplay } from '../src/pipeline/replay';
import { readCapture } from '../src/capture/open';
import { CHUNK_WORDS, RingWriter, SegmentRing } from '../src/pipeline/segment-ring';
import { metaWords, SegmentWord } from '../src/decode/segment-record';

/** A published chunk: its words (`count` of them) and the records they hold. */
interface SavedChunk { readonly words: Int32Array; readonly count: number; readonly records: number; readonly epochSec: number; readonly firstRec: number }

/** A ring whose chunks are copied out as they are published, so the writer never waits. */
class RecordingRing extends SegmentRing {
  readonly chunks: SavedChunk[] = [];
  override publish(chunk: number, count: number): void {
    if (count === 0) return;
    const base = chunk * CHUNK_WORDS;
    const words = this.i32.slice(base, base + count);
    let records = 0;
    for (let r = 0; r < count; r += metaWords(words[r + SegmentWord.Meta])) records++;
    this.chunks.push({ words, count, records, epochSec: this.progress[4], firstRec: this.progress[5] });
  }
  override waitEmpty(): void { /* chunks were copied out: always empty */ }
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main(): Promise<void> {
  const file = process.argv[2];
  const passes = Math.max(1, Number(process.argv[3] ?? '3') || 3);
  if (file === undefined) { process.stderr.write('usage: node dist/bench/replay-pauses.js FILE [PASSES]\n'); process.exitCode = 2; return; }
  const ring = new RecordingRing();
  const writer = new RingWriter(ring);
  const frontClock = new CaptureClock();
  writer.source = frontClock;
  const front = new DecodingFront(writer, frontClock);
  const info = await readCapture(file, front, {});
  front.flush();
  writer.end(); // publishes the last, partly filled chunk
  if (info.error !== null) process.stderr.write(`${file}: ${info.error} (replaying what was read)\n`);
  const segments = ring.chunks.reduce((n, c) => n + c.records, 0);
  process.stdout.write(`${file}: ${segments.toLocaleString('en-US')} segments in ${ring.chunks.length} chunks\n`);
  if (segments === 0) { process.exitCode = 2; return; }
  const state = front.state();
  for (let pass = 1; pass <= passes; pass++) {
    const back = new EngineBack({}, new CaptureClock(), null);
    const replay = new RingReplay(back.engine, back.clock);
    const perSegmentNs: number[] = [];
    let totalNs = 0;
    for (const c of ring.chunks) {
      ring.i32.set(c.words, 0);
      replay.setClockBase(c.epochSec, c.firstRec);
      const t0 = process.hrtime.bigint();
      replay.replay(ring, 0, c.count);
      const ns = Number(process.hrtime.bigint() - t0);
      totalNs += ns;
      perSegmentNs.push(ns / c.records);
    }
    back.finish(state).reports.dispose();
    const sorted = perSegmentNs.slice().sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    const atMedian = median * segments / 1e6;
    const slow = sorted.filter((x) => x > 10 * median);
    const slowMs = ring.chunks.reduce((s, c, i) => s + (perSegmentNs[i] > 10 * median ? perSegmentNs[i] * c.records : 0), 0) / 1e6;
    process.stdout.write(`pass ${pass}: replay ${(totalNs / 1e6).toFixed(0)} ms; per segment p10 ${quantile(sorted, 0.1).toFixed(0)} ns, ` +
      `median ${median.toFixed(0)} ns, p90 ${quantile(sorted, 0.9).toFixed(0)} ns, p99 ${quantile(sorted, 0.99).toFixed(0)} ns; ` +
      `all segments at the median rate ${atMedian.toFixed(0)} ms; ${slow.length} chunks over 10× the median took ${slowMs.toFixed(0)} ms\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`replay-pauses: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
