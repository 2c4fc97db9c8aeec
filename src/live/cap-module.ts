// The optional native `cap` addon (libpcap), loaded only when a live command runs so that file
// analysis works on machines where it never built.
import { createRequire } from 'node:module';

export interface CapAddress {
  readonly addr: string;
  readonly netmask?: string;
  readonly broadaddr?: string;
  readonly dstaddr?: string;
}

export interface CapDevice {
  readonly name: string;
  readonly description?: string;
  readonly addresses: readonly CapAddress[];
  readonly flags?: string;
}

/** One capture handle. `open` returns the link type's name ('ETHERNET', 'LINKTYPE_LINUX_SLL', …). */
export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
}

export interface CapModule {
  readonly Cap: { new(): CapHandle; deviceList(): CapDevice[] };
}

/** Neither our addon nor cap loads: what `keepalive live` and `keepalive interfaces` print. */
export const LIVE_MISSING =
  'keepalive: live capture needs libpcap: apt-get install libpcap-dev and a C compiler, then npm rebuild';

let cached: CapModule | null | undefined;

/** The addon, or null when it is not installed or its native part does not load. */
export function loadCap(): CapModule | null {
  if (cached !== undefined) return cached;
  try {
    const req = createRequire(__filename);
    const mod = req('cap') as Partial<CapModule>;
    cached = mod && typeof mod.Cap === 'function' ? (mod as CapModule) : null;
  } catch {
    cached = null;
  }
  return cached;
}
