// One analysis: capture records → decoder → flow/keepalive engine → reports. Files and live
// capture both feed `Analysis.packet`.
import type { CaptureInfo, PacketSink, ProgressFn } from './capture/types';
import { readCapture } from './capture/open';
import { Decoder } from './decode/decoder';
import type { FlowReport, KeepaliveEvent, Summary } from './keepalive/model';

export interface AnalysisOptions {
  /** Flows silent this long (capture time) are evicted; seconds. */
  readonly idleTimeoutSeconds?: number;
  /** At most this many flows are tracked at once; the least recently active is evicted. */
  readonly maxFlows?: number;
  /** Report every TCP flow, not only those with keepalive or zero-window activity. */
  readonly allFlows?: boolean;
}

export interface AnalysisResult {
  readonly flows: FlowReport[];
  readonly summary: Summary;
  /** ISO 8601 UTC of the first and last record, null when there were none. */
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  /** Engine warnings (timestamps stepping backwards, …), one line each. */
  readonly warnings: string[];
}

export type EventListener = (e: KeepaliveEvent) => void;

export class Analysis implements PacketSink {
  private readonly decoder = new Decoder();
  constructor(readonly opts: AnalysisOptions = {}, private readonly onEvent: EventListener | null = null) {}

  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number, origLen: number): void {
    void frame; void sec; void nsec; void tsDigits; void origLen;
    this.decoder.decode(linkType, buf, off, caplen);
  }

  /** Ends the analysis: open flows are closed out and reported. */
  finish(): AnalysisResult {
    void this.onEvent;
    return {
      flows: [], firstTime: null, lastTime: null, warnings: [],
      summary: { flows: 0, flowsWithKeepalive: 0, probes: 0, zeroWindowProbes: 0, outcomes: { alive: 0, reset: 0, icmp: 0, timeout: 0, unanswered: 0 }, evictedFlows: 0, nonTcpFrames: 0, weird: { ...this.decoder.weird } },
    };
  }
}

/** Reads and analyzes one capture file (`-` = stdin). Never throws for bad input. */
export async function analyzeFile(file: string, opts: AnalysisOptions = {}, onEvent: EventListener | null = null,
  onProgress?: ProgressFn): Promise<{ capture: CaptureInfo; result: AnalysisResult }> {
  const analysis = new Analysis(opts, onEvent);
  const capture = await readCapture(file, analysis, { onProgress });
  return { capture, result: analysis.finish() };
}
