// The --events timelines are laid out by report/table.ts itself (the `table` package cost 0.9 ms
// per row); these tests hold the text to what `table` draws for the same rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getBorderCharacters, table } from 'table';
import { analyzeFile } from '../../src/analysis';
import type { KeepaliveEvent } from '../../src/keepalive/model';
import { describeEvent, writeEventsTimeline, timelineRows } from '../../src/report/table';
import type { AnalyzedInput } from '../../src/report/inputs';
import type { TimeMode } from '../../src/report/format';
import { formatEventTime, formatRelative } from '../../src/report/format';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures');

/** The timelines as the `table` package drew them, from the same cells. */
function byTablePackage(input: AnalyzedInput, mode: TimeMode): string {
  const byFlow = new Map<number, KeepaliveEvent[]>();
  for (const e of input.events) byFlow.set(e.flow, [...(byFlow.get(e.flow) ?? []), e]);
  const flows = new Map(Array.from(input.flows, (f) => [f.id, f] as const));
  let out = '';
  for (const [id, events] of byFlow) {
    const f = flows.get(id);
    out += `\nevents of flow #${id}${f === undefined ? '' : ` ${f.client} → ${f.server}`}\n`;
    const rows: string[][] = [mode === 'relative' ? ['frame', 'rel (s)', 'dir', 'event'] : ['frame', 'rel (s)', 'time', 'dir', 'event']];
    for (const e of events) {
      const row = [String(e.frame), formatRelative(e.relTime, input.capture.tsDigits)];
      if (mode !== 'relative') row.push(formatEventTime(mode, e.time, e.relTime, input.capture.tsDigits));
      row.push(f === undefined ? `${e.from} → ${e.to}` : e.from === f.client ? 'client → server' : 'server → client');
      row.push(describeEvent(e)); // the description is the writer's own text; the layout is compared
      rows.push(row);
    }
    out += table(rows, {
      border: getBorderCharacters('void'), columnDefault: { paddingLeft: 0, paddingRight: 2 }, drawHorizontalLine: () => false,
      columns: { 0: { alignment: 'right' }, 1: { alignment: 'right' } },
    }).replace(/^/gm, '  ').replace(/ +$/gm, '');
  }
  return out;
}

test('timelines: same text as the table package for every fixture with events, in every time mode', async () => {
  const files = fs.readdirSync(FIXTURES).filter((n) => n.endsWith('.pcap')).map((n) => path.join(FIXTURES, n));
  files.push(...fs.readdirSync(path.join(FIXTURES, 'public')).filter((n) => /\.pcap(ng)?$/.test(n)).map((n) => path.join(FIXTURES, 'public', n)));
  let compared = 0;
  for (const file of files) {
    const events: KeepaliveEvent[] = [];
    const { capture, result } = await analyzeFile(file, {}, (e) => events.push(e));
    if (events.length === 0) continue;
    const input: AnalyzedInput = { index: 0, capture, result, flows: result.flows, events };
    for (const mode of ['absolute', 'relative', 'epoch'] as const) {
      let ours = '';
      writeEventsTimeline(input, { timeMode: mode, events: true }, (s) => { ours += s; });
      assert.equal(ours, byTablePackage(input, mode), `${path.basename(file)} ${mode}`);
      compared += events.length;
    }
  }
  assert.ok(compared > 100, `${compared} event rows compared`);
});

test('timeline rows: right-aligned columns, wide cells, IPv6, no trailing spaces', () => {
  const rows = [['frame', 'rel (s)', 'dir', 'event'], ['1', '0.5', '[2001:db8::1]:443 → [2001:db8::2]:5', 'x'], ['123456', '7200.000001', 'a', '']];
  const want = table(rows, {
    border: getBorderCharacters('void'), columnDefault: { paddingLeft: 0, paddingRight: 2 }, drawHorizontalLine: () => false,
    columns: { 0: { alignment: 'right' }, 1: { alignment: 'right' } },
  }).replace(/^/gm, '  ').replace(/ +$/gm, '');
  assert.equal(timelineRows(rows, 2), want);
});
