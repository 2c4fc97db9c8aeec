// `--format html`: one self-contained page. The report's data is the JSON report (json.ts) and its
// events embedded as they are, so the page reads the same objects scripts read; the page's script
// and style (report/html/) and the uPlot charting library are inlined. Nothing is fetched: the page
// opens from a mail attachment or an air-gapped laptop.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeepaliveEvent } from '../keepalive/model';
import type { AnalyzedInput, FlowList, FlowRows } from './inputs';
import { writeJson, type JsonSink } from './json';
import { MIDDLEBOXES } from '../keepalive/settings';
import type { SegmentSpill } from '../pipeline/segment-spill';
import { HTML_MAX_MARKS, marksPerSide, resolveMarks, type FlowMarks } from './flow-marks';

/**
 * At most this many flows are embedded (about 1–1.5 kB each); the page says how many more the report
 * had. With HTML_MAX_EVENTS (about 0.2 kB each) the page stays under about 50 MB (README).
 */
export const HTML_MAX_FLOWS = 20_000;
/** At most this many events are kept (in capture order; later flows' timelines lack the rest). */
export const HTML_MAX_EVENTS = 100_000;

/**
 * The events of every input, kept for the page as the JSON report's event objects (`{ capture,
 * ...event }`) in compact JSON text, in one growing buffer. Keeping the 1 GiB bench capture's
 * 70,000 events as objects until the end and pretty-printing them then made the page take 2.1× the
 * JSON report's time; as bytes they cost the collector nothing to keep.
 */
export class HtmlEvents {
  private buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  /** Per event: where its text ends in buf, its input and its flow id. */
  private readonly ends: number[] = [];
  private readonly captures: number[] = [];
  private readonly flows: number[] = [];
  /** Events not kept because HTML_MAX_EVENTS were. */
  leftOut = 0;

  constructor(private readonly max = HTML_MAX_EVENTS) {}

  get length(): number { return this.ends.length; }

  add(capture: number, e: KeepaliveEvent): void {
    this.addObject(capture, e.flow, { capture, ...e });
  }

  /** An event as `object` (a merged run's, with `captureFrame`); `capture` and `flow` as add()'s. */
  addObject(capture: number, flow: number, object: object): void {
    if (this.ends.length >= this.max) { this.leftOut++; return; }
    let text = JSON.stringify(object);
    if (text.includes('<')) text = text.replace(/</g, '\\u003c'); // see ScriptJsonSink
    const need = text.length * 3;
    if (this.used + need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    this.used += this.buf.write(text, this.used);
    this.ends.push(this.used);
    this.captures.push(capture);
    this.flows.push(flow);
  }

  /** Writes `[event,event,…]` of the events `keep` accepts (all when null). */
  write(sink: JsonSink, keep: ((capture: number, flow: number) => boolean) | null): void {
    sink.add('[');
    let start = 0, first = true;
    for (let i = 0; i < this.ends.length; i++) {
      const end = this.ends[i];
      if (keep === null || keep(this.captures[i], this.flows[i])) {
        const len = end - start + 1;
        const out = sink.room(len);
        let p = sink.position;
        if (!first) out[p++] = 0x2c; // ,
        first = false;
        out.set(this.buf.subarray(start, end), p);
        sink.advance(p + end - start);
      }
      start = end;
    }
    sink.add(']');
  }
}

/** The page's own notes on what was embedded, written beside the JSON report. */
export interface HtmlMeta {
  readonly reportedFlows: number;
  readonly embeddedFlows: number;
  readonly eventsLeftOut: number;
  readonly maxFlows: number;
  /** Catalogue idle timeouts the timelines mark (keepalive/settings.ts), smallest first. */
  readonly middleboxes: readonly { readonly name: string; readonly seconds: number }[];
  /** One analysis of several inputs (`--merge`): events and marks belong to flows by id alone. */
  readonly merged: boolean;
  /** Segment marks kept from each end of a flow (flow-marks.ts), and in all at most. */
  readonly marksPerSide: number;
  readonly maxMarks: number;
  /** Segments the timelines lack because no temporary file could hold them. */
  readonly segmentsLost: number;
}

interface Assets { readonly css: string; readonly script: string; readonly uplot: string; readonly uplotCss: string }
let assets: Assets | null = null;

/**
 * The files inlined into every page, read once. The page's own files sit in src/report/html/ (not
 * compiled: they run in the browser); from dist/src/report/ that is three levels up, then src/.
 */
function loadAssets(): Assets {
  if (assets !== null) return assets;
  const own = [join(__dirname, 'html'), join(__dirname, '..', '..', '..', 'src', 'report', 'html')]
    .find((d) => { try { readFileSync(join(d, 'page.js')); return true; } catch { return false; } });
  if (own === undefined) throw new Error('the HTML report\'s page.js is missing from the installation');
  const uplotDir = join(require.resolve('uplot'), '..');
  const licence = readFileSync(join(uplotDir, '..', 'LICENSE'), 'utf8').trim();
  // The library's banner names its home page; the licence text (which names the author) replaces it,
  // so the page holds no address at all.
  const lib = readFileSync(join(uplotDir, 'uPlot.iife.min.js'), 'utf8').replace(/^\/\*![^*]*\*\/\s*/, '');
  assets = {
    css: readFileSync(join(own, 'page.css'), 'utf8'),
    script: readFileSync(join(own, 'page.js'), 'utf8'),
    uplot: `/* uPlot ${uplotVersion(uplotDir)}\n${licence}\n*/\n${lib}`,
    uplotCss: readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8'),
  };
  return assets;
}

function uplotVersion(dir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? `v${pkg.version}` : '';
  } catch { return ''; }
}

/** Text inside <script> or <style>: a `</script` or `</style` in it would end the element early. */
const inElement = (text: string): string => text.replace(/<\/(script|style)/gi, '<\\/$1');

/**
 * The JSON report inside <script type="application/json">: every `<` becomes `\u003c`, the same
 * string to JSON.parse, so no text in it (a file name, a warning) can close the element. Flow rows
 * written as bytes hold only numbers, addresses and fixed names, never a `<`.
 */
class ScriptJsonSink implements JsonSink {
  constructor(private readonly sink: JsonSink) {}
  add(text: string): void { this.sink.add(text.includes('<') ? text.replace(/</g, '\\u003c') : text); }
  room(maxBytes: number): Uint8Array { return this.sink.room(maxBytes); }
  get position(): number { return this.sink.position; }
  advance(to: number): void { this.sink.advance(to); }
}

/** The first `max` flows of a list, keeping the snapshot rows' fast path when it has one. */
function firstFlows(flows: FlowList, max: number): FlowList {
  if (flows.length <= max) return flows;
  const rows: FlowRows | undefined = flows.rows === undefined ? undefined : {
    epochSecond: flows.rows.epochSecond,
    each: (visit) => { let n = 0; flows.rows?.each((row, off) => { if (n++ < max) visit(row, off); }); },
  };
  return {
    length: max,
    rows,
    *[Symbol.iterator]() {
      let n = 0;
      for (const f of flows) { if (n++ >= max) return; yield f; }
    },
  };
}

/** The inputs cut to `max` flows in all (their events are not needed: the page has HtmlEvents). */
function embedded(inputs: readonly AnalyzedInput[], max: number): AnalyzedInput[] {
  let room = max;
  return inputs.map((input) => {
    const n = Math.min(room, input.flows.length);
    room -= n;
    return { ...input, flows: n === input.flows.length ? input.flows : firstFlows(input.flows, n), events: [] };
  });
}

/**
 * The page: the JSON report without events in `report-data`, its events in `report-events` (the
 * page puts them back as the report's `events`), the page's notes in `report-meta`.
 */
export function writeHtml(inputs: readonly AnalyzedInput[], events: HtmlEvents, sink: JsonSink, maxFlows = HTML_MAX_FLOWS,
  spills: readonly (SegmentSpill | null)[] = [], merged: MergedPage | null = null, side: number | null = null): void {
  const a = loadAssets();
  const kept = embedded(inputs, maxFlows);
  let reportedFlows = 0, embeddedFlows = 0;
  for (const input of inputs) reportedFlows += input.flows.length;
  for (const input of kept) embeddedFlows += input.flows.length;
  let keep: ((capture: number, flow: number) => boolean) | null = null;
  if (embeddedFlows < reportedFlows) {
    const ids = kept.map((input) => { const set = new Set<number>(); for (const f of input.flows) set.add(f.id); return set; });
    keep = (capture, flow) => ids[capture]?.has(flow) === true;
  }
  const perSide = side ?? marksPerSide(embeddedFlows);
  let segmentsLost = 0;
  for (const s of spills) segmentsLost += s?.lost ?? 0;
  const meta: HtmlMeta = {
    reportedFlows, embeddedFlows, eventsLeftOut: events.leftOut, maxFlows, middleboxes: MIDDLEBOXES,
    merged: merged !== null, marksPerSide: perSide, maxMarks: HTML_MAX_MARKS, segmentsLost,
  };
  const files = inputs.map((i) => i.capture.file).join(', ');
  sink.add('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    + '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    + `<title>keepalive report: ${escapeHtml(files)}</title>\n`
    + `<style>\n${inElement(a.uplotCss)}\n${inElement(a.css)}</style>\n</head>\n<body>\n`
    + '<noscript><p>This report draws its tables and charts with JavaScript; the data is in the page source as JSON.</p></noscript>\n'
    + '<main id="app"></main>\n'
    + `<script type="application/json" id="report-meta">${JSON.stringify(meta).replace(/</g, '\\u003c')}</script>\n`
    + '<script type="application/json" id="report-data">');
  if (merged !== null) merged.writeJson(kept[0], new ScriptJsonSink(sink));
  else writeJson(kept, false, new ScriptJsonSink(sink));
  sink.add('</script>\n<script type="application/json" id="report-events">');
  events.write(new ScriptJsonSink(sink), keep);
  sink.add('</script>\n<script type="application/json" id="report-marks">{');
  let firstMarks = true;
  kept.forEach((input, i) => {
    const spill = spills[i] ?? null;
    if (spill === null) return;
    for (const [id, m] of resolveMarks(spill, input.flows, perSide)) {
      sink.add(`${firstMarks ? '' : ','}"${merged !== null ? 0 : input.index}:${id}":${marksJson(m)}`);
      firstMarks = false;
    }
  });
  sink.add('}');
  sink.add(`</script>\n<script>\n${inElement(a.uplot)}\n</script>\n<script>\n${inElement(a.script)}</script>\n</body>\n</html>\n`);
}

/** How a merged run's report is written (report/merged.ts), given the input cut to the embedded flows. */
export interface MergedPage {
  writeJson(input: AnalyzedInput, sink: JsonSink): void;
}

/** A flow's marks as the page reads them: frames and times (ns) as differences from the mark before. */
function marksJson(m: FlowMarks): string {
  const delta = (list: readonly number[]): number[] => list.map((v, i) => (i === 0 ? v : v - list[i - 1]));
  return JSON.stringify({ k: m.kinds, d: m.from, f: delta(m.frames), t: delta(m.times), l: m.lens, n: m.segments, thin: m.thinned, cut: m.cut });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
