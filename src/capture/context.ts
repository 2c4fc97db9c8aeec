// Per-read state shared by the format parsers: where we are, what was delivered, what went wrong.
import type { CaptureInfo, PacketSink } from './types';

/** A format parser consumes whole records from a window of the input and says how much more it needs. */
export interface RecordParser {
  /**
   * Parses the complete records in `buf[start, end)` and returns where it stopped. Afterwards `need`
   * is the number of bytes from that position required to make progress, or 0 when it paused after
   * RECORDS_PER_SLICE records with more complete ones still in the buffer. Stops early (without
   * throwing) when the context has an error.
   */
  parse(buf: Buffer, start: number, end: number): number;
  readonly need: number;
  /**
   * Set when the parser stopped (need 0) at a file header of the other format, as in `cat a.pcapng
   * b.pcap`: the reader goes on from there with a parser for that format.
   */
  readonly follows?: 'pcap' | 'pcapng' | null;
  /** Called at end of input with what is left unparsed; reports truncation. */
  finish(buf: Buffer, start: number, end: number): void;
}

export class ReadContext {
  /** Records delivered so far; the next record is frame `frames + 1`. */
  frames = 0;
  /** Offset in the (decompressed) input of `buf[0]`, so parsers can name absolute byte offsets. */
  base = 0;
  private readonly warnFirst = new Map<string, string>();
  private readonly warnCount = new Map<string, number>();

  constructor(readonly info: CaptureInfo, readonly sink: PacketSink) {}

  get failed(): boolean { return this.info.error !== null; }

  /** Records the (first) fatal problem: one line naming the file. */
  fail(msg: string): void {
    if (this.info.error === null) this.info.error = `${this.info.file}: ${msg}`;
  }

  /** Counts a non-fatal oddity; the first occurrence's text is kept, later ones only counted. */
  warn(key: string, msg: string): void {
    const n = this.warnCount.get(key);
    if (n === undefined) { this.warnFirst.set(key, msg); this.warnCount.set(key, 1); } else this.warnCount.set(key, n + 1);
  }

  /** Link types seen: a set, since a file may describe a million interfaces over 65,536 types. */
  private readonly linkTypesSeen = new Set<number>();

  addLinkType(linkType: number): void {
    if (this.linkTypesSeen.has(linkType)) return;
    this.linkTypesSeen.add(linkType);
    this.info.linkTypes.push(linkType);
  }

  noteDigits(digits: number): void {
    if (!this.seenDigits || digits > this.info.tsDigits) this.info.tsDigits = digits;
    this.seenDigits = true;
  }
  private seenDigits = false;

  /** Moves the counted warnings into `info.warnings`, one line each. */
  flushWarnings(): void {
    for (const [key, first] of this.warnFirst) {
      const n = this.warnCount.get(key) ?? 1;
      this.info.warnings.push(`${this.info.file}: ${first}${n > 1 ? ` (${n} times in all)` : ''}`);
    }
    this.warnFirst.clear(); this.warnCount.clear();
  }
}
