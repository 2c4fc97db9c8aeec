// One live run: packet source (kernel or arrival stamps) → (pcap file) → the same Analysis that
// reads files → events printed as they happen → a final report when the run ends (signal,
// duration, count, a capture error).
import { Analysis } from '../analysis';
import type { CaptureInfo } from '../capture/types';
import type { KeepaliveEvent } from '../keepalive/model';
import { eventLine } from './event-line';
import { EventClock } from '../report/time-format';
import { fitLines } from '../report/fit';
import { FlowView } from './flow-view';
import type { PcapWriter } from './pcap-writer';
import { finalReport } from './final-report';
import type { LiveIo, LiveOptions } from './options';
import type { PacketSource } from './source';
import { eventLine as ndjsonEventLine } from '../report/ndjson';

export type StopReason = 'signal' | 'duration' | 'count' | 'abort' | 'write-error' | 'capture-error' | 'output-closed';

export class LiveSession {
  private readonly analysis: Analysis;
  private readonly view: FlowView | null;
  private readonly timers: NodeJS.Timeout[] = [];
  private packets = 0;
  private captureError: string | null = null;
  private stopped = false;
  private readonly startedAt = Date.now();
  private done: (code: number) => void = () => undefined;
  private readonly clock: EventClock;

  constructor(private readonly opts: LiveOptions, private readonly io: LiveIo, private readonly source: PacketSource,
    private readonly writer: PcapWriter | null) {
    this.clock = new EventClock(opts.timeMode ?? 'absolute', source.tsDigits);
    const onEvent = opts.format === 'json' ? null : (e: KeepaliveEvent): void => this.printEvent(e);
    this.analysis = new Analysis(
      { idleTimeoutSeconds: opts.idleTimeoutSeconds, maxFlows: opts.maxFlows, allFlows: opts.allFlows, pathsBy: opts.pathsBy }, onEvent);
    this.view = opts.format === 'table' && io.out.isTTY === true ? new FlowView(io.out, opts.iface) : null;
  }

  /** Starts delivering packets; resolves with the exit code once the run has ended and reported. */
  run(): Promise<number> {
    const finished = new Promise<number>((resolve) => { this.done = resolve; });
    this.source.start(this.onPacket, this.onCaptureError);
    const o = this.opts;
    if (o.durationSeconds !== undefined) {
      this.timers.push(setTimeout(() => this.stop('duration'), o.durationSeconds * 1000));
    }
    const tick = setInterval(() => this.tick(), 1000);
    tick.unref();
    this.timers.push(tick);
    if (this.io.handleSignals) {
      process.on('SIGINT', this.onSignal);
      process.on('SIGTERM', this.onSignal);
    }
    this.io.abort?.addEventListener('abort', this.onAbort, { once: true });
    this.io.out.on?.('error', this.onOutputError);
    // The CLI exits at once on EPIPE; what was captured still reaches the file.
    process.on('exit', this.onExit);
    return finished;
  }

  // The hot path: the source has put the packet in its buffer and its stamp and lengths in meta.
  // No allocation here.
  private readonly onPacket = (): void => {
    if (this.stopped) return;
    const { buf, meta, linkType, tsDigits } = this.source;
    const sec = meta[0], nsec = meta[1], caplen = meta[2], origLen = meta[3];
    const frame = ++this.packets;
    if (this.writer !== null) this.writer.record(sec, tsDigits === 9 ? nsec : Math.floor(nsec / 1000), buf, 0, caplen, origLen);
    this.analysis.packet(frame, linkType, sec, nsec, tsDigits, buf, 0, caplen, origLen);
    this.analysis.flush(); // live events are due now, and the source reuses its buffer
    if (frame === this.opts.count) this.stop('count');
  };

  private readonly onCaptureError = (message: string): void => {
    this.captureError = `capture on ${this.opts.iface} failed: ${message}`;
    this.stop('capture-error');
  };
  private readonly onSignal = (): void => this.stop('signal');
  private readonly onAbort = (): void => this.stop('abort');
  private readonly onOutputError = (): void => this.stop('output-closed');
  private readonly onExit = (): void => this.writer?.close();

  private printEvent(e: KeepaliveEvent): void {
    if (this.opts.format === 'ndjson') {
      this.io.out.write(ndjsonEventLine(0, e));
    } else if (this.view !== null) {
      this.view.note(e);
      this.view.printAbove(`${fitLines(eventLine(e, this.clock), this.opts.width ?? null, '    ')}\n`, this.packets);
    } else {
      this.io.out.write(`${fitLines(eventLine(e, this.clock), this.opts.width ?? null, '    ')}\n`);
    }
  }

  private tick(): void {
    if (this.writer !== null) {
      this.writer.flush();
      if (this.writer.error !== null) this.stop('write-error');
    }
    if (!this.stopped) this.view?.refresh(this.packets);
  }

  stop(reason: StopReason): void {
    if (this.stopped) return;
    this.stopped = true;
    // Counters first: close() takes them too, but a source may not keep them.
    const sourceWarnings = this.source.warnings();
    this.source.close();
    for (const t of this.timers) clearTimeout(t);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    this.io.abort?.removeEventListener('abort', this.onAbort);
    this.io.out.off?.('error', this.onOutputError);
    process.off('exit', this.onExit);
    this.writer?.close();
    const result = this.analysis.finish(this.source.clockMs());
    this.view?.clear();
    let code = 0;
    const writeError = this.writer?.error ?? null;
    for (const failure of [this.captureError, writeError]) {
      if (failure === null) continue;
      this.io.err.write(`keepalive: ${failure}\n`);
      code = 2;
    }
    if (reason === 'output-closed') { this.done(code); return; }
    const warnings: string[] = [...sourceWarnings];
    if (this.captureError !== null) warnings.push(this.captureError);
    if (writeError !== null) warnings.push(writeError);
    const capture: CaptureInfo = {
      file: `live:${this.opts.iface}`, format: null, gzip: false, packets: this.packets,
      linkTypes: [this.source.linkType], tsDigits: this.source.tsDigits, warnings, error: null, bytesRead: 0,
    };
    this.io.out.write(finalReport(this.opts, capture, result, (Date.now() - this.startedAt) / 1000, stampsNote(this.source)));
    this.done(code);
  }
}

/** How the run's packets were stamped, for the table report's first line. */
export function stampsNote(source: PacketSource): string {
  const unit = source.tsDigits === 9 ? 'ns' : 'µs';
  if (source.stamps === 'arrival') return `arrival-time stamps, ${unit}`;
  const s = source.stats();
  return `kernel timestamps, ${unit}${s === null ? '' : `; libpcap dropped ${s.dropped}`}`;
}
