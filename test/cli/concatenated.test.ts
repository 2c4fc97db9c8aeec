// Files concatenated into one stream (`cat a.pcap b.pcap | keepalive analyze -`) are read on as
// one capture with a warning, and inputs that look like one rotated set get a --merge hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pcapFile, pcapHeader, pcapRecord, tempDir } from '../support/capture-files';
import { canUseTools } from '../support/netns';
import { tcpFrame } from '../support/frames';
import { ROOT, run } from './run';

type Obj = Record<string, unknown>;
interface Report { captures: Obj[]; flows: Obj[]; events: Obj[]; summary: Obj }

const fx = (name: string): string => path.join(ROOT, 'fixtures', name);

function report(args: string[], input?: Buffer): { r: Report; stderr: string; code: number | null } {
  const out = run(['analyze', '--format', 'json', '--events', ...args], input);
  return { r: JSON.parse(out.stdout) as Report, stderr: out.stderr, code: out.code };
}

/** Both captures' reports as one: frames of the second counted on from the first's last. */
function concatenationOf(a: Report, b: Report): { flows: Obj[]; events: Obj[] } {
  const offset = a.captures[0].packets as number;
  const shift = (o: Obj): Obj => {
    const c = { ...o };
    for (const k of ['frame', 'firstFrame', 'lastFrame', 'probeFrame']) if (typeof c[k] === 'number') c[k] = (c[k] as number) + offset;
    return c;
  };
  return { flows: [...a.flows, ...b.flows.map(shift)], events: [...a.events, ...b.events.map(shift)] };
}

const ids = (o: Obj): Obj => { const { id: _i, flow: _f, relTime: _r, idleSeconds: _s, ...rest } = o; return rest; };

for (const [name, a, b] of [
  ['pcap', 'cut-path.pcap', 'peer-reset.pcap'],
  ['pcapng', 'derived/healthy.pcapng', 'derived/midstream.pcapng'],
] as const) {
  test(`cat a.${name} b.${name} | analyze -: read on after the second file header, frames continuing, one warning`, () => {
    const first = report([fx(a)]).r, second = report([fx(b)]).r;
    const cat = report(['-'], Buffer.concat([fs.readFileSync(fx(a)), fs.readFileSync(fx(b))]));
    assert.equal(cat.code, 0, cat.stderr);
    const c = cat.r.captures[0];
    assert.equal(c.error, null);
    assert.equal(c.packets, (first.captures[0].packets as number) + (second.captures[0].packets as number));
    const warnings = (c.warnings as string[]).filter((w) => /concatenated/.test(w));
    assert.equal(warnings.length, 1, JSON.stringify(c.warnings));
    assert.match(warnings[0], new RegExp(`after frame ${String(first.captures[0].packets)}\\b`));
    // Flow ids and relative times belong to the one capture now; everything else is the two files'.
    const want = concatenationOf(first, second);
    const strip = (xs: Obj[]): Obj[] => xs.map((x) => ids({ ...x, capture: 0 }));
    assert.deepEqual(strip(cat.r.flows).map((f) => f.firstFrame), strip(want.flows).map((f) => f.firstFrame));
    assert.deepEqual(strip(cat.r.events).map((e) => [e.type, e.frame, e.time]), strip(want.events).map((e) => [e.type, e.frame, e.time]));
  });
}

for (const [a, b] of [['cut-path.pcap', 'derived/healthy.pcapng'], ['derived/healthy.pcapng', 'cut-path.pcap']] as const) {
  test(`cat ${a} ${b} | analyze -: the other format's header is read on too`, () => {
    const first = report([fx(a)]).r, second = report([fx(b)]).r;
    const cat = report(['-'], Buffer.concat([fs.readFileSync(fx(a)), fs.readFileSync(fx(b))]));
    assert.equal(cat.code, 0, cat.stderr);
    const c = cat.r.captures[0];
    assert.equal(c.error, null);
    assert.equal(c.format, first.captures[0].format);
    assert.equal(c.packets, (first.captures[0].packets as number) + (second.captures[0].packets as number));
    const warnings = (c.warnings as string[]).filter((w) => /concatenated/.test(w));
    assert.equal(warnings.length, 1, JSON.stringify(c.warnings));
    assert.match(warnings[0], new RegExp(`a ${String(second.captures[0].format)} .* after frame ${String(first.captures[0].packets)}:`));
    const want = concatenationOf(first, second);
    assert.deepEqual(cat.r.events.map((e) => [e.type, e.frame, e.time]), want.events.map((e) => [e.type, e.frame, e.time]));
  });
}

test('a second pcap header of another byte order and resolution is read with its own', () => {
  const a = pcapFile([{ sec: 100, frac: 1, data: tcpFrame({ flags: 'S' }) }]);
  const b = Buffer.concat([pcapHeader({ le: false, ns: true, linkType: 1 }), pcapRecord({ sec: 101, frac: 500_000_000, data: tcpFrame({ flags: 'SA' }) }, false)]);
  const cat = report(['--all-flows', '-'], Buffer.concat([a, b]));
  assert.equal(cat.code, 0, cat.stderr);
  assert.equal(cat.r.captures[0].packets, 2);
  assert.equal(cat.r.captures[0].lastTime, '1970-01-01T00:01:41.500000000Z');
});

test('rotated-set hint: one stderr line for consecutive files of one link type and snap length, none otherwise', (t) => {
  const missing = canUseTools(['editcap']);
  if (missing !== null) { t.skip(missing); return; }
  const dir = tempDir('keepalive-rotated-');
  const r0 = spawnSync('editcap', ['-c', '30', fx('many-flows.pcap'), path.join(dir, 'part.pcap')]);
  assert.equal(r0.status, 0);
  const parts = fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
  assert.ok(parts.length >= 3);
  const hint = /look like one capture cut into files.*add --merge/;
  const rotated = run(['analyze', ...parts]);
  assert.equal(rotated.stderr.split('\n').filter((l) => hint.test(l)).length, 1, rotated.stderr);
  assert.match(rotated.stderr, new RegExp(`these ${parts.length} captures`));
  // In any order on the command line.
  assert.match(run(['analyze', ...[...parts].reverse()]).stderr, hint);
  // Overlapping in time (the same file twice), one file, or with --merge: no hint.
  assert.doesNotMatch(run(['analyze', parts[0], parts[0]]).stderr, hint);
  assert.doesNotMatch(run(['analyze', parts[0]]).stderr, hint);
  assert.doesNotMatch(run(['analyze', '--merge', ...parts]).stderr, hint);
  // Another link type (sll.pcap: Linux cooked capture).
  assert.doesNotMatch(run(['analyze', fx('many-flows.pcap'), fx('sll.pcap')]).stderr, hint);
});

test('rotated-set hint: files one after another in time but of different snap lengths get none', () => {
  const dir = tempDir('keepalive-rotated-');
  const file = (name: string, snaplen: number, sec: number): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, pcapFile([{ sec, frac: 0, data: tcpFrame({ flags: 'S' }) }, { sec: sec + 1, frac: 0, data: tcpFrame({ flags: 'A' }) }], { snaplen }));
    return p;
  };
  const hint = /look like one capture cut into files/;
  assert.match(run(['analyze', file('a', 128, 1000), file('b', 128, 1002)]).stderr, hint);
  assert.doesNotMatch(run(['analyze', file('c', 128, 1000), file('d', 262144, 1002)]).stderr, hint);
});
