// The decode worker: reads and decodes one capture (readCapture + the DecodingFront, as on one
// thread) and writes the segments into the ring; the engine runs on the main thread.
// At the end it posts the capture info and the front state, then marks the ring's end.
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { readCapture } from '../capture/open';
import { Interrupt, STOP_READING } from '../capture/interrupt';
import type { CaptureInfo } from '../capture/types';
import { CaptureClock } from './capture-clock';
import { DecodingFront } from './front';
import type { FrontState } from './segment-sink';
import type { MergedCaptures } from '../capture/merge';
import { mergedCaptureInfo } from '../capture/merged-info';
import { readMergedForRing, type MergeJob } from './merge-ring';
import { RingWriter, SegmentRing } from './segment-ring';

export interface DecodeJob {
  readonly file: string;
  readonly sab: SharedArrayBuffer;
  readonly port: MessagePort;
  /** Set for `--merge`: these files are read as one trace (`file` is only a label). */
  readonly merge?: MergeJob;
  /** AnalysisOptions.dupWindowMs. */
  readonly dupWindowMs?: number;
}

/** Posted once before the end mark. */
export interface DecodeDone {
  readonly capture: CaptureInfo | null;
  readonly front: FrontState | null;
  /** An internal failure of the worker, one line. */
  readonly error: string | null;
  /** The inputs of a merge (DecodeJob.merge). */
  readonly merged?: MergedCaptures;
}

async function run(job: DecodeJob): Promise<void> {
  const writer = new RingWriter(new SegmentRing(job.sab));
  let done: DecodeDone;
  try {
    const clock = new CaptureClock();
    writer.source = clock;
    const front = new DecodingFront(writer, clock, job.dupWindowMs);
    const onProgress = (b: number, t: number | null, f: number): void => writer.progress(b, t, f);
    if (job.merge !== undefined) {
      const merged = await readMergedForRing(job.merge, front, writer, onProgress);
      done = { capture: mergedCaptureInfo(job.file, merged), front: front.state(), error: null, merged };
    } else {
      const interrupt = new Interrupt();
      job.port.on('message', (m: unknown) => { if (m === STOP_READING) interrupt.request(); });
      const capture = await readCapture(job.file, front, { onProgress, interrupt });
      job.port.removeAllListeners('message');
      front.flush();
      done = { capture, front: front.state(), error: null };
    }
  } catch (e) {
    done = { capture: null, front: null, error: e instanceof Error ? e.message : String(e) };
  }
  job.port.postMessage(done);
  writer.end();
}

void run(workerData as DecodeJob);
