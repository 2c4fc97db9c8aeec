// Shared by the capture tests: read a buffer or file and keep what was delivered.
import { readCapture } from '../../src/capture/open';
import type { CaptureInfo } from '../../src/capture/types';
import { RecordingSink, type RecordedPacket, tempDir, writeTemp } from '../support/capture-files';

let dir: string | null = null;
let seq = 0;

export function tmpFile(data: Buffer, name = 'capture'): string {
  dir ??= tempDir('keepalive-capture-');
  return writeTemp(dir, `${seq++}-${name}`, data);
}

export async function readFile(file: string, bufferSize?: number): Promise<{ info: CaptureInfo; records: RecordedPacket[] }> {
  const sink = new RecordingSink();
  const info = await readCapture(file, sink, bufferSize === undefined ? {} : { bufferSize });
  return { info, records: sink.records };
}

export async function readBytes(data: Buffer, bufferSize?: number): Promise<{ info: CaptureInfo; records: RecordedPacket[] }> {
  return readFile(tmpFile(data), bufferSize);
}
