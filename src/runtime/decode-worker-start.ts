// Starting the decode worker, possibly before the rest of the program has loaded. A worker takes
// tens to hundreds of milliseconds to boot, and the CLI's modules (yargs, the engine, the report
// writers) as long again to load; bin/keepalive.js starts the worker for the first capture named on
// the command line (prestartDecodeWorker) before it loads them, so the two overlap. Only this
// module and the ring are loaded for that. analyzeInWorker takes the started worker if it is for
// the same file; one nobody takes just reads until the ring is full and ends with the process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { DecodeJob } from '../pipeline/decode-worker';
import type { MergeJob } from '../pipeline/merge-ring';
import { SegmentRing } from '../pipeline/segment-ring';
import { DEFAULT_DUP_WINDOW_MS } from '../decode/duplicates';

/** Below this a file is analyzed on one thread: a worker takes tens of ms to start. */
export const DECODE_WORKER_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Whether `file` is read by a decode worker: a regular file of at least `minBytes`. Pipes,
 * devices, standard input and missing files stay on one thread, whose reader reports the last two.
 */
export function wantsDecodeWorker(file: string, minBytes = DECODE_WORKER_MIN_BYTES): boolean {
  if (file === '-') return false;
  try {
    const st = fs.statSync(file);
    return st.isFile() && st.size >= minBytes;
  } catch { return false; }
}

/** A decode worker at work on one file, and what went wrong with it so far. */
export interface StartedDecodeWorker {
  readonly file: string;
  readonly worker: Worker;
  readonly ring: SegmentRing;
  /** Where the worker posts its DecodeDone. */
  readonly port: MessagePort;
  /** Set by the worker's error or non-zero exit (listened to from the start, so none is missed). */
  failure: string | null;
  /** The --dup-window it was started with (undefined: the default). */
  readonly dupWindowMs: number | undefined;
}

let prestarted: StartedDecodeWorker | null = null;

export function startDecodeWorker(file: string, dupWindowMs?: number, merge?: MergeJob): StartedDecodeWorker {
  const ring = new SegmentRing();
  const { port1, port2 } = new MessageChannel();
  const job: DecodeJob = merge === undefined ? { file, sab: ring.sab, port: port2, dupWindowMs } : { file, sab: ring.sab, port: port2, dupWindowMs, merge };
  const transferList = merge === undefined ? [port2] : [port2, merge.runs];
  const worker = new Worker(path.join(__dirname, '..', 'pipeline', 'decode-worker.js'), { workerData: job, transferList });
  const started: StartedDecodeWorker = { file, worker, ring, port: port1, failure: null, dupWindowMs };
  worker.on('error', (e) => { started.failure ??= e.message; });
  worker.on('exit', (code) => { if (code !== 0) started.failure ??= `decode worker exited with code ${code}`; });
  return started;
}

/** The worker started early for `file`, or a new one. */
export function takeDecodeWorker(file: string, dupWindowMs?: number): StartedDecodeWorker {
  const p = prestarted;
  if (p !== null && p.file === file && (p.dupWindowMs ?? DEFAULT_DUP_WINDOW_MS) !== (dupWindowMs ?? DEFAULT_DUP_WINDOW_MS)) {
    prestarted = null; // started before the options were read: it would fold with the wrong window
    void p.worker.terminate();
    return startDecodeWorker(file, dupWindowMs);
  }
  if (p !== null && p.file === file) {
    prestarted = null;
    p.worker.ref();
    p.port.ref();
    return p;
  }
  return startDecodeWorker(file, dupWindowMs);
}

/** Whether a worker started early is still waiting to be taken (tests). */
export function prestartedFor(): string | null {
  return prestarted?.file ?? null;
}

/**
 * Starts the decode worker for `file` now if the analysis will want one (a regular file of at
 * least `minBytes`). It neither keeps the process alive nor reports anything until taken.
 */
export function prestartDecodeWorker(file: string, minBytes = DECODE_WORKER_MIN_BYTES): void {
  if (prestarted !== null || !wantsDecodeWorker(file, minBytes)) return;
  try {
    prestarted = startDecodeWorker(file);
  } catch {
    return; // analyzeInWorker starts its own and reports what fails
  }
  prestarted.worker.unref();
  prestarted.port.unref();
}
