// An analysis on one thread: the decoding front hands its segment batches straight to the engine.
// Live capture, small files, standard input and the tests use it.
import { readCapture } from '../capture/open';
import type { CaptureInfo, PacketSink, ProgressFn } from '../capture/types';
import { EngineBack, type AnalysisOptions, type AnalysisResult, type EventListener } from '../pipeline/back';
import { CaptureClock } from '../pipeline/capture-clock';
import { DecodingFront } from '../pipeline/front';
import { limitHeapGrowth } from '../runtime/heap-limits';

export class Analysis implements PacketSink {
  /** Takes the capture's records; readers may feed it directly. */
  readonly front: DecodingFront;
  private readonly back: EngineBack;

  constructor(opts: AnalysisOptions = {}, onEvent: EventListener | null = null) {
    const clock = new CaptureClock();
    this.back = new EngineBack(opts, clock, onEvent);
    this.front = new DecodingFront(this.back.sink, clock, opts.dupWindowMs);
  }

  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number, origLen: number): void {
    this.front.packet(frame, linkType, sec, nsec, tsDigits, buf, off, caplen, origLen);
  }

  /** Analyzes the batched segments now (live events are due, or the caller reuses its buffer). */
  flush(): void { this.front.flush(); }

  /** Ends the analysis: open flows are closed out and reported; `endMs` as EngineBack.finish(). */
  finish(endMs?: number): AnalysisResult {
    this.front.flush();
    return this.back.finish(this.front.state(), endMs);
  }
}

/** Reads and analyzes one capture file on this thread. */
export async function analyzeOnOneThread(file: string, opts: AnalysisOptions, onEvent: EventListener | null,
  onProgress?: ProgressFn): Promise<{ capture: CaptureInfo; result: AnalysisResult }> {
  limitHeapGrowth();
  const analysis = new Analysis(opts, onEvent);
  const capture = await readCapture(file, analysis.front, { onProgress, interrupt: opts.interrupt });
  return { capture, result: analysis.finish() };
}
