// `node dist/bench/engine-ab.js FILE PASSES BUILD...`: the engines of several builds compared in one
// process. BUILD is a checkout's root with its `dist/` built (this one is `.`). Each build decodes
// the capture once with its own front into ring records held in memory (128 bytes per segment, as
// `bench/replay-pauses.ts` does); then passes alternate between the builds, each a fresh engine
// replaying every record. The first pass (V8 still compiling) is shown but left out of the ratios.
// Alternating within one process puts the builds side by side in time, so the host's drift and
// neighbours hit them alike: two processes of one build differ by up to a third (bench/README.md).
// Not part of `npm run bench`.
import * as path from 'node:path';

interface Chunk { readonly words: Int32Array; readonly count: number; readonly epochSec: number; readonly firstRec: number }
type Pass = () => number;

/** One build's modules, loaded from its `dist/` by path: the builds differ, so nothing is imported statically. */
async function loadBuild(root: string, file: string): Promise<Pass> {
  const src = path.resolve(root, 'dist', 'src');
  const load = (m: string): Record<string, any> => require(path.join(src, m));
  const { CaptureClock } = load('pipeline/capture-clock');
  const { EngineBack } = load('pipeline/back');
  const { DecodingFront } = load('pipeline/front');
  const { RingReplay } = load('pipeline/replay');
  const { readCapture } = load('capture/open');
  const { CHUNK_WORDS, RingWriter, SegmentRing } = load('pipeline/segment-ring');
  const chunks: Chunk[] = [];
  // A ring whose chunks are copied out as they are published, so the writer never waits.
  const ring = new SegmentRing();
  ring.publish = (chunk: number, count: number): void => {
    if (count > 0) chunks.push({ words: ring.i32.slice(chunk * CHUNK_WORDS, chunk * CHUNK_WORDS + count), count, epochSec: ring.progress[4], firstRec: ring.progress[5] });
  };
  ring.waitEmpty = (): void => undefined;
  const writer = new RingWriter(ring), clock = new CaptureClock();
  writer.source = clock;
  const front = new DecodingFront(writer, clock);
  await readCapture(file, front, {});
  front.flush();
  writer.end();
  const state = front.state();
  return () => {
    const back = new EngineBack({}, new CaptureClock(), null);
    const replay = new RingReplay(back.engine, back.clock);
    const t0 = process.hrtime.bigint();
    for (const c of chunks) {
      ring.i32.set(c.words, 0);
      replay.setClockBase(c.epochSec, c.firstRec);
      replay.replay(ring, 0, c.count);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    back.finish(state).reports.dispose();
    return ms;
  };
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

async function main(): Promise<void> {
  const [file, passesArg, ...builds] = process.argv.slice(2);
  const passes = Number(passesArg);
  if (file === undefined || !(passes >= 2) || builds.length === 0) {
    process.stderr.write('usage: node dist/bench/engine-ab.js FILE PASSES(>=2) BUILD...\n');
    process.exitCode = 2;
    return;
  }
  const runs: Pass[] = [];
  for (const b of builds) runs.push(await loadBuild(b, file));
  const ms = builds.map((): number[] => []);
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < builds.length; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      ms[i].push(runs[i]());
    }
  }
  for (let i = 0; i < builds.length; i++) {
    const warm = ms[i].slice(1), ratios = warm.map((x, p) => x / ms[0][p + 1]);
    process.stdout.write(`${builds[i]}: replay ms ${ms[i].map((x) => x.toFixed(0)).join(' ')}; warm min ${Math.min(...warm).toFixed(0)}; ` +
      `per pass against ${builds[0]}: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`engine-ab: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
