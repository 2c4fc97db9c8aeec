// One live run: device → arrival stamp → (pcap file) → the same Analysis that reads files →
// events printed as they happen → a final report when the run ends (signal, duration, count).
import { Analysis } from '../analysis';
import type { CaptureInfo } from '../capture/types';
import type { KeepaliveEvent } from '../keepalive/model';
import type { CapHandle } from './cap-module';
import { ArrivalClock, LIVE_TS_DIGITS } from './clock';
import { eventLine } from './event-line';
import { FlowView } from './flow-view';
import type { PcapWriter } from './pcap-writer';
import { finalReport } from './final-report';
import type { LiveIo, LiveOptions } from './options';
import { eventLine as ndjsonEventLine } from '../report/ndjson';

/** cap asks libpcap for 65535-byte snapshots; this buffer takes any of them whole. */
export const CAP_BUFFER_BYTES = 65535;

export type StopReason = 'signal' | 'duration' | 'count' | 'abort' | 'write-error' | 'output-closed';

export class LiveSession {
  private readonly clock = new ArrivalClock();
  private readonly analysis: Analysis;
  private readonly view: FlowView | null;
  private readonly timers: NodeJS.Timeout[] = [];
  private packets = 0;
  /** Frames that filled cap's buffer: their true length is unknown. */
  private oversize = 0;
  private stopped = false;
  private readonly startedAt = Date.now();
  private done: (code: number) => void = () => undefined;

  constructor(private readonly opts: LiveOptions, private readonly io: LiveIo, private readonly handle: CapHandle,
    private readonly linkType: number, private readonly buf: Buffer, private readonly writer: PcapWriter | null) {
    const onEvent = opts.format === 'json' ? null : (e: KeepaliveEvent): void => this.printEvent(e);
    this.analysis = new Analysis(
      { idleTimeoutSeconds: opts.idleTimeoutSeconds, maxFlows: opts.maxFlows, allFlows: opts.allFlows }, onEvent);
    this.view = opts.format === 'table' && io.out.isTTY === true ? new FlowView(io.out, opts.iface) : null;
  }

  /** Starts delivering packets; resolves with the exit code once the run has ended and reported. */
  run(): Promise<number> {
    const finished = new Promise<number>((resolve) => { this.done = resolve; });
    this.handle.on('packet', this.onPacket);
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

  // The hot path: stamp first (the stamp is only as good as how soon it is taken), then hand the
  // borrowed bytes on. No allocation here.
  private readonly onPacket = (nbytes: number, truncated: boolean): void => {
    if (this.stopped) return;
    const clock = this.clock;
    clock.stamp();
    const frame = ++this.packets;
    if (truncated || nbytes >= CAP_BUFFER_BYTES) this.oversize++;
    const snaplen = this.opts.snaplen;
    const caplen = nbytes < snaplen ? nbytes : snaplen;
    if (this.writer !== null) this.writer.record(clock.sec, clock.nsec / 1000, this.buf, 0, caplen, nbytes);
    this.analysis.packet(frame, this.linkType, clock.sec, clock.nsec, LIVE_TS_DIGITS, this.buf, 0, caplen, nbytes);
    if (frame === this.opts.count) this.stop('count');
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
      this.view.printAbove(`${eventLine(e)}\n`, this.packets);
    } else {
      this.io.out.write(`${eventLine(e)}\n`);
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
    this.handle.close();
    for (const t of this.timers) clearTimeout(t);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    this.io.abort?.removeEventListener('abort', this.onAbort);
    this.io.out.off?.('error', this.onOutputError);
    process.off('exit', this.onExit);
    this.writer?.close();
    const result = this.analysis.finish();
    this.view?.clear();
    let code = 0;
    const writeError = this.writer?.error ?? null;
    if (writeError !== null) {
      this.io.err.write(`keepalive: ${writeError}\n`);
      code = 2;
    }
    if (reason === 'output-closed') { this.done(code); return; }
    const warnings: string[] = [];
    if (this.oversize > 0) {
      warnings.push(`${this.oversize} frames of ${CAP_BUFFER_BYTES} bytes or more: their original length is unknown and recorded as captured`);
    }
    if (writeError !== null) warnings.push(writeError);
    const capture: CaptureInfo = {
      file: `live:${this.opts.iface}`, format: null, gzip: false, packets: this.packets,
      linkTypes: [this.linkType], tsDigits: LIVE_TS_DIGITS, warnings, error: null, bytesRead: 0,
    };
    this.io.out.write(finalReport(this.opts, capture, result, (Date.now() - this.startedAt) / 1000));
    this.done(code);
  }
}
