// Real captures written by other tools, checked against independent readers: capinfos (counts,
// total original length), tcpdump (every timestamp, in ns), and editcap conversions of the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzip, tempDir, type RecordedPacket } from '../support/capture-files';
import { publicCaptures } from './public-captures';
import { readFile } from './read-helpers';

const has = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
const HAVE_CAPINFOS = has('capinfos');
const HAVE_TCPDUMP = has('tcpdump');
const HAVE_EDITCAP = has('editcap');
const found = publicCaptures();

const timeText = (r: RecordedPacket): string => `${r.sec}.${String(r.nsec).padStart(9, '0')}`;

if ('reason' in found) {
  test('public captures', (t) => { t.skip(found.reason); });
} else {
  for (const file of found.files) {
    const name = path.basename(file);
    test(`${name}: record count and total length agree with capinfos`, async (t) => {
      const { info, records } = await readFile(file);
      assert.equal(info.error, null);
      assert.deepEqual(info.warnings, []);
      assert.equal(info.packets, records.length);
      assert.equal(info.bytesRead, fs.statSync(file).size);
      assert.equal(info.format, name.endsWith('.pcapng') ? 'pcapng' : 'pcap');
      if (!HAVE_CAPINFOS) { t.skip('capinfos not installed'); return; }
      const out = spawnSync('capinfos', ['-T', '-r', '-M', '-c', '-d', file], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const [, count, dataSize] = out.stdout.trim().split('\t');
      assert.equal(records.length, Number(count));
      assert.equal(records.reduce((s, r) => s + r.origLen, 0), Number(dataSize));
    });

    test(`${name}: every timestamp agrees with tcpdump (or tshark) to the nanosecond`, async (t) => {
      if (!HAVE_TCPDUMP) { t.skip('tcpdump not installed'); return; }
      const out = spawnSync('tcpdump', ['-tt', '--time-stamp-precision=nano', '-nn', '-q', '-r', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
      let text = out.stdout;
      // libpcap refuses pcapng files whose interfaces differ in link type or snap length: ask tshark.
      if (out.status !== 0 && /different from the/.test(out.stderr)) {
        if (!has('tshark')) { t.skip(`tcpdump cannot read it and tshark is not installed: ${out.stderr.trim().split('\n').pop()}`); return; }
        const ts = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', maxBuffer: 64 << 20 });
        assert.equal(ts.status, 0, ts.stderr);
        text = ts.stdout.split('\n').map((l) => `${l.trim()} `).join('\n');
      } else {
        assert.equal(out.status, 0, out.stderr);
      }
      const times = text.split('\n').map((l) => /^(\d+\.\d{9}) /.exec(l)?.[1]).filter((x): x is string => x !== undefined);
      const { records } = await readFile(file);
      assert.equal(records.length, times.length);
      records.forEach((r, i) => assert.equal(timeText(r), times[i], `frame ${i + 1}`));
    });

    test(`${name}: editcap conversions and gzip deliver the same records and times`, async (t) => {
      const orig = await readFile(file);
      const dir = tempDir('keepalive-editcap-');
      const variants: Array<[string, string]> = [];
      const gz = path.join(dir, `${name}.gz`);
      fs.writeFileSync(gz, gzip(fs.readFileSync(file)));
      variants.push(['gzip', gz]);
      if (HAVE_EDITCAP) {
        for (const [fmt, ext] of [['pcapng', 'pcapng'], ['nsecpcap', 'ns.pcap'], ['pcap', 'us.pcap']]) {
          const dst = path.join(dir, `${name}.${ext}`);
          const r = spawnSync('editcap', ['-F', fmt, file, dst], { encoding: 'utf8' });
          // Mixed link types cannot be written as classic pcap: nothing to compare then.
          if (r.status === 0) variants.push([`editcap -F ${fmt}`, dst]);
        }
      }
      for (const [how, f] of variants) {
        const got = await readFile(f);
        assert.equal(got.info.error, null, how);
        assert.equal(got.info.gzip, how === 'gzip', how);
        assert.equal(got.records.length, orig.records.length, how);
        got.records.forEach((r, i) => {
          const o = orig.records[i];
          assert.equal(r.frame, o.frame, how);
          assert.equal(r.linkType, o.linkType, `${how} frame ${i + 1} link type`);
          assert.equal(timeText(r), timeText(o), `${how} frame ${i + 1} time`);
          assert.equal(r.origLen, o.origLen, `${how} frame ${i + 1} original length`);
          assert.deepEqual(r.data, o.data, `${how} frame ${i + 1} data`);
        });
      }
      if (!HAVE_EDITCAP) t.skip('editcap not installed: only the gzip variant was checked');
    });
  }
}
