// The events of `--format json --events`, kept as their finished JSON text until the report is
// written: in memory up to SPOOL_MEMORY_BYTES, then appended to an unlinked temporary file. The
// document puts events after the flows, which are known only at the end, so they cannot go out as
// they happen; held as objects, the events of a 2.7 GB capture took 4.7 GB of heap.
import * as fs from 'node:fs';
import type { KeepaliveEvent } from '../keepalive/model';
import { openSpillFile } from '../keepalive/report-store';

const SPOOL_MEMORY_BYTES = 4 << 20;
const COPY_CHUNK = 1 << 20;

/** Where the spooled text goes: the JSON writer's sink. */
export interface SpoolSink {
  room(maxBytes: number): Uint8Array;
  readonly position: number;
  advance(to: number): void;
  add(text: string): void;
}

export class EventSpool {
  /** Events added so far. */
  count = 0;
  private parts: string[] = [];
  private partsLength = 0;
  private fd = -1;
  private fileBytes = 0;

  /**
   * `render` makes an event's text for input `capture` as the report prints it; items after the
   * first start with the list's separator.
   */
  constructor(private readonly render: (capture: number, e: KeepaliveEvent) => string, private readonly separator: string) {}

  add(capture: number, e: KeepaliveEvent): void {
    const text = this.render(capture, e);
    if (this.count++ > 0) this.push(this.separator);
    this.push(text);
  }

  private push(text: string): void {
    this.parts.push(text);
    this.partsLength += text.length;
    if (this.partsLength >= SPOOL_MEMORY_BYTES) this.spill();
  }

  private spill(): void {
    if (this.fd === -1) this.fd = openSpillFile();
    if (this.fd === -1) return; // no temporary file: keep the text in memory
    const b = Buffer.from(this.parts.join(''));
    fs.writeSync(this.fd, b, 0, b.length, this.fileBytes);
    this.fileBytes += b.length;
    this.parts = [];
    this.partsLength = 0;
  }

  /** Copies every spooled event's text into `sink`, in order. */
  writeTo(sink: SpoolSink): void {
    for (let at = 0; at < this.fileBytes;) {
      const n = Math.min(COPY_CHUNK, this.fileBytes - at);
      const buf = sink.room(n);
      const got = fs.readSync(this.fd, buf, sink.position, n, at);
      if (got === 0) throw new Error('event spool file ended early');
      sink.advance(sink.position + got);
      at += got;
    }
    for (const p of this.parts) sink.add(p);
  }

  close(): void {
    if (this.fd !== -1) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
