// One analysis of a capture file: on one thread (one-thread.ts), or, for a large regular file, with
// a decode worker reading and decoding while this thread runs the engine (in-worker.ts).
import type { CaptureInfo, ProgressFn } from '../capture/types';
import type { AnalysisOptions, AnalysisResult, EventListener } from '../pipeline/back';
import { DECODE_WORKER_MIN_BYTES, wantsDecodeWorker } from '../runtime/decode-worker-start';
import { analyzeInWorker } from './in-worker';
import { analyzeOnOneThread } from './one-thread';

export { Analysis } from './one-thread';
export {
  DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_MAX_FLOWS, type AnalysisOptions, type AnalysisResult, type EventListener,
} from '../pipeline/back';
// Defined beside the worker's start, which bin/keepalive.js loads before this module.
export { DECODE_WORKER_MIN_BYTES };

/** Reads and analyzes one capture file (`-` = stdin). Never throws for bad input. */
export async function analyzeFile(file: string, opts: AnalysisOptions = {}, onEvent: EventListener | null = null,
  onProgress?: ProgressFn): Promise<{ capture: CaptureInfo; result: AnalysisResult }> {
  return wantsDecodeWorker(file, opts.decodeWorkerMinBytes)
    ? analyzeInWorker(file, opts, onEvent, onProgress)
    : analyzeOnOneThread(file, opts, onEvent, onProgress);
}
