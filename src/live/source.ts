// Where live packets come from. The session reads each packet from `buf` and `meta` when
// onPacket() runs, whichever source fills them:
//  - libpcap through our addon (native/): the kernel's timestamp for each packet, in ns when the
//    kernel grants it, plus libpcap's drop counters;
//  - `cap`, when the addon did not build: the packet bytes only, stamped when the callback runs.
import type { CapHandle, CapModule } from './cap-module';
import { ArrivalClock, LIVE_TS_DIGITS } from './clock';
import { explainNativeError, openDevice } from './device';
import { linkTypeFromDlt } from './link-type';
import type { NativeCapture, NativeModule, NativeStats } from './native-module';

export interface PacketSource {
  /** How packets are stamped, for the start-up line and the final report. */
  readonly stamps: 'kernel' | 'arrival';
  /** Fractional-second digits of the stamps: 9 (ns) or 6 (µs). */
  readonly tsDigits: 6 | 9;
  /** LINKTYPE_* number. */
  readonly linkType: number;
  /** The current packet's bytes, from offset 0. */
  readonly buf: Buffer;
  /** The current packet: [seconds since 1970, nanoseconds, bytes in buf (≤ snaplen), original length]. */
  readonly meta: Float64Array;
  /** Starts delivery. onError: capturing failed for good (the interface went away). */
  start(onPacket: () => void, onError: (message: string) => void): void;
  /** libpcap's counters, or null when the source cannot tell. */
  stats(): NativeStats | null;
  /** Warnings for the final report. */
  warnings(): string[];
  /** Stops delivery; idempotent, safe inside onPacket. */
  close(): void;
  /** The stamps' clock now, ms since 1970: the end of the run, to which open flows' silence runs. */
  clockMs(): number;
}

const ignore = (): void => undefined;

/** libpcap through native/keepalive_pcap.c, snapping `snaplen` bytes with kernel timestamps. */
export class NativeSource implements PacketSource {
  readonly stamps = 'kernel';
  readonly tsDigits: 6 | 9;
  private onPacket: () => void = ignore;
  private onError: (message: string) => void = ignore;

  private constructor(private readonly handle: NativeCapture, readonly linkType: number, readonly buf: Buffer,
    readonly meta: Float64Array) {
    this.tsDigits = handle.nanosecond ? 9 : 6;
  }

  /** Opens the device, or returns the one-line reason it cannot be opened. */
  static open(mod: NativeModule, iface: string, filter: string, userFilter: string | undefined, snaplen: number,
    bufferBytes: number): NativeSource | string {
    const buf = Buffer.alloc(snaplen);
    const meta = new Float64Array(4);
    let src: NativeSource | null = null;
    // Packets are delivered from the event loop, never before this function has returned.
    const onPacket = (): void => { src?.onPacket(); };
    const onError = (message: string): void => { src?.onError(message); };
    let handle: NativeCapture;
    try {
      handle = new mod.Capture(iface, filter, snaplen, bufferBytes, buf, meta, onPacket, onError);
    } catch (e) {
      return explainNativeError(iface, userFilter, e as Error & { code?: string });
    }
    const linkType = linkTypeFromDlt(handle.datalink, handle.datalinkName);
    if (linkType === null) {
      handle.close();
      return `cannot capture on ${iface}: unsupported link type (${handle.datalinkName ?? `DLT ${handle.datalink}`})`;
    }
    src = new NativeSource(handle, linkType, buf, meta);
    return src;
  }

  start(onPacket: () => void, onError: (message: string) => void): void {
    this.onPacket = onPacket;
    this.onError = onError;
  }

  private lastStats: NativeStats | null = null;

  /** libpcap's counters; after close(), those taken at close. Null if libpcap could not give any. */
  stats(): NativeStats | null {
    try {
      this.lastStats = this.handle.stats();
    } catch {
      // The device failed (gone?) before any counters were read: keep what we had.
    }
    return this.lastStats;
  }

  warnings(): string[] {
    const s = this.stats();
    const out: string[] = [];
    if (s !== null && s.dropped > 0) {
      out.push(`libpcap dropped ${s.dropped} packet${s.dropped === 1 ? '' : 's'} of ${s.received} received ` +
        '(the kernel buffer was full: raise -B or narrow -f)');
    }
    if (s !== null && s.ifdropped > 0) out.push(`the interface dropped ${s.ifdropped} packet${s.ifdropped === 1 ? '' : 's'}`);
    if (this.handle.warning !== null) out.push(`libpcap: ${this.handle.warning}`);
    return out;
  }

  /** The kernel stamps packets with the wall clock. */
  clockMs(): number {
    return Date.now();
  }

  close(): void {
    this.handle.close();
  }
}

/** cap asks libpcap for 65535-byte snapshots; this buffer takes any of them whole. */
export const CAP_BUFFER_BYTES = 65535;

/** `cap` with arrival-time stamps (µs), for machines where the addon did not build. */
export class CapSource implements PacketSource {
  readonly stamps = 'arrival';
  readonly tsDigits = LIVE_TS_DIGITS;
  readonly meta = new Float64Array(4);
  private readonly clock = new ArrivalClock();
  /** Frames that filled cap's buffer: their true length is unknown. */
  private oversize = 0;
  private started = false;

  private constructor(private readonly handle: CapHandle, readonly linkType: number, readonly buf: Buffer,
    private readonly snaplen: number) {}

  static open(cap: CapModule, iface: string, filter: string, userFilter: string | undefined, snaplen: number,
    bufferBytes: number): CapSource | string {
    const buf = Buffer.alloc(CAP_BUFFER_BYTES);
    const dev = openDevice(cap, iface, filter, userFilter, bufferBytes, buf);
    return typeof dev === 'string' ? dev : new CapSource(dev.handle, dev.linkType, buf, snaplen);
  }

  start(onPacket: () => void): void {
    if (this.started) return;
    this.started = true;
    const { clock, meta, snaplen } = this;
    // Stamp first: the stamp is only as good as how soon it is taken.
    this.handle.on('packet', (nbytes: number, truncated: boolean) => {
      clock.stamp();
      if (truncated || nbytes >= CAP_BUFFER_BYTES) this.oversize++;
      meta[0] = clock.sec;
      meta[1] = clock.nsec;
      meta[2] = nbytes < snaplen ? nbytes : snaplen;
      meta[3] = nbytes;
      onPacket();
    });
  }

  stats(): null {
    return null;
  }

  warnings(): string[] {
    return this.oversize > 0
      ? [`${this.oversize} frames of ${CAP_BUFFER_BYTES} bytes or more: their original length is unknown and recorded as captured`]
      : [];
  }

  clockMs(): number {
    this.clock.stamp();
    return this.clock.sec * 1000 + this.clock.nsec / 1e6;
  }

  close(): void {
    this.handle.close();
  }
}
