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
import { RingWriter, SegmentRing } from './segment-ring';

export interface DecodeJob {
  readonly file: string;
  readonly sab: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** Posted once before the end mark. */
export interface DecodeDone {
  readonly capture: CaptureInfo | null;
  readonly front: FrontState | null;
  /** An internal failure of the worker, one line. */
  readonly error: string | null;
}

async function run(job: DecodeJob): Promise<void> {
  const writer = new RingWriter(new SegmentRing(job.sab));
  let done: DecodeDone;
  try {
    const clock = new CaptureClock();
    writer.source = clock;
    const front = new DecodingFront(writer, clock);
    const interrupt = new Interrupt();
    job.port.on('message', (m: unknown) => { if (m === STOP_READING) interrupt.request(); });
    const capture = await readCapture(job.file, front, { onProgress: (b, t, f) => writer.progress(b, t, f), interrupt });
    job.port.removeAllListeners('message');
    front.flush();
    done = { capture, front: front.state(), error: null };
  } catch (e) {
    done = { capture: null, front: null, error: e instanceof Error ? e.message : String(e) };
  }
  job.port.postMessage(done);
  writer.end();
}

void run(workerData as DecodeJob);
