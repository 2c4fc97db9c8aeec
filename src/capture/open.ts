// The capture reader: one pass over one input with a single reused buffer. Records are parsed in
// place and handed to the sink as (buf, off, caplen); a partial record is carried to the front of
// the buffer before the next read, so memory is the buffer plus at most one record or block.
import { ReadContext, type RecordParser } from './context';
import { INTERRUPT_CHECK_MS, interruptedMessage, type Interrupt } from './interrupt';
import { openInput } from './input';
import { PROGRESS_INTERVAL_MS } from './limits';
import { PcapParser } from './pcap';
import { PcapngParser } from './pcapng';
import { sniffFormat } from './sniff';
import { describeIoError } from './source';
import type { CaptureInfo, PacketSink, ProgressFn } from './types';

export interface ReadOptions {
  /** Called at most every 250 ms while reading, and once at the end. */
  readonly onProgress?: ProgressFn;
  /** Read buffer size in bytes (default 256 KiB, READ_BUFFER_SIZE); grows only for a block larger than it. */
  readonly bufferSize?: number;
  /** Stops reading at the next record boundary when requested; `info.error` then says so. */
  readonly interrupt?: Interrupt;
}

export function newCaptureInfo(file: string): CaptureInfo {
  return { file, format: null, gzip: false, packets: 0, linkTypes: [], tsDigits: 6, warnings: [], error: null, bytesRead: 0 };
}

/**
 * Reads one capture (`-` = standard input; gzip detected by magic) and feeds every record to
 * `sink`. Never throws for bad input: damage ends reading and is described in `info.error`.
 */
export async function readCapture(file: string, sink: PacketSink, opts: ReadOptions = {}): Promise<CaptureInfo> {
  const info = newCaptureInfo(file);
  const ctx = new ReadContext(info, sink);
  const input = await openInput(file, ctx, opts.bufferSize);
  if (input === null) return info;
  const { source, totalBytes } = input;
  let { buf, end, eof } = input;
  try {
    const format = sniffFormat(buf, end);
    if (format !== 'pcap' && format !== 'pcapng') {
      ctx.fail(info.gzip ? `${format} (after gunzip)` : format);
      info.bytesRead = end;
      return info;
    }
    let parser: RecordParser = format === 'pcap' ? new PcapParser(ctx) : new PcapngParser(ctx);
    const onProgress = opts.onProgress;
    const interrupt = opts.interrupt;
    let lastProgress = Date.now(), lastYield = lastProgress;
    let start = 0;
    for (;;) {
      start = parser.parse(buf, start, end);
      sink.flush?.();
      if (ctx.failed) break;
      if (parser.follows) {
        parser = parser.follows === 'pcap' ? new PcapParser(ctx) : new PcapngParser(ctx);
        continue; // the next file's header is buffered already
      }
      if (interrupt !== undefined) {
        // A file is read synchronously: let the event loop (and a SIGINT handler) run now and then.
        const now = Date.now();
        if (now - lastYield >= INTERRUPT_CHECK_MS) { lastYield = now; await interrupt.breathe(); }
        if (interrupt.requested) { ctx.fail(interruptedMessage(ctx.frames)); break; }
      }
      if (onProgress !== undefined) {
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_INTERVAL_MS) { lastProgress = now; onProgress(ctx.base + end, totalBytes, ctx.frames); }
      }
      if (parser.need === 0) continue; // paused for the progress check; more records are buffered
      if (eof) { parser.finish(buf, start, end); break; }
      // Carry the partial record to the front (growing the buffer only for an oversized block).
      const have = end - start;
      const need = parser.need;
      if (need > buf.length) {
        const bigger = Buffer.allocUnsafe(need);
        buf.copy(bigger, 0, start, end);
        buf = bigger;
      } else if (start > 0 && have > 0) {
        buf.copyWithin(0, start, end);
      }
      ctx.base += start;
      start = 0;
      end = have;
      try {
        const r = source.read(buf, end, buf.length - end);
        // A pipe may stall for good: an interrupt must not wait for its next bytes.
        const n = typeof r === 'number' ? r : interrupt === undefined ? await r : await Promise.race([r, interrupt.whenRequested.then(() => -1)]);
        if (n === -1) { ctx.fail(interruptedMessage(ctx.frames)); break; }
        if (n === 0) eof = true; else end += n;
      } catch (e) {
        // A gzip message names its compressed byte; the reader's place is a byte of the decompressed data.
        ctx.fail(info.gzip ? `${describeIoError(e)}; read up to decompressed byte ${ctx.base + end}, after frame ${ctx.frames}`
          : `read error: ${describeIoError(e)} at byte ${ctx.base + end}`);
        break;
      }
    }
    info.bytesRead = ctx.base + end;
    if (onProgress !== undefined) onProgress(info.bytesRead, totalBytes, ctx.frames);
  } finally {
    info.packets = ctx.frames;
    ctx.flushWarnings();
    try { source.close(); } catch { /* closing a finished input cannot lose data */ }
  }
  return info;
}
