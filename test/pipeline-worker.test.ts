// The two-thread analysis (a worker reads and decodes, this thread runs the engine) must give
// exactly what the one-thread path gives: reports, events, summary, capture info and warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeFile, type AnalysisOptions } from '../src/analysis';
import type { KeepaliveEvent } from '../src/keepalive/model';
import * as os from 'node:os';
import { firstCaptureArg } from '../src/cli/first-capture';
import { prestartDecodeWorker, prestartedFor } from '../src/runtime/decode-worker-start';
import { pcapFile, type PcapRecord } from './support/capture-files';
import { icmpErrorFrame, tcpFrame } from './support/frames';

const ROOT = path.resolve(__dirname, '..', '..');

function captures(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return captures(p);
    return /\.(pcap|pcapng)(\.gz)?$/.test(e.name) ? [p] : [];
  });
}

async function run(file: string, opts: AnalysisOptions): Promise<string> {
  const events: KeepaliveEvent[] = [];
  const progress: number[] = [];
  const { capture, result } = await analyzeFile(file, opts, (e) => events.push(e), (bytes) => progress.push(bytes));
  return JSON.stringify({
    capture, flows: result.flows, summary: result.summary, firstTime: result.firstTime, lastTime: result.lastTime,
    warnings: result.warnings, events, lastProgress: progress[progress.length - 1],
  });
}

const files = captures(path.join(ROOT, 'fixtures'));

test('the worker path gives the one-thread result on every fixture and public capture', async () => {
  assert.ok(files.length >= 20, `found only ${files.length} captures`);
  for (const f of files) {
    for (const extra of [{}, { allFlows: true, maxFlows: 2 }] as AnalysisOptions[]) {
      const one = await run(f, { ...extra, decodeWorkerMinBytes: Infinity });
      const two = await run(f, { ...extra, decodeWorkerMinBytes: 0 });
      assert.equal(two, one, `${path.relative(ROOT, f)} ${JSON.stringify(extra)}`);
    }
  }
});

test('the worker path reports damage, missing files and more than one ring of segments like the one-thread path', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keepalive-worker-'));
  try {
    // 40,000 segments (several rings' worth), then a record cut short.
    const frames: PcapRecord[] = [];
    const eth = Buffer.from('02005e1000fe02005e1000010800', 'hex');
    for (let i = 0; i < 40_000; i++) {
      const ip = Buffer.alloc(40);
      ip[0] = 0x45; ip.writeUInt16BE(40, 2); ip[8] = 64; ip[9] = 6;
      ip.writeUInt32BE(0x0a000001 + (i % 300), 12); ip.writeUInt32BE(0x0a0000fe, 16);
      ip.writeUInt16BE(40000 + (i % 300), 20); ip.writeUInt16BE(443, 22);
      ip.writeUInt32BE(1000 + i, 24); ip.writeUInt32BE(5000, 28); ip[32] = 0x50; ip[33] = 0x10; ip.writeUInt16BE(512, 34);
      frames.push({ sec: 1_700_000_000 + Math.floor(i / 10), frac: (i % 10) * 1000, data: Buffer.concat([eth, ip]) });
    }
    const whole = pcapFile(frames);
    const cut = path.join(dir, 'cut.pcap');
    fs.writeFileSync(cut, whole.subarray(0, whole.length - 7));
    const one = await run(cut, { decodeWorkerMinBytes: Infinity, allFlows: true });
    assert.match(one, /"error":"[^"]+"/);
    assert.equal(await run(cut, { decodeWorkerMinBytes: 0, allFlows: true }), one);
    const missing = path.join(dir, 'missing.pcap');
    assert.equal(await run(missing, { decodeWorkerMinBytes: 0 }), await run(missing, { decodeWorkerMinBytes: Infinity }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker path carries ICMP errors (v4 and v6) to the engine as the one-thread path does', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keepalive-worker-'));
  try {
    const records: PcapRecord[] = [];
    const at = (t: number, data: Buffer): void => { records.push({ sec: 1_700_000_000 + Math.floor(t), frac: Math.round((t % 1) * 1e6), data }); };
    for (const [c, s, router] of [['10.0.0.1', '10.0.0.2', '10.0.0.254'], ['fd00::1', 'fd00::2', 'fd00::fe']] as const) {
      const C = { src: c, dst: s, sport: 40000, dport: 80 }, S = { src: s, dst: c, sport: 80, dport: 40000 };
      at(0, tcpFrame({ ...C, seq: 1000, flags: 'S' }));
      at(0.001, tcpFrame({ ...S, seq: 5000, ack: 1001, flags: 'SA' }));
      at(0.002, tcpFrame({ ...C, seq: 1001, ack: 5001 }));
      at(1, tcpFrame({ ...C, seq: 1001, ack: 5001, flags: 'PA', payload: 10 }));
      at(1.001, tcpFrame({ ...S, seq: 5001, ack: 1011 }));
      for (const t of [61, 71, 81]) {
        at(t, tcpFrame({ ...C, seq: 1010, ack: 5001 }));
        at(t + 0.002, icmpErrorFrame({ src: router, dst: c, type: c.includes(':') ? 1 : 3, code: 1, quoted: { ...C, seq: 1010, ack: 5001, flags: 'A' } }));
      }
    }
    const file = path.join(dir, 'icmp.pcap');
    fs.writeFileSync(file, pcapFile(records));
    const one = await run(file, { decodeWorkerMinBytes: Infinity });
    assert.equal((one.match(/"probe-icmp"/g) ?? []).length, 6, 'the one-thread path matched the six ICMP errors');
    assert.equal(await run(file, { decodeWorkerMinBytes: 0 }), one);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the first capture of an analyze command line is found without yargs, past options and their values', () => {
  assert.equal(firstCaptureArg(['analyze', 'a.pcap', 'b.pcap']), 'a.pcap');
  assert.equal(firstCaptureArg(['analyze', '--format', 'json', '--port', '80', '-t', 'relative', 'a.pcap']), 'a.pcap');
  assert.equal(firstCaptureArg(['analyze', '--format=json', '--events', '--all-flows', 'a.pcap', '--host', '10.0.0.1']), 'a.pcap');
  assert.equal(firstCaptureArg(['analyze', '--max-flows', '5', '--idle-timeout', '60', '--fail-on', 'timeout', '--', '-odd.pcap']), '-odd.pcap');
  assert.equal(firstCaptureArg(['analyze', '-']), '-');
  assert.equal(firstCaptureArg(['analyze', '--format', 'json']), null);
  assert.equal(firstCaptureArg(['live', '-i', 'eth0']), null);
  assert.equal(firstCaptureArg([]), null);
});

test('a decode worker started early is taken by the analysis of the same file, with the same result', async () => {
  const f = path.join(ROOT, 'fixtures', 'cut-path.pcap');
  const one = await run(f, { decodeWorkerMinBytes: Infinity });
  prestartDecodeWorker(f, 0);
  assert.equal(prestartedFor(), f);
  assert.equal(await run(f, { decodeWorkerMinBytes: 0 }), one);
  assert.equal(prestartedFor(), null, 'the analysis took the early worker');
  // Nothing starts for a file below the size, a directory, a missing file or standard input.
  for (const [file, min] of [[f, undefined], [path.join(ROOT, 'fixtures'), 0], [path.join(ROOT, 'no-such.pcap'), 0], ['-', 0]] as const) {
    prestartDecodeWorker(file, min);
    assert.equal(prestartedFor(), null, file);
  }
});
