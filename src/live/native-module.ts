// Our own libpcap addon (native/keepalive_pcap.c), built by scripts/build-native.js when npm
// installs the package. It is optional: loaded only when `keepalive live` runs, and when it did not
// build, live capture falls back to `cap` with arrival-time stamps.
import { join } from 'node:path';
import type { CapDevice } from './cap-module';

export interface NativeStats {
  readonly received: number;
  readonly dropped: number;
  readonly ifdropped: number;
}

/** An open libpcap handle whose fd is polled on Node's event loop. */
export interface NativeCapture {
  /** libpcap's DLT_* number and name ('EN10MB', 'LINUX_SLL', 'RAW', …). */
  readonly datalink: number;
  readonly datalinkName: string | null;
  /** The kernel granted nanosecond timestamps (else microseconds). */
  readonly nanosecond: boolean;
  /** pcap_activate's warning, if any. */
  readonly warning: string | null;
  stats(): NativeStats;
  close(): void;
}

export interface NativeModule {
  readonly libpcapVersion: string;
  /** pcap_findalldevs, in the shape cap's deviceList() has (IPv4 and IPv6 addresses only). */
  devices(): CapDevice[];
  /**
   * Opens `device`, sets `filter`, starts polling. Per packet: bytes copied into `buf`, then
   * meta = [seconds, nanoseconds, bytes copied, original length], then onPacket(). Throws an Error
   * with libpcap's message and a `code`: PCAP_NO_SUCH_DEVICE, PCAP_PERM_DENIED, PCAP_FILTER, PCAP_ERROR.
   */
  readonly Capture: new (device: string, filter: string, snaplen: number, bufferBytes: number, buf: Buffer,
    meta: Float64Array, onPacket: () => void, onError: (message: string) => void) => NativeCapture;
}

/** Where node-gyp puts the addon: dist/src/live → the package root → native/build/Release. */
export const NATIVE_ADDON_PATH = join(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'keepalive_pcap.node');

let cached: { mod: NativeModule | null; why: string } | undefined;

/** The addon, or null with the reason it is unavailable. */
export function loadNative(): { mod: NativeModule | null; why: string } {
  if (cached !== undefined) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(NATIVE_ADDON_PATH) as Partial<NativeModule>;
    cached = mod && typeof mod.Capture === 'function'
      ? { mod: mod as NativeModule, why: '' }
      : { mod: null, why: 'the native addon does not export Capture' };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    cached = {
      mod: null,
      why: err.code === 'MODULE_NOT_FOUND' ? 'the native addon is not built' : `the native addon does not load: ${firstLine(err.message)}`,
    };
  }
  return cached;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}
