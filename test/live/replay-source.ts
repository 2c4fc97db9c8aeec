// A live packet source that plays a capture file's records, stamps and all, into a LiveSession, so
// the session's final report can be checked on a known kernel recording without a device.
import { readCapture } from '../../src/capture/open';
import type { NativeStats } from '../../src/live/native-module';
import type { PacketSource } from '../../src/live/source';

interface Rec { readonly sec: number; readonly nsec: number; readonly bytes: Buffer; readonly origLen: number }

export class ReplaySource implements PacketSource {
  readonly stamps = 'kernel';
  readonly meta = new Float64Array(4);
  readonly buf = Buffer.alloc(65536);
  private closed = false;
  /** How long after the last record the run is stopped (clockMs()), seconds. */
  stopAfterSeconds = 0;

  private constructor(readonly linkType: number, readonly tsDigits: 6 | 9, private readonly recs: readonly Rec[]) {}

  static async load(file: string): Promise<ReplaySource> {
    const recs: Rec[] = [];
    let linkType = -1, digits = 6;
    await readCapture(file, {
      packet(_frame, lt, sec, nsec, tsDigits, buf, off, caplen, origLen) {
        linkType = lt;
        digits = tsDigits;
        recs.push({ sec, nsec, bytes: Buffer.from(buf.subarray(off, off + caplen)), origLen });
      },
    });
    return new ReplaySource(linkType, digits === 9 ? 9 : 6, recs);
  }

  /** Resolves once every record has been delivered. */
  played: Promise<void> = Promise.resolve();

  start(onPacket: () => void): void {
    this.played = new Promise((resolve) => {
      setImmediate(() => {
        for (const r of this.recs) {
          if (this.closed) break;
          r.bytes.copy(this.buf, 0);
          // The session's meta carries ns; a µs source's are whole µs.
          this.meta[0] = r.sec; this.meta[1] = r.nsec; this.meta[2] = r.bytes.length; this.meta[3] = r.origLen;
          onPacket();
        }
        resolve();
      });
    });
  }

  stats(): NativeStats | null { return null; }
  warnings(): string[] { return []; }
  close(): void { this.closed = true; }
  clockMs(): number {
    const last = this.recs.at(-1);
    return last === undefined ? 0 : last.sec * 1000 + last.nsec / 1e6 + this.stopAfterSeconds * 1000;
  }
}
