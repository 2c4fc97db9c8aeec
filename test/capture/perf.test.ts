// Read-only throughput on a ~200 MB generated capture (written to the temp dir, never committed).
// Heavy, so opt-in: KEEPALIVE_PERF=1 node --test dist/test/capture/perf.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCapture } from '../../src/capture/open';
import { readCaptureWithPcapParser } from '../../src/capture/pcap-parser-reader';
import type { CaptureInfo, PacketSink } from '../../src/capture/types';
import { ngBlock, patternBytes, pcapHeader, pcapngFile, pcapRecord } from '../support/capture-files';

const TARGET = Number(process.env.KEEPALIVE_PERF_MB ?? 200) * 1024 * 1024;
// Mixed sizes: keepalives and ACKs (54–66 bytes) among full-size segments.
const SIZES = [66, 54, 1514, 66, 590, 60, 1514, 66];

/** Writes a pcap or pcapng of about TARGET bytes, a batch at a time. */
function generate(file: string, format: 'pcap' | 'pcapng'): number {
  const fd = fs.openSync(file, 'w');
  let size = 0;
  let n = 0;
  const write = (b: Buffer): void => { fs.writeSync(fd, b); size += b.length; };
  write(format === 'pcap' ? pcapHeader({ snaplen: 65535 }) : pcapngFile([{ blocks: [{ kind: 'idb', linkType: 1, tsresol: 9 }] }]));
  const payloads = SIZES.map((s, i) => patternBytes(s, i));
  while (size < TARGET) {
    const batch: Buffer[] = [];
    for (let i = 0; i < 4096; i++, n++) {
      const data = payloads[n % payloads.length];
      if (format === 'pcap') batch.push(pcapRecord({ sec: 1_700_000_000 + Math.floor(n / 1000), frac: (n % 1000) * 1000, data }));
      else {
        const ts = 1_700_000_000_000_000_000n + BigInt(n) * 1_000_003n;
        const body = Buffer.alloc(20 + data.length);
        body.writeUInt32LE(0, 0); body.writeUInt32LE(Number(ts >> 32n), 4); body.writeUInt32LE(Number(ts & 0xffffffffn), 8);
        body.writeUInt32LE(data.length, 12); body.writeUInt32LE(data.length, 16); data.copy(body, 20);
        batch.push(ngBlock(6, body));
      }
    }
    write(Buffer.concat(batch));
  }
  fs.closeSync(fd);
  return n;
}

class CountingSink implements PacketSink {
  n = 0; bytes = 0; t = 0;
  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number, buf: Buffer, off: number, caplen: number): void {
    this.n++; this.bytes += caplen; this.t += nsec; void frame; void linkType; void sec; void tsDigits;
    // Touch the packet's first byte so the data is really read.
    if (caplen > 0) this.t += buf[off];
  }
}

async function measure(label: string, run: (sink: CountingSink) => Promise<CaptureInfo>, expect: number): Promise<string> {
  const sink = new CountingSink();
  const heap0 = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const info = await run(sink);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cs = (cpu.user + cpu.system) / 1e6;
  assert.equal(info.error, null, label);
  assert.equal(sink.n, expect, label);
  const mb = info.bytesRead / 1048576;
  // CPU time as well as wall time: on a shared machine the wall clock mostly measures the neighbours.
  return `${label}: ${sink.n} packets; wall ${s.toFixed(2)} s = ${(sink.n / s / 1e6).toFixed(2)} M packets/s, ${(mb / s).toFixed(0)} MiB/s; `
    + `cpu ${cs.toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}) = ${(sink.n / cs / 1e6).toFixed(2)} M packets/s; rss +${((process.memoryUsage().rss - heap0) / 1048576).toFixed(0)} MiB`;
}

test('read throughput on a ~200 MB capture', async (t) => {
  if (process.env.KEEPALIVE_PERF !== '1') { t.skip('opt-in: set KEEPALIVE_PERF=1 (writes ~200 MB to the temp dir)'); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keepalive-perf-'));
  try {
    for (const format of ['pcap', 'pcapng'] as const) {
      const file = path.join(dir, `big.${format}`);
      const n = generate(file, format);
      // Warm the page cache once so both readers see the same conditions.
      await readCapture(file, new CountingSink());
      for (let i = 0; i < 3; i++) t.diagnostic(await measure(`readCapture ${format}`, (s) => readCapture(file, s), n));
      if (format === 'pcap') t.diagnostic(await measure('pcap-parser adapter pcap', (s) => readCaptureWithPcapParser(file, s), n));
      fs.rmSync(file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
