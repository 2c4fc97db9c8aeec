// STUB (capture helper replaces this file): sniff the input's magic and read it record by record.
import type { CaptureInfo, PacketSink, ProgressFn } from './types';

export interface ReadOptions {
  readonly onProgress?: ProgressFn;
}

/**
 * Reads one capture (`-` = standard input; gzip detected by magic) and feeds every record to
 * `sink`. Never throws for bad input: damage ends reading and is described in `info.error`.
 */
export async function readCapture(file: string, sink: PacketSink, opts: ReadOptions = {}): Promise<CaptureInfo> {
  void sink; void opts;
  return { file, format: null, gzip: false, packets: 0, linkTypes: [], tsDigits: 6, warnings: [], error: 'not implemented', bytesRead: 0 };
}
