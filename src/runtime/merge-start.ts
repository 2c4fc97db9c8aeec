// `--merge` on two threads, the engine thread's side: the decode worker merges and decodes the
// files (pipeline/merge-ring.ts); this thread learns where each frame came from through a port of
// its own. postMessage queues a message at once, and the worker posts the runs of a chunk's frames before
// it hands the chunk over, so receiveMessageOnPort finds the runs of every frame the engine is given.
import * as fs from 'node:fs';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { expandMergeInputs } from '../capture/directory';
import type { FrameMap, FrameRuns } from '../capture/frame-map';
import { mergeLabel } from '../capture/merged-info';
import type { MergeJob } from '../pipeline/merge-ring';
import { DEFAULT_DUP_WINDOW_MS } from '../decode/duplicates';
import { DECODE_WORKER_MIN_BYTES, startDecodeWorker, type StartedDecodeWorker } from './decode-worker-start';

/** The engine thread's side of a merge's runs: the worker's job, and the map its messages fill. */
export class MergeChannel {
  private readonly port: MessagePort;
  readonly job: MergeJob;
  constructor(files: readonly string[]) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.job = { files, runs: port2 };
  }

  /** From now on `frames` takes the runs the worker posts, when it asks for them. */
  attach(frames: FrameMap): void {
    frames.refill = () => {
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) frames.addRuns(m.message as FrameRuns);
    };
  }

  /** Takes the last runs into `frames` and closes the port. */
  close(frames: FrameMap): void {
    frames.refill?.();
    frames.refill = null;
    this.port.close();
  }
}

export function mergeBytes(files: readonly string[]): number {
  let n = 0;
  for (const f of files) { try { n += fs.statSync(f).size; } catch { /* the merge reports it */ } }
  return n;
}

export interface StartedMerge { readonly key: string; readonly started: StartedDecodeWorker; readonly channel: MergeChannel }
let prestarted: StartedMerge | null = null;

function startMerge(files: readonly string[], dupWindowMs?: number): StartedMerge {
  const channel = new MergeChannel(files);
  return { key: files.join('\0'), started: startDecodeWorker(mergeLabel(files.length), dupWindowMs, channel.job), channel };
}

/**
 * As prestartDecodeWorker for one file: bin/keepalive.js starts the worker of a large merge before
 * the CLI's modules load. It neither keeps the process alive nor reports anything until taken.
 */
export function prestartMergeWorker(args: readonly string[], minBytes = DECODE_WORKER_MIN_BYTES): void {
  if (prestarted !== null) return;
  try {
    const { files } = expandMergeInputs(args);
    if (files.length === 0 || mergeBytes(files) < minBytes) return;
    prestarted = startMerge(files);
  } catch {
    return; // the analysis starts its own and reports what fails
  }
  prestarted.started.worker.unref();
  prestarted.started.port.unref();
}

/** The worker started early for these `files`, or a new one. */
export function takeMergeWorker(files: readonly string[], dupWindowMs?: number): StartedMerge {
  let m = prestarted;
  prestarted = null;
  // One started before the options were read folds with the default window only.
  if (m !== null && m.key === files.join('\0') && (m.started.dupWindowMs ?? DEFAULT_DUP_WINDOW_MS) === (dupWindowMs ?? DEFAULT_DUP_WINDOW_MS)) {
    m.started.worker.ref();
    m.started.port.ref();
    return m;
  }
  if (m !== null) void m.started.worker.terminate();
  m = startMerge(files, dupWindowMs);
  return m;
}
