// `--merge` on two threads, the worker's side: it merges and decodes the files, and posts the new
// runs of the frame map before it hands over each chunk of segments (merge-start.ts has the other
// side).
import type { MessagePort } from 'node:worker_threads';
import { FrameMap } from '../capture/frame-map';
import { readMerged, type MergedCaptures } from '../capture/merge';
import type { ProgressFn } from '../capture/types';
import type { DecodingFront } from './front';
import type { RingWriter } from './segment-ring';

export interface MergeJob {
  readonly files: readonly string[];
  /** Where the worker posts FrameRuns. */
  readonly runs: MessagePort;
}

/** The worker's side: reads the merge into the ring, posting runs before each chunk. */
export async function readMergedForRing(job: MergeJob, front: DecodingFront, writer: RingWriter,
  onProgress: ProgressFn): Promise<MergedCaptures> {
  const frames = new FrameMap();
  let posted = 0;
  const post = (): void => {
    if (frames.runs === posted) return;
    job.runs.postMessage(frames.slice(posted));
    posted = frames.runs;
  };
  writer.beforePublish = post;
  const merged = await readMerged(job.files, front, frames, { onProgress });
  front.flush();
  post();
  return merged;
}

