// Ctrl-C during `analyze`: reading stops, the flows read so far are finished and reported, stderr
// says where the input was cut short, exit 130; a second Ctrl-C ends the process at once. Inputs
// are generated (bench/synth/probe-flows.ts), so what frames 1–N hold follows from N.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeProbeFlows } from '../../bench/synth/probe-flows';
import { ROOT } from './run';

const tmp = fs.mkdtempSync(join(tmpdir(), 'keepalive-interrupt-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const BIN = join(ROOT, 'bin', 'keepalive.js');
const RECORD = 76; // probe-flows.ts: 16-byte record header + 60-byte frame
const noFifo = spawnSync('sh', ['-c', 'command -v mkfifo'], { stdio: 'ignore' }).status !== 0 ? 'needs mkfifo' : undefined;

interface Report {
  captures: { packets: number; error: string | null }[];
  flows: { lastFrame: number; keepalive: { probes: number }[] }[];
  summary: { probes: number; flows: number };
}

/** Probes among frames 1–n of a probe-flows capture of `flows` flows: handshakes first, then probe/ACK pairs. */
const probesIn = (n: number, flows: number): number => Math.max(0, Math.ceil((n - 3 * flows) / 2));

function collect(child: ChildProcess): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function checkReport(r: { code: number | null; stdout: string; stderr: string }, file: string, flows: number): number {
  assert.equal(r.code, 130, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  const m = new RegExp(`^keepalive: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cut short by an interrupt \\(Ctrl-C\\) after frame (\\d+); the report covers frames 1–\\1$`).exec(lines[0]);
  assert.ok(m !== null, lines[0]);
  const n = Number(m[1]);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.captures[0].packets, n);
  assert.equal(report.summary.probes, probesIn(n, flows));
  assert.ok(report.flows.every((f) => f.lastFrame <= n));
  assert.equal(report.flows.reduce((s, f) => s + f.keepalive.reduce((t, k) => t + k.probes, 0), 0), probesIn(n, flows));
  return n;
}

test('SIGINT while reading a stalled FIFO: the report of the frames that came, exit 130', { skip: noFifo, timeout: 120_000 }, async () => {
  const flows = 100;
  const file = join(tmp, 'slow.pcap');
  writeProbeFlows(file, { flows, probesPerFlow: 96, intervalSeconds: 75 });
  const prefix = fs.readFileSync(file).subarray(0, 24 + 3000 * RECORD + 30); // 3000 records and part of the next
  const fifo = join(tmp, 'fifo');
  spawnSync('mkfifo', [fifo]);
  const child = spawn(process.execPath, [BIN, 'analyze', '--format', 'json', '--all-flows', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = collect(child);
  const w = fs.openSync(fifo, 'r+'); // read-write: opening does not wait for the reader
  try {
    fs.writeSync(w, prefix); // returns once the reader took all but a pipe buffer's worth
    await sleep(2000);
    assert.equal(child.exitCode, null, 'still waiting for the rest of the input');
    child.kill('SIGINT');
    const r = await done;
    assert.equal(checkReport(r, fifo, flows), 3000);
  } finally {
    fs.closeSync(w);
  }
});

test('SIGINT during a large file read by the decode worker: the report of what was analyzed, exit 130', { timeout: 300_000 }, async () => {
  const flows = 20_000;
  const file = join(tmp, 'large.pcap');
  writeProbeFlows(file, { flows, probesPerFlow: 40, intervalSeconds: 75 }); // 63 MB: above the decode worker's 32 MiB
  const child = spawn(process.execPath, [BIN, 'analyze', '--format', 'json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = collect(child);
  // Once the handshakes are behind it (the worker has read a few MB), interrupt.
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    const io = fs.readFileSync(`/proc/${child.pid}/io`, 'utf8');
    if (Number(/rchar:\s*(\d+)/.exec(io)?.[1] ?? 0) > 12e6) break;
    await sleep(50);
  }
  child.kill('SIGINT');
  const r = await done;
  const n = checkReport(r, file, flows);
  assert.ok(n > 3 * flows && n < 24 + 20_000 * 83, `${n} frames`);
});

test('a second SIGINT ends the process at once, even while its report waits for a full pipe', { skip: noFifo, timeout: 120_000 }, async () => {
  const flows = 20_000;
  const file = join(tmp, 'many.pcap');
  writeProbeFlows(file, { flows, probesPerFlow: 2, intervalSeconds: 75 });
  const fifo = join(tmp, 'fifo2');
  spawnSync('mkfifo', [fifo]);
  // stdout is a pipe nobody reads: the report of 20,000 flows (about 30 MB) cannot be written out.
  const child = spawn(process.execPath, [BIN, 'analyze', '--format', 'json', '--all-flows', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pause();
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const closed = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const w = fs.openSync(fifo, 'r+');
  try {
    fs.writeSync(w, fs.readFileSync(file));
    await sleep(2000);
    child.kill('SIGINT'); // the first: stop reading, write the report (which blocks on the full pipe)
    for (let i = 0; i < 200 && !stderr.includes('cut short'); i++) await sleep(50);
    assert.match(stderr, /cut short by an interrupt/);
    await sleep(500);
    assert.equal(child.exitCode, null, 'blocked writing its report');
    const sent = Date.now();
    child.kill('SIGINT');
    const how = await closed;
    assert.ok(how.signal === 'SIGINT' || how.code === 130, JSON.stringify(how));
    assert.ok(Date.now() - sent < 10_000, `${Date.now() - sent} ms after the second SIGINT`);
  } finally {
    fs.closeSync(w);
    child.kill('SIGKILL');
  }
});
