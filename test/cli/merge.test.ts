// `analyze --merge`: kernel captures cut into rotated sets by tcpdump -C and editcap -c/-i (the
// time split tcpdump -G cannot do on a file it reads), with the pieces renamed so name order is
// not time order. The merged report must be the unsplit capture's: the expectation is the
// analysis of the uncut input, and the frame numbers are also checked against mergecap + tshark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { tempDir } from '../support/capture-files';
import { canUseTools } from '../support/netns';
import { ROOT, run, assertCleanStderr } from './run';

type Obj = Record<string, unknown>;
interface Report { captures: Obj[]; flows: Obj[]; events: Obj[]; summary: Obj; merged?: Obj }

const MANY_FLOWS = path.join(ROOT, 'fixtures', 'many-flows.pcap');
const ROTATION_GZ = path.join(ROOT, 'fixtures', 'rotation', 'rotation.pcap.gz');

/** The rotation fixture uncompressed (tcpdump and editcap do not read gzip). */
function rotationPcap(dir: string): string {
  const file = path.join(dir, 'rotation.pcap');
  fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(ROTATION_GZ)));
  return file;
}

function sh(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

/**
 * Cuts `src` into a fresh directory with one of the splitters; the pieces are renamed so that
 * their names sort in reverse time order. Returns the directory and the pieces in time order.
 */
function split(src: string, how: 'tcpdump -C' | 'editcap -c' | 'editcap -i', amount: number): { dir: string; files: string[] } {
  const dir = tempDir('keepalive-merge-');
  if (how === 'tcpdump -C') sh('tcpdump', ['-Z', 'root', '-r', src, '-w', path.join(dir, 'part'), '-C', String(amount)]);
  else sh('editcap', [how === 'editcap -c' ? '-c' : '-i', String(amount), src, path.join(dir, 'part.pcap')]);
  // Both tools number their pieces in time order (tcpdump: part, part1, part2, …).
  const seq = (name: string): number => Number(/\d+/.exec(name)?.[0] ?? '0');
  const pieces = fs.readdirSync(dir).sort((a, b) => seq(a) - seq(b));
  const files = pieces.map((p, i) => {
    const to = path.join(dir, `rot-${String(pieces.length - i).padStart(4, '0')}.cap`);
    fs.renameSync(path.join(dir, p), to);
    return to;
  });
  return { dir, files };
}

function report(args: string[]): { r: Report; stderr: string } {
  const out = run(['analyze', '--format', 'json', '--events', '--all-flows', ...args]);
  assert.equal(out.code, 0, out.stderr);
  assertCleanStderr(out.stderr);
  return { r: JSON.parse(out.stdout) as Report, stderr: out.stderr };
}

const without = (o: Obj, keys: readonly string[]): Obj => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const MERGE_KEYS = ['capture', 'captureFrame', 'lastCapture', 'lastCaptureFrame'];

/** The merged report says what the unsplit one says, frame numbers included. */
function assertSameAnalysis(merged: Report, whole: Report): void {
  assert.ok(whole.flows.length > 0 && whole.events.length > 0);
  assert.deepEqual(merged.flows.map((f) => without(f, MERGE_KEYS)), whole.flows.map((f) => without(f, MERGE_KEYS)));
  assert.deepEqual(merged.events.map((e) => without(e, MERGE_KEYS)), whole.events.map((e) => without(e, MERGE_KEYS)));
  assert.deepEqual(merged.summary, whole.summary);
  assert.equal(merged.merged?.packets, whole.captures[0].packets);
}

/** tshark's view of each frame: time, ports and sequence number, by frame number (1-based). */
function tsharkFrames(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'frame.len'],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return ['', ...r.stdout.split('\n').filter((l) => l !== '')];
}

/**
 * Every event's `capture`/`captureFrame` names the frame tshark sees at `frame` in the unsplit
 * capture, and `mergecap -w merged.pcapng` of the inputs (in the report's order) numbers the
 * frames exactly as the unsplit capture does.
 */
function assertFrameNumbers(merged: Report, unsplit: string, dir: string): void {
  const whole = tsharkFrames(unsplit);
  const files = merged.captures.map((c) => String(c.file));
  const out = path.join(dir, 'merged.pcapng.out');
  sh('mergecap', ['-w', out, ...files]);
  assert.deepEqual(tsharkFrames(out), whole);
  fs.rmSync(out);
  const pieces = files.map(tsharkFrames);
  for (const e of merged.events) {
    const k = e.capture as number, f = e.captureFrame as number;
    assert.equal(pieces[k][f], whole[e.frame as number], `event at frame ${String(e.frame)}`);
  }
  for (const fl of merged.flows) {
    assert.equal(pieces[fl.capture as number][fl.captureFrame as number], whole[fl.firstFrame as number]);
    assert.equal(pieces[fl.lastCapture as number][fl.lastCaptureFrame as number], whole[fl.lastFrame as number]);
  }
}

const CASES: { name: string; src: 'many-flows' | 'rotation'; how: 'tcpdump -C' | 'editcap -c' | 'editcap -i'; amount: number }[] = [
  { name: 'rotation.pcap cut by tcpdump -C 1 (1 MB files)', src: 'rotation', how: 'tcpdump -C', amount: 1 },
  { name: 'rotation.pcap cut by editcap -i 2 (2 s files: the time split)', src: 'rotation', how: 'editcap -i', amount: 2 },
  { name: 'many-flows.pcap cut by editcap -c 7', src: 'many-flows', how: 'editcap -c', amount: 7 },
  { name: 'many-flows.pcap cut by editcap -i 1', src: 'many-flows', how: 'editcap -i', amount: 1 },
];

for (const c of CASES) {
  test(`--merge of ${c.name}, shuffled names: the unsplit capture's flows, probes, outcomes, settings and frames, as files and as a directory`, (t) => {
    const missing = canUseTools([c.how.split(' ')[0]]);
    if (missing !== null) { t.skip(missing); return; }
    const work = tempDir('keepalive-merge-src-');
    const src = c.src === 'rotation' ? rotationPcap(work) : MANY_FLOWS;
    const { dir, files } = split(src, c.how, c.amount);
    assert.ok(files.length >= 3, `${c.how} made ${files.length} file(s)`);
    const whole = report([src]).r;
    // Named in reverse time order on the command line as well as in the directory.
    const asFiles = report(['--merge', ...[...files].reverse()]).r;
    const asDir = report(['--merge', dir]).r;
    assertSameAnalysis(asFiles, whole);
    assertSameAnalysis(asDir, whole);
    // Pieces without a packet (editcap -i writes one for a quiet interval) have no time: they come last.
    const empty = asDir.captures.filter((x) => x.packets === 0).map((x) => x.file);
    assert.deepEqual(asDir.captures.map((x) => x.file), [...files.filter((f) => !empty.includes(f)), ...empty], 'inputs in time order, not name order');
    assert.deepEqual(asFiles, asDir);
    const tools = canUseTools(['tshark', 'mergecap']);
    if (tools !== null) t.diagnostic(`frame numbers not checked against mergecap: ${tools}`);
    else assertFrameNumbers(asDir, src, work);
  });
}

test('--merge of 1,000 small files of one ring under ulimit -n 64', (t) => {
  const missing = canUseTools(['editcap', 'bash']);
  if (missing !== null) { t.skip(missing); return; }
  const work = tempDir('keepalive-merge-src-');
  const src = rotationPcap(work);
  const whole = report([src]).r;
  const packets = whole.captures[0].packets as number;
  const { dir, files } = split(src, 'editcap -c', Math.floor(packets / 1000));
  assert.ok(files.length >= 1000, `${files.length} files`);
  const bin = path.join(ROOT, 'bin', 'keepalive.js');
  const r = spawnSync('bash', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, bin, 'analyze', '--merge', '--format', 'json', '--events', '--all-flows', dir],
    { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const merged = JSON.parse(r.stdout) as Report;
  assert.equal(merged.captures.length, files.length);
  assertSameAnalysis(merged, whole);
});

test('gaps and overlaps between consecutive files: one stderr line each, counted', (t) => {
  const missing = canUseTools(['tcpdump']);
  if (missing !== null) { t.skip(missing); return; }
  const work = tempDir('keepalive-merge-src-');
  const src = rotationPcap(work);
  const { dir, files } = split(src, 'tcpdump -C', 1);
  assert.ok(files.length >= 4);
  // The third piece missing leaves seconds of silence where the trace has a datagram every few ms
  // (the last pieces are the busy part of the capture); a copy of the second overlaps it.
  fs.rmSync(files[files.length - 2]);
  fs.copyFileSync(files[files.length - 3], path.join(dir, 'copy.cap'));
  const { stderr, r } = report(['--merge', dir]);
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.filter((l) => /--merge: 1 gap\(s\) between consecutive files/.test(l)).length, 1, stderr);
  assert.equal(lines.filter((l) => /--merge: 1 file\(s\) overlap the previous file/.test(l)).length, 1, stderr);
  assert.equal(lines.length, 2, stderr);
  assert.equal((r.merged?.warnings as string[]).length, 2);
});

test('a directory: captures in it are merged, other files left out with one note', (t) => {
  const missing = canUseTools(['editcap']);
  if (missing !== null) { t.skip(missing); return; }
  const { dir, files } = split(MANY_FLOWS, 'editcap -c', 30);
  fs.writeFileSync(path.join(dir, 'README.txt'), 'not a capture\n');
  fs.mkdirSync(path.join(dir, 'sub'));
  const { r, stderr } = report(['--merge', dir]);
  assert.equal(r.captures.length, files.length);
  assert.match(stderr, /1 file\(s\) that are not captures left out \(first: README\.txt\)/);
  const empty = tempDir('keepalive-merge-empty-');
  const none = run(['analyze', '--merge', empty]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--merge: no capture file in/);
});

test('--merge with standard input is a usage error', () => {
  const r = run(['analyze', '--merge', '-'], Buffer.alloc(0));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--merge reads files and directories, not standard input/);
});

test('--merge: NDJSON and CSV carry capture and captureFrame', (t) => {
  const missing = canUseTools(['editcap']);
  if (missing !== null) { t.skip(missing); return; }
  const { dir } = split(MANY_FLOWS, 'editcap -c', 20);
  const json = report(['--merge', dir]).r;
  const nd = run(['analyze', '--format', 'ndjson', '--merge', dir]);
  assert.equal(nd.code, 0, nd.stderr);
  const lines = nd.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Obj);
  const events = lines.filter((l) => l.type !== 'capture' && l.type !== 'flow' && l.type !== 'summary' && l.type !== 'merged');
  assert.deepEqual(events.map((e) => [e.frame, e.capture, e.captureFrame]), json.events.map((e) => [e.frame, e.capture, e.captureFrame]));
  assert.equal(lines.filter((l) => l.type === 'capture').length, json.captures.length);
  const flows = lines.filter((l) => l.type === 'flow');
  assert.deepEqual(flows.map((f) => without(f, ['type'])), json.flows.filter((f) => (f.keepalive as unknown[]).length > 0 || (f.zeroWindowProbes as number) > 0));
  const csv = run(['analyze', '--format', 'csv', '--merge', dir]);
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.split('\r\n').filter((l) => l !== '').map((l) => l.split(','));
  const head = rows[0];
  assert.deepEqual(head.slice(-3), ['capture_frame', 'last_capture', 'last_capture_frame']);
  for (const row of rows.slice(1)) {
    const f = json.flows.find((x) => String(x.id) === row[head.indexOf('flow')]) as Obj;
    assert.equal(row[head.indexOf('capture')], String(f.capture));
    assert.equal(row[head.indexOf('file')], String(json.captures[f.capture as number].file));
    assert.equal(row[head.indexOf('capture_frame')], String(f.captureFrame));
    assert.equal(row[head.indexOf('last_capture_frame')], String(f.lastCaptureFrame));
  }
});

test('--merge JSON: flows written from the snapshot rows are the same text as from the reports (a filter matching every flow)', (t) => {
  const missing = canUseTools(['editcap']);
  if (missing !== null) { t.skip(missing); return; }
  const { dir } = split(MANY_FLOWS, 'editcap -c', 9);
  const rows = run(['analyze', '--format', 'json', '--events', '--all-flows', '--merge', dir]);
  // Every flow of many-flows.pcap has the client 10.77.0.1: the filter keeps all, through the reports.
  const reports = run(['analyze', '--format', 'json', '--events', '--all-flows', '--host', '10.77.0.1', '--merge', dir]);
  assert.equal(rows.code, 0, rows.stderr);
  assert.ok((JSON.parse(rows.stdout) as Report).flows.length > 3);
  assert.equal(rows.stdout, reports.stdout);
});

test('--merge of two captures interleaved in time (odd and even frames): mergecap\'s frame numbers, the unsplit summary', (t) => {
  const missing = canUseTools(['editcap', 'mergecap', 'tshark']);
  if (missing !== null) { t.skip(missing); return; }
  const dir = tempDir('keepalive-merge-');
  const whole = report([MANY_FLOWS]).r;
  const n = whole.captures[0].packets as number;
  const frames = (odd: boolean): string[] => Array.from({ length: n }, (_, i) => i + 1).filter((f) => (f % 2 === 1) === odd).map(String);
  const odd = path.join(dir, 'b-odd.pcapng'), even = path.join(dir, 'a-even.pcapng');
  sh('editcap', [MANY_FLOWS, odd, ...frames(false)]); // editcap deletes the frames listed
  sh('editcap', [MANY_FLOWS, even, ...frames(true)]);
  const merged = report(['--merge', even, odd]).r;
  assert.deepEqual(merged.captures.map((c) => c.file), [odd, even], 'the file with the earliest record first');
  assert.deepEqual(merged.summary, whole.summary);
  const out = path.join(dir, 'merged.out');
  sh('mergecap', ['-w', out, odd, even]);
  const byMergecap = tsharkFrames(out);
  const pieces = [odd, even].map(tsharkFrames);
  assert.ok(merged.events.length > 10);
  for (const e of merged.events) assert.equal(pieces[e.capture as number][e.captureFrame as number], byMergecap[e.frame as number]);
  for (const f of merged.flows) {
    assert.equal(pieces[f.capture as number][f.captureFrame as number], byMergecap[f.firstFrame as number]);
    assert.equal(pieces[f.lastCapture as number][f.lastCaptureFrame as number], byMergecap[f.lastFrame as number]);
  }
});
