// A capture file analyzed on two threads: a worker reads and decodes (pipeline/decode-worker.ts)
// while this thread runs the engine on the segments it hands over. Same result as the one-thread
// path (one-thread.ts); it pays off on large files, where reading and decoding are a third of the work.
import { receiveMessageOnPort } from 'node:worker_threads';
import type { CaptureInfo, ProgressFn } from '../capture/types';
import { EngineBack, type AnalysisOptions, type AnalysisResult, type EventListener } from '../pipeline/back';
import { CaptureClock } from '../pipeline/capture-clock';
import type { DecodeDone } from '../pipeline/decode-worker';
import { RingReplay } from '../pipeline/replay';
import { Chunk, CHUNK_WORDS, CHUNKS, type SegmentRing } from '../pipeline/segment-ring';
import { limitHeapGrowth } from '../runtime/heap-limits';
import { takeDecodeWorker, type StartedDecodeWorker } from '../runtime/decode-worker-start';
import type { MergedCaptures } from '../capture/merge';
import { warmUpEngine } from '../runtime/warm-up';
import { INTERRUPT_CHECK_MS, STOP_READING } from '../capture/interrupt';

/** How often the reader looks for a failed worker while it waits for segments. */
const WAIT_MS = 250;

export async function analyzeInWorker(file: string, opts: AnalysisOptions, onEvent: EventListener | null,
  onProgress?: ProgressFn, start: () => StartedDecodeWorker = () => takeDecodeWorker(file, opts.dupWindowMs),
): Promise<{ capture: CaptureInfo; result: AnalysisResult; merged?: MergedCaptures }> {
  const back = new EngineBack(opts, new CaptureClock(), onEvent);
  const replay = new RingReplay(back.sink, back.clock);
  // Often started already by bin/keepalive.js, while this program's modules loaded.
  const started = start();
  const { ring, worker, port: port1 } = started;
  // While the worker starts and reads its first segments, this thread has nothing else to do.
  warmUpEngine();
  try {
    let updates = 0;
    let lastYield = Date.now(), stopSent = false;
    for (let chunk = 0; ; chunk = (chunk + 1) % CHUNKS) {
      if (opts.interrupt !== undefined) {
        // With the ring full this loop never waits: let a Ctrl-C handler run now and then. The
        // worker stops reading when told; the segments it wrote before are still analyzed.
        const now = Date.now();
        if (now - lastYield >= INTERRUPT_CHECK_MS) { lastYield = now; await opts.interrupt.breathe(); }
        if (opts.interrupt.requested && !stopSent) { port1.postMessage(STOP_READING); stopSent = true; }
      }
      while (ring.state(chunk) !== Chunk.Full) {
        if (started.failure !== null) throw new Error(started.failure);
        await ring.waitFull(chunk, WAIT_MS);
        if (opts.interrupt?.requested === true && !stopSent) { port1.postMessage(STOP_READING); stopSent = true; }
      }
      const n = ring.count(chunk);
      // Now, not earlier: the worker has started (its segments are here), and a V8 flag changed
      // while it started would have made it reject node's code cache (src/runtime/heap-limits.ts).
      if (chunk === 0) limitHeapGrowth();
      if (n === 0) break;
      replay.setClockBase(ring.progress[4], ring.progress[5]);
      replay.replay(ring, chunk * CHUNK_WORDS, chunk * CHUNK_WORDS + n);
      ring.release(chunk);
      updates = progress(ring, updates, onProgress);
    }
    progress(ring, updates, onProgress);
    const done = receiveMessageOnPort(port1)?.message as DecodeDone | undefined;
    if (done === undefined || done.capture === null || done.front === null) throw new Error(done?.error ?? 'decode worker ended without a result');
    return { capture: done.capture, result: back.finish(done.front), merged: done.merged };
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/** Passes on the worker's latest progress report if there is a new one; returns the reports seen. */
function progress(ring: SegmentRing, seen: number, onProgress: ProgressFn | undefined): number {
  const pr = ring.progress;
  if (onProgress === undefined || pr[3] === seen) return seen;
  onProgress(pr[0], pr[1] < 0 ? null : pr[1], pr[2]);
  return pr[3];
}
