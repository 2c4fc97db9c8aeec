// Timestamps beyond the range of a JavaScript Date (a pcapng interface with a huge if_tsoffset,
// if_tsresol 0 with a big count, or a high word of 0xffffffff): each run used to end with
// "internal error: Invalid time value". Now such times print as far dates, one warning names the
// file and the first frame, and every input is still reported.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { farDay, isoDay, isoTime, type Nanos } from '../../src/units';
import { pcapngFile, tempDir, writeTemp, type NgBlock } from '../support/capture-files';
import { tcpFrame } from '../support/frames';
import { assertCleanStderr, run } from '../cli/run';
import { haveTshark } from '../decode/helpers';

const syn = tcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, flags: 'S' });
const ack = tcpFrame({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000, flags: 'SA', ipId: 2 });

/** µs interface 0, if_tsresol 0 (seconds) interface 1, if_tsoffset 2^60 s interface 2. */
function farFile(): string {
  const blocks: NgBlock[] = [
    { kind: 'idb', linkType: 1 },
    { kind: 'idb', linkType: 1, tsresol: 0 },
    { kind: 'idb', linkType: 1, tsoffset: 1n << 60n },
    { kind: 'epb', iface: 0, ts: 1_700_000_000_000_000n, data: syn },
    { kind: 'epb', iface: 0, ts: (0xffffffffn << 32n) | 5n, data: ack }, // high word 0xffffffff
    { kind: 'epb', iface: 1, ts: 1n << 62n, data: syn },
    { kind: 'epb', iface: 2, ts: 1_700_000_000_000_000n, data: ack },
  ];
  return writeTemp(tempDir(), 'far.pcapng', pcapngFile([{ blocks }]));
}

test('far timestamps: every format reports the input, warns once on stderr with file and frame', () => {
  const file = farFile();
  for (const format of ['table', 'json', 'ndjson', 'csv']) {
    const r = run(['analyze', '--all-flows', '--format', format, file]);
    assert.equal(r.code, 0, `${format}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error/);
    const lines = assertCleanStderr(r.stderr).filter((l) => l.includes('beyond the years'));
    assert.equal(lines.length, 1, `${format}: ${r.stderr}`);
    assert.ok(lines[0]!.startsWith(`keepalive: ${file}: frame 2: `), lines[0]);
    assert.match(lines[0]!, /\(3 times in all\)/);
  }
  const json = JSON.parse(run(['analyze', '--all-flows', '--format', 'json', file]).stdout) as {
    flows: Array<{ firstFrame: number; firstTime: string }>; captures: Array<{ packets: number }>;
  };
  assert.equal(json.captures[0]!.packets, 4);
  assert.deepEqual(json.flows.map((f) => f.firstFrame).sort(), [1, 2, 3]);
  const byFrame = new Map(json.flows.map((f) => [f.firstFrame, f.firstTime]));
  assert.equal(byFrame.get(1), '2023-11-14T22:13:20.000000Z');
  for (const f of [2, 3]) assert.match(byFrame.get(f)!, /^\+\d{6,}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('far timestamps: the date and second are the ones tshark prints', (t) => {
  if (!haveTshark()) { t.skip('tshark not installed'); return; }
  const file = farFile();
  const out = execFileSync('tshark', ['-r', file, '-Y', 'frame.number == 2', '-T', 'fields', '-e', 'frame.time'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  // "Jan 19, 586524 06:50:14.584325000 UTC"
  const m = /^(\w{3}) +(\d+), (\d+) (\d\d:\d\d:\d\d)\./.exec(out);
  assert.ok(m, out);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[1]!) + 1;
  const want = `+${m[3]!.padStart(6, '0')}-${String(month).padStart(2, '0')}-${m[2]!.padStart(2, '0')}T${m[4]}`;
  const json = JSON.parse(run(['analyze', '--all-flows', '--format', 'json', file]).stdout) as { flows: Array<{ firstFrame: number; firstTime: string }> };
  assert.equal(json.flows.find((f) => f.firstFrame === 2)!.firstTime.slice(0, want.length), want);
});

test('far timestamps: far dates agree with Date wherever Date has them (years beyond 9999)', () => {
  const maxDay = 1e8;
  for (const day of [-maxDay, -maxDay + 1, -3_000_000, -2_932_897, -2_932_896, 2_932_897, 2_932_897 + 59, 2_932_897 + 365 * 400 + 97, 50_000_000, maxDay - 1, maxDay]) {
    const iso = new Date(day * 86400e3).toISOString();
    assert.equal(farDay(day), iso.slice(0, iso.indexOf('T') + 1), `day ${day}`);
    assert.equal(isoDay(day), iso.slice(0, 11));
  }
  // Past Date's range: still a date, and time of day, never an exception.
  assert.match(isoTime(1e15, 0 as Nanos, 6), /^\+\d+-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/);
  assert.match(isoTime(-1e15, 0 as Nanos, 9), /^-\d+-\d\d-\d\dT\d\d:\d\d:\d\d\.000000000Z$/);
  assert.match(isoTime(1.8e19, 5e27 as Nanos, 6), /^\+\d+-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});
