// The HTML report opened in a real browser: Debian's chromium, driven by playwright-core (no browser
// download). Every bundled fixture's page must load without errors or requests, show one row per
// flow of the JSON report and one timeline mark per event of `--format json --events`, filter, and
// show the timeline of a clicked flow. Screenshots go to dist/test-output/html/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { JsonReport } from '../../src/report/json';
import type { FlowReport } from '../../src/keepalive/model';
import { HTML_MAX_FLOWS, HtmlEvents, writeHtml } from '../../src/report/html';
import { OutputBatch } from '../../src/cli/output';
import { MIDDLEBOXES } from '../../src/keepalive/settings';
import type { FrameNo } from '../../src/units';
import { makeFlow, makeInput, probing } from './fixtures';
import { ROOT, run } from '../cli/run';
import { hasTshark, pageMarks, segmentsOf, tsharkSegments } from './tshark-segments';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { analyzeFile } from '../../src/analysis';
import { SegmentSpill } from '../../src/pipeline/segment-spill';
import type { KeepaliveEvent } from '../../src/keepalive/model';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(ROOT, 'dist', 'test-output', 'html');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FIXTURES = readdirSync(join(ROOT, 'fixtures')).filter((n) => n.endsWith('.pcap')).sort();
const OUTCOME_ORDER = ['timeout', 'reset', 'icmp', 'unanswered', 'alive'];
const MIDDLEBOX_COUNT = MIDDLEBOXES.length;

function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `chromium not installed (${CHROMIUM}; apt-get install chromium)`;
  try { require.resolve('playwright-core'); } catch { return 'playwright-core not installed (npm ci)'; }
  return null;
}

let context: BrowserContext | null = null;
let profile: string | null = null;

async function browser(): Promise<BrowserContext> {
  if (context !== null) return context;
  const { chromium } = await import('playwright-core');
  profile = mkdtempSync(join(os.tmpdir(), 'keepalive-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1300, height: 1000 },
  });
  return context;
}

test.after(async () => {
  if (context !== null) await context.close();
  if (profile !== null) rmSync(profile, { recursive: true, force: true });
});

interface Opened { readonly page: Page; readonly problems: string[] }

/** Opens a page, recording console errors, uncaught exceptions and any request that is not the file itself. */
async function open(file: string): Promise<Opened> {
  const ctx = await browser();
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (r.url() !== `file://${file}`) problems.push(`request: ${r.url()}`); });
  await page.goto(`file://${file}`, { timeout: 180_000 });
  await page.waitForSelector('#flow-rows');
  return { page, problems };
}

/**
 * Every `data-flow` of the table, scrolling its lazily rendered body from top to bottom. (Browser
 * code as text: the tests compile without the DOM's types.)
 */
const ROW_KEYS = `(async () => {
  const body = document.getElementById('flow-rows');
  const seen = new Set();
  body.scrollTop = 0;
  for (;;) {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (const e of body.querySelectorAll('[data-flow]')) seen.add(e.dataset.flow);
    if (body.scrollTop + body.clientHeight >= body.scrollHeight - 1) break;
    body.scrollTop += body.clientHeight;
  }
  body.scrollTop = 0;
  return [...seen];
})()`;

async function allRowKeys(page: Page): Promise<string[]> {
  return page.evaluate(ROW_KEYS) as Promise<string[]>;
}

async function visibleRowCount(page: Page): Promise<number> {
  await page.waitForTimeout(250); // the address and port boxes filter after a short pause
  return (await allRowKeys(page)).length;
}

function report(args: readonly string[]): JsonReport {
  const r = run(['analyze', '--format', 'json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as JsonReport;
}

const worst = (f: JsonReport['flows'][number]): string =>
  f.keepalive.map((k) => k.outcome as string).sort((a, b) => OUTCOME_ORDER.indexOf(a) - OUTCOME_ORDER.indexOf(b))[0] ?? 'none';
const portOf = (ep: string): number => Number(ep.slice(ep.lastIndexOf(':') + 1));

for (const name of FIXTURES) {
  test(`html in chromium: fixtures/${name} shows every flow and event of the JSON report, filters, and draws timelines`, async (t) => {
    const reason = skipReason();
    if (reason !== null) { t.skip(reason); return; }
    mkdirSync(OUT, { recursive: true });
    const capture = join(ROOT, 'fixtures', name);
    const html = join(OUT, name.replace(/\.pcap$/, '.html'));
    const made = run(['analyze', '--format', 'html', '-o', html, capture]);
    assert.equal(made.code, 0, made.stderr);
    const json = report(['--events', capture]);
    const events = json.events ?? [];
    const marks = pageMarks(html);
    const { page, problems } = await open(html);
    try {
      // One row per flow of the JSON report.
      const keys = await allRowKeys(page);
      assert.deepEqual(keys.sort(), json.flows.map((f) => `${f.capture}:${f.id}`).sort());

      // Each flow's timeline: one mark per event, probes as the flow's probe count, by clicking its row.
      let probeMarks = 0;
      for (const f of json.flows) {
        const key = `${f.capture}:${f.id}`;
        await page.locator(`#flow-rows [data-flow="${key}"]`).click();
        await page.waitForSelector(`#tl-chart[data-timeline-flow="${key}"]`);
        assert.match(await page.locator('#tl-title').innerText(), new RegExp(`Flow ${key}: ${f.client.replace(/[[\]]/g, '\\$&')}`));
        const mine = events.filter((e) => e.flow === f.id);
        for (const type of ['probe', 'probe-ack', 'probe-reset', 'probe-icmp', 'zero-window-probe', 'keepalive-timeout']) {
          const n = await page.locator(`#tl [data-event="${type}"]`).count();
          assert.equal(n, mine.filter((e) => e.type === type).length, `${key}: ${type} marks`);
        }
        const probes = await page.locator('#tl [data-event="probe"]').count();
        assert.equal(probes, f.keepalive.reduce((n, k) => n + k.probes, 0), `${key}: probe marks`);
        // Every RST of the flow, except one answering a probe (its probe-reset mark shows it).
        const resetFrames = new Set(mine.filter((e) => e.type === 'probe-reset').map((e) => e.frame as number));
        const rsts = (marks.get(key)?.marks ?? []).filter((k) => k.kind === 'rst' && !resetFrames.has(k.frame)).length;
        assert.equal(await page.locator('#tl [data-event="rst"]').count(), rsts, `${key}: rst marks`);
        if (f.end === 'rst') assert.ok(rsts + resetFrames.size > 0, `${key}: a RST ended it`);
        assert.equal(await page.locator('#tl [data-event="zero-window-probe"]').count(), f.zeroWindowProbes, `${key}: zero-window marks`);
        const answered = new Set(mine.flatMap((e) => ('probeFrame' in e ? [e.probeFrame] : [])));
        assert.equal(await page.locator('#tl [data-event="probe"][data-answered="yes"]').count(),
          mine.filter((e) => e.type === 'probe' && answered.has(e.frame)).length, `${key}: answered probes`);
        // Hovering a mark names its frame.
        const first = page.locator('#tl .mark[data-event]:not(.seg)').first();
        if (await first.count() > 0) {
          await first.hover();
          assert.match(await page.locator('#mark-info').innerText(), /^frame \d+ · /);
        }
        // Silences are labelled, catalogue timeouts marked from the last segment heard before a series.
        const series = mine.filter((e) => e.type === 'probe' && e.idleSeconds !== null).length;
        assert.equal(await page.locator('#tl [data-point="last-heard"]').count(), series, `${key}: last-heard points`);
        assert.equal(await page.locator('#tl [data-timeout]').count(), series > 0 ? MIDDLEBOX_COUNT : 0, `${key}: catalogue markers`);
        if (probes > 0) assert.ok(await page.locator('#tl [data-gap]').count() > 0, `${key}: labelled silences`);
        // Zooming into the middle hides the first packet; the whole flow shows it again.
        const firstPacket = page.locator('#tl [data-point="first"]');
        assert.ok(await firstPacket.isVisible());
        for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'zoom in' }).click();
        assert.ok(!(await firstPacket.isVisible()), `${key}: zoomed in`);
        await page.getByRole('button', { name: 'whole flow' }).click();
        assert.ok(await firstPacket.isVisible(), `${key}: whole flow again`);
        probeMarks += probes;
      }
      assert.equal(probeMarks, json.summary.probes);

      // Filters change the rows: a port no flow has, then the first flow's server port, then each outcome.
      const total = json.flows.length;
      const ports = new Set(json.flows.flatMap((f) => [portOf(f.client), portOf(f.server)]));
      let unused = 1;
      while (ports.has(unused)) unused++;
      await page.fill('#f-port', String(unused));
      assert.equal(await visibleRowCount(page), 0);
      const p = portOf(json.flows[0].server);
      await page.fill('#f-port', String(p));
      assert.equal(await visibleRowCount(page), json.flows.filter((f) => portOf(f.client) === p || portOf(f.server) === p).length);
      await page.fill('#f-port', '');
      assert.equal(await visibleRowCount(page), total);
      for (const o of new Set(json.flows.map(worst))) {
        await page.selectOption('#f-outcome', o);
        assert.equal(await visibleRowCount(page), json.flows.filter((f) => worst(f) === o).length, `outcome ${o}`);
      }
      await page.selectOption('#f-outcome', '');
      await page.fill('#f-addr', json.flows[0].client.slice(0, json.flows[0].client.lastIndexOf(':')));
      assert.ok(await visibleRowCount(page) >= 1);
      await page.fill('#f-addr', 'no such address');
      assert.equal(await visibleRowCount(page), 0);
      await page.fill('#f-addr', '');
      assert.equal(await visibleRowCount(page), total);

      await page.locator(`#flow-rows [data-flow="${json.flows[0].capture}:${json.flows[0].id}"]`).click();
      await page.screenshot({ path: join(OUT, name.replace(/\.pcap$/, '.png')), fullPage: true });
      // Printed: no controls, the timeline and the table still there.
      await page.emulateMedia({ media: 'print' });
      assert.ok(!(await page.locator('#f-port').isVisible()));
      assert.ok(!(await page.getByRole('button', { name: 'zoom in' }).isVisible()));
      assert.ok(await page.locator('#tl-chart').isVisible());
      await page.emulateMedia({ media: 'screen' });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
}

test('html in chromium: a report of 100,000 flows embeds the first HTML_MAX_FLOWS, says so, and keeps the table lazy, sortable and filterable', async (t) => {
  const reason = skipReason();
  if (reason !== null) { t.skip(reason); return; }
  mkdirSync(OUT, { recursive: true });
  const N = 100_000;
  const flows = [];
  for (let i = 0; i < N; i++) {
    const outcome = i % 10 === 0 ? 'timeout' as const : 'alive' as const;
    flows.push(makeFlow({
      id: i, client: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${40000 + (i % 20000)}`, server: `192.0.2.1:${i % 7 === 0 ? 443 : 80}`,
      firstFrame: (i * 10 + 1) as FrameNo, lastFrame: (i * 10 + 10) as FrameNo, maxIdleSeconds: 100 + (i % 900),
      keepalive: [{ ...probing, outcome }],
    }));
  }
  const file = join(OUT, 'many-made-up-flows.html');
  const chunks: Buffer[] = [];
  const batch = new OutputBatch({ out: (s) => chunks.push(Buffer.from(s)), outBytes: (b) => { chunks.push(Buffer.from(b)); return true; }, err: () => {} });
  writeHtml([makeInput(0, flows)], new HtmlEvents(), batch);
  batch.flush();
  writeFileSync(file, Buffer.concat(chunks));
  const { page, problems } = await open(file);
  try {
    const M = HTML_MAX_FLOWS;
    assert.ok(M < N);
    assert.equal(await page.locator('#f-count').innerText(), `${M} of ${M} flows`);
    assert.match(await page.locator('#cap-note').innerText(), new RegExp(`^${N - M} more flows \\(of ${N}\\) are not in this page.*--flow/--host`));
    const kept = flows.slice(0, M);
    const inDom = await page.locator('#flow-rows [data-flow]').count();
    assert.ok(inDom > 0 && inDom < 200, `${inDom} rows in the DOM`);
    await page.selectOption('#f-outcome', 'timeout');
    assert.equal(await page.locator('#f-count').innerText(), `${M / 10} of ${M} flows`);
    await page.fill('#f-port', '443');
    const both = kept.filter((f, i) => i % 10 === 0 && i % 7 === 0).length;
    await page.waitForFunction(`document.getElementById('f-count').textContent === '${both} of ${M} flows'`);
    await page.locator('.fhead button[data-sort="maxidle"]').click();
    const firstKey = await page.locator('#flow-rows [data-flow]').first().getAttribute('data-flow');
    const min = Math.min(...kept.filter((f, i) => i % 70 === 0).map((f) => f.maxIdleSeconds));
    assert.equal(flows[Number(firstKey?.split(':')[1])].maxIdleSeconds, min);
    await page.locator('#flow-rows [data-flow]').first().click();
    await page.waitForSelector(`#tl-chart[data-timeline-flow="${firstKey}"]`);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('html in chromium: flows with a fate get a fate column and filter, and a paths list is shown first', async (t) => {
  const reason = skipReason();
  if (reason !== null) { t.skip(reason); return; }
  mkdirSync(OUT, { recursive: true });
  // Fields a later engine adds (flow.fate, a top-level paths list) reach the page as the JSON has them.
  const fates = ['survived', 'died', 'died', 'unknown'];
  const flows = fates.map((fate, i) => ({ ...makeFlow({ id: i, client: `198.51.100.${i + 1}:5000${i}` }), fate: fate as unknown as FlowReport['fate'] }));
  const input = makeInput(0, flows);
  const parts: Buffer[] = [];
  const batch = new OutputBatch({ out: (s) => parts.push(Buffer.from(s)), outBytes: (b) => { parts.push(Buffer.from(b)); return true; }, err: () => {} });
  writeHtml([input], new HtmlEvents(), batch);
  batch.flush();
  const paths = [{ path: '198.51.100.0/24 → 192.0.2.1:443', survivedSeconds: 300, diedSeconds: 360 }];
  const page0 = Buffer.concat(parts).toString('utf8')
    .replace('"summary": {', `"paths": ${JSON.stringify(paths)},\n  "summary": {`);
  const file = join(OUT, 'fate.html');
  writeFileSync(file, page0);
  const { page, problems } = await open(file);
  try {
    assert.equal(await page.locator('.fhead button[data-sort="fate"]').count(), 1);
    assert.match(await page.locator('#paths').innerText(), /198\.51\.100\.0\/24 → 192\.0\.2\.1:443\s+300\s+360/);
    for (const fate of new Set(fates)) {
      await page.selectOption('#f-fate', fate);
      assert.equal(await visibleRowCount(page), fates.filter((f) => f === fate).length, fate);
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

const CAPTURE_SETS: readonly (readonly [string, string])[] = [['public', 'fixtures/public'], ['path', 'fixtures/path']];

for (const [set, folder] of CAPTURE_SETS) {
  test(`html in chromium: one page of every capture in ${folder} opens without errors, a row per flow`, async (t) => {
    const reason = skipReason();
    if (reason !== null) { t.skip(reason); return; }
    mkdirSync(OUT, { recursive: true });
    const dir = join(ROOT, folder);
    const files = readdirSync(dir).filter((n) => /\.pcap(ng)?(\.gz)?$/.test(n)).sort().map((n) => join(dir, n));
    assert.ok(files.length > 0, `no capture in ${folder}`);
    const html = join(OUT, `${set}.html`);
    const made = run(['analyze', '--format', 'html', '-o', html, ...files]);
    assert.equal(made.code, 0, made.stderr);
    const json = report(['--events', ...files]);
    const { page, problems } = await open(html);
    try {
      assert.deepEqual((await allRowKeys(page)).sort(), json.flows.map((f) => `${f.capture}:${f.id}`).sort());
      for (const f of json.flows.slice(0, 12)) {
        const key = `${f.capture}:${f.id}`;
        await page.locator(`#flow-rows [data-flow="${key}"]`).click();
        await page.waitForSelector(`#tl-chart[data-timeline-flow="${key}"]`);
        assert.equal(await page.locator('#tl [data-event="probe"]').count(), f.keepalive.reduce((n, k) => n + k.probes, 0), key);
        const mine = (json.events ?? []).filter((e) => e.capture === f.capture && e.flow === f.id);
        assert.equal(await page.locator('#tl .mark[data-event]:not(.seg)').count(), mine.length, key);
        assert.ok(await page.locator('#tl .mark.seg').count() > 0, `${key}: segment marks`);
      }
      await page.screenshot({ path: join(OUT, `${set}.png`), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
}

/** Captures with retransmissions (the cut NAT path's client, a bridge's and a VPN's copies, a TLS upload). */
const RESENDING = ['fixtures/path/nat-blackhole.client.pcap', 'fixtures/captures/bridge-any.pcap', 'fixtures/public/psiphon3.pcap',
  'fixtures/public/nest_log_sink.pcap', 'fixtures/public/smb_v2_only_non_zero_reserved1.pcap'];

for (const capture of RESENDING) {
  test(`html in chromium: ${capture}: each timeline draws tshark's data segments, RSTs and retransmissions`, async (t) => {
    const reason = skipReason() ?? (hasTshark() ? null : 'tshark not installed (apt-get install tshark)');
    if (reason !== null) { t.skip(reason); return; }
    mkdirSync(OUT, { recursive: true });
    const html = join(OUT, `${capture.replace(/[/.]/g, '_')}.html`);
    // Copies unfolded, as tshark sees them.
    const made = run(['analyze', '--format', 'html', '--all-flows', '--dup-window', '0', '-o', html, join(ROOT, capture)]);
    assert.equal(made.code, 0, made.stderr);
    const json = report(['--events', '--all-flows', '--dup-window', '0', join(ROOT, capture)]);
    const ts = tsharkSegments(join(ROOT, capture));
    const { page, problems } = await open(html);
    try {
      let resent = 0;
      for (const f of json.flows) {
        const key = `${f.capture}:${f.id}`;
        await page.locator(`#flow-rows [data-flow="${key}"]`).click();
        await page.waitForSelector(`#tl-chart[data-timeline-flow="${key}"]`);
        const segs = segmentsOf(f, ts);
        const mine = (json.events ?? []).filter((e) => e.flow === f.id);
        const probeFrames = new Set(mine.filter((e) => e.type === 'probe' || e.type === 'zero-window-probe').map((e) => e.frame as number));
        const resetFrames = new Set(mine.filter((e) => e.type === 'probe-reset').map((e) => e.frame as number));
        const retransmitted = segs.filter((x) => x.resent && !x.keepAlive);
        assert.equal(await page.locator('#tl [data-event="retransmission"]').count(), retransmitted.length, `${key}: retransmissions`);
        // Data: tshark's tcp.len > 0 less retransmissions, and less probes (drawn as probes).
        const data = segs.filter((x) => x.len > 0 && !(x.resent && !x.keepAlive) && !probeFrames.has(x.frame)).length;
        assert.equal(await page.locator('#tl .mark.seg[data-len]:not([data-len="0"]):not([data-event="retransmission"])').count(), data, `${key}: data`);
        assert.equal(await page.locator('#tl [data-event="rst"]').count(), segs.filter((x) => x.rst && !resetFrames.has(x.frame)).length, `${key}: RSTs`);
        assert.equal(await page.locator('#tl [data-injected="yes"]').count(), f.fate.how === 'injected-reset' ? 1 : 0, `${key}: injected RST`);
        // A retransmission names its frame when clicked (dispatched: a neighbour may cover it at this zoom).
        const first = page.locator('#tl [data-event="retransmission"]').first();
        if (await first.count() > 0) {
          await first.dispatchEvent('click');
          assert.match(await page.locator('#mark-info').innerText(), new RegExp(`^frame ${retransmitted[0].frame} · .*retransmission`));
        }
        resent += retransmitted.length;
      }
      assert.ok(resent > 0, 'tshark found retransmissions');
      await page.screenshot({ path: join(OUT, `${capture.replace(/[/.]/g, '_')}.png`), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
}

test('html in chromium: a flow longer than the marks kept shows its first and last segments and says how many are not drawn', async (t) => {
  const reason = skipReason();
  if (reason !== null) { t.skip(reason); return; }
  mkdirSync(OUT, { recursive: true });
  const capture = join(ROOT, 'fixtures', 'path', 'nat-blackhole.client.pcap');
  const spill = new SegmentSpill();
  const events = new HtmlEvents();
  const collected: KeepaliveEvent[] = [];
  const { capture: info, result } = await analyzeFile(capture, { allFlows: true, segmentTap: spill }, (e) => { events.add(0, e); collected.push(e); });
  const side = 3;
  const parts: Buffer[] = [];
  const batch = new OutputBatch({ out: (x) => parts.push(Buffer.from(x)), outBytes: (b) => { parts.push(Buffer.from(b)); return true; }, err: () => {} });
  try {
    writeHtml([{ index: 0, capture: info, result, flows: result.flows, events: [] }], events, batch, HTML_MAX_FLOWS, [spill], null, side);
  } finally {
    spill.dispose();
  }
  batch.flush();
  const file = join(OUT, 'thinned.html');
  writeFileSync(file, Buffer.concat(parts));
  const { page, problems } = await open(file);
  try {
    let thinned = 0;
    for (const f of result.flows) {
      const key = `0:${f.id}`;
      await page.locator(`#flow-rows [data-flow="${key}"]`).click();
      await page.waitForSelector(`#tl-chart[data-timeline-flow="${key}"]`);
      const left = Math.max(0, f.packets - 2 * side);
      assert.equal(await page.locator('#tl [data-thinned]').count(), left > 0 ? 1 : 0, key);
      if (left > 0) {
        assert.equal(await page.locator('#tl [data-thinned]').getAttribute('data-thinned'), String(left));
        assert.match(await page.locator('#tl [data-thinned]').innerText(), new RegExp(`^${left} segments not drawn`));
      }
      // The first and the last segment are drawn (unless a probe's or answer's own mark stands for it).
      const shown = new Set(collected.filter((e) => e.flow === f.id).map((e) => e.frame as number));
      for (const frame of [f.firstFrame, f.lastFrame]) {
        if (!shown.has(frame)) assert.equal(await page.locator(`#tl .mark.seg[data-frame="${frame}"]`).count(), 1, `${key}: frame ${frame}`);
      }
      thinned += left;
    }
    assert.ok(thinned > 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('html in chromium: --merge of a rotated set draws the same flows, probes and segments as the unsplit capture', async (t) => {
  const reason = skipReason() ?? (spawnSync('editcap', ['-h']).status === 0 ? null : 'editcap not installed (apt-get install wireshark-common)');
  if (reason !== null) { t.skip(reason); return; }
  const dir = mkdtempSync(join(os.tmpdir(), 'keepalive-html-merge-'));
  try {
    const whole = join(dir, 'rotation.pcap');
    writeFileSync(whole, gunzipSync(readFileSync(join(ROOT, 'fixtures', 'rotation', 'rotation.pcap.gz'))));
    const parts = join(dir, 'parts');
    mkdirSync(parts);
    assert.equal(spawnSync('editcap', ['-c', '3000', whole, join(parts, 'part.pcap')]).status, 0);
    assert.ok(readdirSync(parts).length > 3);
    const one = join(OUT, 'rotation-unsplit.html'), merged = join(OUT, 'rotation-merged.html');
    mkdirSync(OUT, { recursive: true });
    for (const [file, args] of [[one, [whole]], [merged, ['--merge', parts]]] as const) {
      const made = run(['analyze', '--format', 'html', '-o', file, ...args]);
      assert.equal(made.code, 0, made.stderr);
    }
    /** Per flow id: its row, client and server, its probe marks' frames, and its segment marks' events and frames. */
    const view = async (file: string): Promise<Map<string, string>> => {
      const { page, problems } = await open(file);
      try {
        const out = new Map<string, string>();
        for (const key of (await allRowKeys(page)).sort()) {
          await page.locator(`#flow-rows [data-flow="${key}"]`).click();
          await page.waitForSelector(`#tl-chart[data-timeline-flow="${key}"]`);
          const marks = await page.locator('#tl .mark[data-event]').evaluateAll((els) =>
            els.map((e) => `${e.getAttribute('data-event')}@${e.getAttribute('data-frame')}`).sort().join(' '));
          const title = (await page.locator('#tl-title strong').innerText()).replace(/^Flow \d+:\d+: /, '');
          out.set(key.split(':')[1], `${title} | ${marks}`);
        }
        assert.deepEqual(problems, []);
        return out;
      } finally {
        await page.close();
      }
    };
    const a = await view(one), b = await view(merged);
    assert.ok(a.size > 0);
    assert.deepEqual(b, a);
    for (const v of a.values()) assert.match(v, /probe@\d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
