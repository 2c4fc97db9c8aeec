// Phase "read-pcap-parser": the npm pcap-parser adapter with a counting sink, for comparison with
// our reader. The adapter is loaded at run time so the bench still runs where it does not exist.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaptureInfo, PacketSink } from '../src/capture/types';
import { runPhase } from './phase';

type Reader = (file: string, sink: PacketSink) => Promise<CaptureInfo>;

class CountingSink implements PacketSink {
  packets = 0;
  packet(): void { this.packets++; }
}

const ADAPTER = path.resolve(__dirname, 'pcap-parser-reader.js');

function findReader(mod: Record<string, unknown>): Reader | null {
  const named = mod.readCaptureWithPcapParser;
  if (typeof named === 'function') return named as Reader;
  for (const [name, v] of Object.entries(mod)) if (/^read/i.test(name) && typeof v === 'function') return v as Reader;
  return null;
}

runPhase('read-pcap-parser', async (file) => {
  if (!fs.existsSync(ADAPTER)) return { packets: 0, bytes: 0, error: null, skipped: 'bench/pcap-parser-reader.ts is not built' };
  const read = findReader(await import(ADAPTER) as Record<string, unknown>);
  if (read === null) return { packets: 0, bytes: 0, error: null, skipped: 'pcap-parser-reader exports no read function' };
  const sink = new CountingSink();
  const info = await read(file, sink);
  return { packets: sink.packets, bytes: info.bytesRead, error: info.error };
});
