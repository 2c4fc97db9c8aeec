// Several captures read as one trace, records in timestamp order, like `mergecap` (without -a).
// Files are taken in order of their first record's time (then as named); on equal times the
// earlier file's record comes first, as mergecap does for its earlier argument, so
// `mergecap -w merged.pcapng` of the files in that order numbers the frames as we do. A file is
// opened only when the merge reaches its first record and closed at its end, so a ring of files
// that follow each other in time holds one descriptor and one read buffer at a time.
import { CaptureCursor, type DirectSink } from './cursor';
import { FrameMap } from './frame-map';
import { PROGRESS_INTERVAL_MS } from './limits';
import type { CaptureInfo, PacketSink, ProgressFn } from './types';

/** Smaller than a whole read buffer: only the first record is read to place the file. */
const PROBE_BUFFER = 64 * 1024;

/** Where a file's records begin and end in time, and how quiet it was inside. */
export interface FileSpan {
  /** Time of the first and last record (seconds since 1970, nanoseconds within it); NaN without records. */
  firstSec: number; firstNsec: number;
  lastSec: number; lastNsec: number;
  digits: number;
  /** Longest silence between two of its records that followed each other in the merge, ns. */
  maxSilenceNs: number;
}

export interface MergedCaptures {
  /** Each input, in the merge's order: `capture` fields index into this. */
  readonly infos: CaptureInfo[];
  readonly spans: FileSpan[];
  /** Merge warnings (gaps, overlaps), one line each. */
  readonly warnings: string[];
}

export interface MergeOptions {
  readonly onProgress?: ProgressFn;
}

interface Entry {
  readonly file: string;
  readonly index: number;
  readonly span: FileSpan;
  /** Set when the file could not be read at all: it is reported, not merged. */
  failed: CaptureInfo | null;
}

const emptySpan = (): FileSpan => ({ firstSec: NaN, firstNsec: NaN, lastSec: NaN, lastNsec: NaN, digits: 6, maxSilenceNs: 0 });

/** Reads the first record of each file (one at a time): the merge's order. */
async function probe(files: readonly string[]): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (let index = 0; index < files.length; index++) {
    const c = new CaptureCursor(files[index], PROBE_BUFFER);
    const span = emptySpan();
    const has = await c.open();
    if (has) { span.firstSec = c.sec[0]; span.firstNsec = c.nsec[0]; span.digits = c.digits[0]; }
    c.close();
    entries.push({ file: files[index], index, span, failed: has || c.info.error === null ? null : c.info });
  }
  const key = (e: Entry): number => (Number.isNaN(e.span.firstSec) ? Infinity : e.span.firstSec);
  entries.sort((a, b) => key(a) - key(b) || (a.span.firstNsec || 0) - (b.span.firstNsec || 0) || a.index - b.index);
  return entries;
}

/** a before b in time: -1, same instant 0, after 1. */
const cmp = (as: number, an: number, bs: number, bn: number): number => (as !== bs ? (as < bs ? -1 : 1) : an !== bn ? (an < bn ? -1 : 1) : 0);

/**
 * Reads `files` as one trace into `sink`, frames numbered 1… in merged order, and fills `frames`
 * with where each came from. Never throws for bad input: each file's damage is in its info.
 */
export async function readMerged(files: readonly string[], sink: PacketSink, frames: FrameMap,
  opts: MergeOptions = {}): Promise<MergedCaptures> {
  const entries = await probe(files);
  const infos: CaptureInfo[] = [];
  const spans: FileSpan[] = entries.map((e) => e.span);
  const cursors: (CaptureCursor | null)[] = entries.map(() => null);
  // Open cursors by order; every one of them comes before every file not yet opened.
  const active: number[] = [];
  let next = 0;
  let lastFrom = -1;
  let doneBytes = 0;
  let lastProgress = Date.now();
  const onProgress = opts.onProgress;

  const run = new RunDelivery(sink);
  const progress = (): void => {
    if (onProgress === undefined) return;
    const now = Date.now();
    if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    let bytes = doneBytes;
    for (const k of active) bytes += (cursors[k] as CaptureCursor).bytesRead;
    onProgress(bytes, null, run.frame);
  };
  // Before a cursor reads over the records it handed on: the sink may still hold them (PacketSink).
  const refill = (): void => { sink.flush?.(); progress(); };
  const openNext = async (): Promise<void> => {
    const at = next++;
    const e = entries[at];
    if (e.failed !== null || Number.isNaN(e.span.firstSec)) {
      // Unreadable or empty: read it once more for its final info (an empty file has no records to merge).
      const c = new CaptureCursor(e.file, PROBE_BUFFER);
      if (e.failed === null) await c.open();
      c.close();
      infos[at] = e.failed ?? c.info;
      return;
    }
    sink.flush?.();
    const c = new CaptureCursor(e.file);
    c.onRefill = refill;
    cursors[at] = c;
    infos[at] = c.info;
    if (await c.open()) {
      let k = active.length;
      while (k > 0 && active[k - 1] > at) k--;
      active.splice(k, 0, at);
    } else {
      doneBytes += c.bytesRead;
      cursors[at] = null;
    }
  };

  for (;;) {
    // The earliest head among the open files (on a tie the earlier file: active is in order), and
    // the next earliest start: the head of another open file or the first record of the next file.
    let best = -1, bs = 0, bn = 0;
    let ls = Infinity, ln = 0, lAt = Infinity;
    for (let k = 0; k < active.length; k++) {
      const c = cursors[active[k]] as CaptureCursor;
      const s = c.sec[c.i], n = c.nsec[c.i];
      if (best < 0 || s < bs || (s === bs && n < bn)) {
        if (best >= 0) { ls = bs; ln = bn; lAt = active[best]; }
        best = k; bs = s; bn = n;
      } else if (s < ls || (s === ls && n < ln)) { ls = s; ln = n; lAt = active[k]; }
    }
    if (next < entries.length) {
      const e = entries[next];
      // A file not yet opened goes first only when strictly earlier (it comes later in the order).
      if (best < 0 || Number.isNaN(e.span.firstSec) || e.failed !== null || cmp(e.span.firstSec, e.span.firstNsec, bs, bn) < 0) {
        await openNext();
        continue;
      }
      if (cmp(e.span.firstSec, e.span.firstNsec, ls, ln) < 0) { ls = e.span.firstSec; ln = e.span.firstNsec; lAt = next; }
    } else if (best < 0) break;

    const at = active[best];
    const c = cursors[at] as CaptureCursor;
    if (at !== lastFrom) {
      frames.add(run.frame + 1, at, c.frame[c.i]);
      lastFrom = at;
      spans[at].lastSec = NaN;
    }
    // Records of this file up to the next other start; equal times stay here if this file is earlier.
    run.begin(spans[at], ls, ln, at < lAt);
    run.deliver(c);
    let more = true;
    if (c.i === c.n) {
      sink.flush?.();
      c.direct = run;
      more = await c.next();
      c.direct = null;
    }
    run.end();
    if (!more) {
      doneBytes += c.bytesRead;
      cursors[at] = null;
      active.splice(best, 1);
    }
    progress();
  }
  const frame = run.frame;
  sink.flush?.();
  if (onProgress !== undefined) onProgress(doneBytes, null, frame);
  return { infos, spans, warnings: boundaryWarnings(entries.map((e) => e.file), spans) };
}

/**
 * Hands the sink one file's records in a row: the merge's inner loop, kept free of awaits. It takes
 * them from the cursor's slice (deliver), or straight from the parser while the cursor refills
 * (take): in a set of files that follow each other in time nearly every record goes that way,
 * never stored and read back.
 */
class RunDelivery implements DirectSink {
  /** Frames delivered so far (the last one's merged number). */
  frame = 0;
  // The run: its file's span (written back by end()) and the time the next other file starts.
  private span: FileSpan | null = null;
  private limS = 0; private limN = 0; private orAt = false;
  private lastS = NaN; private lastN = NaN; private silence = 0; private digits = 0;
  constructor(private readonly sink: PacketSink) {}

  /** Records up to (sec, nsec) belong to this run, and those at it too when `orAt`. */
  begin(span: FileSpan, sec: number, nsec: number, orAt: boolean): void {
    this.span = span; this.limS = sec; this.limN = nsec; this.orAt = orAt;
    this.lastS = span.lastSec; this.lastN = span.lastNsec; this.silence = span.maxSilenceNs; this.digits = span.digits;
  }

  end(): void {
    const span = this.span as FileSpan;
    span.lastSec = this.lastS; span.lastNsec = this.lastN; span.maxSilenceNs = this.silence; span.digits = this.digits;
    this.span = null;
  }

  /** Delivers `c`'s records from its current one on while they belong to the run; the first whatever its time. */
  deliver(c: CaptureCursor): void {
    const sink = this.sink, secs = c.sec, nsecs = c.nsec, digits = c.digits, buf = c.buf;
    const limS = this.limS, limN = this.limN, orAt = this.orAt;
    let frame = this.frame, silence = this.silence, digitsMax = this.digits, lastS = this.lastS, lastN = this.lastN;
    let i = c.i;
    const n = c.n;
    do {
      const s = secs[i], ns = nsecs[i];
      if (i > c.i && (s > limS || (s === limS && (ns > limN || (ns === limN && !orAt))))) break;
      const gap = (s - lastS) * 1e9 + (ns - lastN);
      if (gap > silence) silence = gap; // NaN (a run's first record) never is
      lastS = s; lastN = ns;
      const d = digits[i];
      if (d > digitsMax) digitsMax = d;
      sink.packet(++frame, c.linkType[i], s, ns, d, buf, c.off[i], c.caplen[i], c.origLen[i]);
    } while (++i < n);
    c.i = i;
    this.frame = frame; this.silence = silence; this.digits = digitsMax; this.lastS = lastS; this.lastN = lastN;
  }

  take(linkType: number, s: number, ns: number, d: number, buf: Buffer, off: number, caplen: number, origLen: number): boolean {
    if (s > this.limS || (s === this.limS && (ns > this.limN || (ns === this.limN && !this.orAt)))) return false;
    const gap = (s - this.lastS) * 1e9 + (ns - this.lastN);
    if (gap > this.silence) this.silence = gap;
    this.lastS = s; this.lastN = ns;
    if (d > this.digits) this.digits = d;
    this.sink.packet(++this.frame, linkType, s, ns, d, buf, off, caplen, origLen);
    return true;
  }
}

/**
 * One line for the gaps and one for the overlaps between files that follow each other in time. A
 * gap is a silence between one file's last record and the next file's first that is at least 1 s
 * and longer than any silence inside either file: time the capture may not have been recording.
 */
export function boundaryWarnings(files: readonly string[], spans: readonly FileSpan[]): string[] {
  let gaps = 0, longestGap = 0, gapAt = '';
  let overlaps = 0, deepest = 0, overlapAt = '';
  let prev = -1;
  for (let k = 0; k < spans.length; k++) {
    if (Number.isNaN(spans[k].firstSec)) continue;
    if (prev >= 0) {
      const p = spans[prev], s = spans[k];
      const ns = (s.firstSec - p.lastSec) * 1e9 + (s.firstNsec - p.lastNsec);
      if (ns < 0) {
        overlaps++;
        if (-ns > deepest) { deepest = -ns; overlapAt = `${files[k]} starts ${(-ns / 1e9).toFixed(6)} s before ${files[prev]} ends`; }
      } else if (ns >= 1e9 && ns > p.maxSilenceNs && ns > s.maxSilenceNs) {
        gaps++;
        if (ns > longestGap) { longestGap = ns; gapAt = `${(ns / 1e9).toFixed(6)} s between ${files[prev]} and ${files[k]}`; }
      }
    }
    prev = k;
  }
  const out: string[] = [];
  if (gaps > 0) out.push(`${gaps} gap(s) between consecutive files longer than any silence inside them (longest ${gapAt}): packets may be missing there`);
  if (overlaps > 0) out.push(`${overlaps} file(s) overlap the previous file in time (most: ${overlapAt}); their records are interleaved by timestamp`);
  return out;
}
