// Trouble the report shows only in passing (the table's header, JSON counters) also gets one line
// on stderr per kind, naming the file, in every format: unknown link types, frames beyond the snap
// length, IP lengths that lie, encapsulations not decoded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pcapFile, tempDir, writeTemp } from '../support/capture-files';
import { tcpFrame } from '../support/frames';
import { greFrame, innerIp } from '../support/tunnels';
import { assertCleanStderr, run } from './run';

const FORMATS = ['table', 'json', 'ndjson', 'csv'];
const t0 = 1_700_000_000;

function check(file: string, want: RegExp[]): void {
  for (const format of FORMATS) {
    const r = run(['analyze', '--format', format, file]);
    assert.equal(r.code, 0, `${format}: ${r.stderr}`);
    const lines = assertCleanStderr(r.stderr);
    assert.equal(lines.length, want.length, `${format}: ${r.stderr}`);
    want.forEach((re, i) => {
      assert.ok(lines[i]!.startsWith(`keepalive: ${file}: `), lines[i]);
      assert.match(lines[i]!, re, format);
    });
  }
}

test('notices: an unknown link type', () => {
  const file = writeTemp(tempDir(), 'lt147.pcap', pcapFile([0, 1, 2].map((i) => ({ sec: t0 + i, frac: 0, data: tcpFrame() })), { linkType: 147 }));
  check(file, [/^keepalive: \S+: 3 frames on link type 147, which is not decoded \(linktype-unsupported-147\)$/]);
});

test('notices: frames beyond the snap length, and IP lengths that lie', () => {
  const good = tcpFrame({ payload: 40 });
  const lying4 = tcpFrame({ ipLen: 12 }); // shorter than its own header
  const lying6 = tcpFrame({ src: 'fd00::1', dst: 'fd00::2', ext: [{ type: 'dest' }], ipLen: 4 }); // ends inside its extension header
  const file = writeTemp(tempDir(), 'snap.pcap', pcapFile([
    { sec: t0, frac: 0, data: good },
    { sec: t0, frac: 1, data: good },
    { sec: t0, frac: 2, data: lying4 },
    { sec: t0, frac: 3, data: lying6 },
  ], { snaplen: 64 }));
  check(file, [
    /frame 1: captured length \d+ exceeds the snap length 64; clamped to it, as libpcap does \(3 times in all\)$/,
    /1 frame with an IP length that cannot be right, not decoded \(ipv4-bad-total-length\)$/,
    /1 frame with an IP length that cannot be right, not decoded \(ipv6-bad-payload-length\)$/,
  ]);
});

test('notices: an encapsulation not decoded is named once', () => {
  const f = greFrame(0x9999, innerIp({}));
  const file = writeTemp(tempDir(), 'gre.pcap', pcapFile([0, 1].map((i) => ({ sec: t0 + i, frac: 0, data: f }))));
  check(file, [/2 frames in an encapsulation not decoded \(gre-unsupported-0x9999\)$/]);
});

test('notices: a clean capture says nothing on stderr', () => {
  const file = writeTemp(tempDir(), 'clean.pcap', pcapFile([{ sec: t0, frac: 0, data: tcpFrame() }]));
  check(file, []);
});
