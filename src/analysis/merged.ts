// `--merge`: several captures analyzed as one trace (capture/merge.ts). Large merges run in the
// decode worker like a large file (in-worker.ts); the frame map says where each frame came from.
import type { FrameMap } from '../capture/frame-map';
import { readMerged, type MergedCaptures } from '../capture/merge';
import type { ProgressFn } from '../capture/types';
import type { AnalysisOptions, AnalysisResult, EventListener } from '../pipeline/back';
import { DECODE_WORKER_MIN_BYTES } from '../runtime/decode-worker-start';
import { limitHeapGrowth } from '../runtime/heap-limits';
import { mergeBytes, takeMergeWorker } from '../runtime/merge-start';
import { analyzeInWorker } from './in-worker';
import { Analysis } from './one-thread';

export interface MergedAnalysis {
  readonly merged: MergedCaptures;
  readonly result: AnalysisResult;
}

/**
 * Analyzes `files` as one trace. `frames` (made by the caller, so an event listener can use it
 * while the analysis runs) is filled as the merge goes. Never throws for bad input.
 */
export async function analyzeMerged(files: readonly string[], frames: FrameMap, opts: AnalysisOptions = {},
  onEvent: EventListener | null = null, onProgress?: ProgressFn): Promise<MergedAnalysis> {
  if (mergeBytes(files) >= (opts.decodeWorkerMinBytes ?? DECODE_WORKER_MIN_BYTES)) {
    return analyzeMergeInWorker(files, frames, opts, onEvent, onProgress);
  }
  limitHeapGrowth();
  const analysis = new Analysis(opts, onEvent);
  const merged = await readMerged(files, analysis.front, frames, { onProgress });
  return { merged, result: analysis.finish() };
}

/** The merge read and decoded by a worker (the one bin/keepalive.js started early, if any). */
async function analyzeMergeInWorker(files: readonly string[], frames: FrameMap, opts: AnalysisOptions,
  onEvent: EventListener | null, onProgress?: ProgressFn): Promise<MergedAnalysis> {
  const { started, channel } = takeMergeWorker(files, opts.dupWindowMs);
  channel.attach(frames);
  try {
    const out = await analyzeInWorker(started.file, opts, onEvent, onProgress, () => started);
    if (out.merged === undefined) throw new Error('decode worker ended without the merge result');
    return { result: out.result, merged: out.merged };
  } finally {
    channel.close(frames);
  }
}
