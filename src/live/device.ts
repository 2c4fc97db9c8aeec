// Opening a device through cap, with its exceptions turned into one line a user can act on.
import type { CapHandle, CapModule } from './cap-module';
import { linkTypeFromCap } from './link-type';

// Every cap handle stays reachable until the process exits. cap never uv_close()s its poll
// handle: once the garbage collector frees a closed handle, libuv's handle queue points into freed
// memory and the process crashes at exit; a handle whose open() threw half-way is worse, its
// destructor stops a poll that was never started (libuv assertion). A run opens at most three.
const pinned: CapHandle[] = [];

function newHandle(cap: CapModule): CapHandle {
  const h = new cap.Cap();
  pinned.push(h);
  return h;
}

export interface OpenedDevice {
  readonly handle: CapHandle;
  /** LINKTYPE_* number. */
  readonly linkType: number;
}

/**
 * Opens `iface` with `filter` (already combined with the default). Packets land in `buf`; cap asks
 * libpcap for up to 65535 bytes, so a buffer that size receives whole frames and their true length.
 */
export function openDevice(cap: CapModule, iface: string, filter: string, userFilter: string | undefined,
  bufferBytes: number, buf: Buffer): OpenedDevice | string {
  // Checked before open(): cap prints its own warning to stderr for a device it cannot look up.
  if (iface !== 'any' && !cap.Cap.deviceList().some((d) => d.name === iface)) {
    return `no such interface '${iface}' (keepalive interfaces lists them)`;
  }
  const handle = newHandle(cap);
  let name: string;
  try {
    name = handle.open(iface, filter, bufferBytes, buf);
  } catch (e) {
    return explainOpenError(cap, iface, userFilter, bufferBytes, buf, (e as Error).message);
  }
  const linkType = linkTypeFromCap(name);
  if (linkType === null) {
    handle.close();
    return `cannot capture on ${iface}: unsupported link type (${name})`;
  }
  return { handle, linkType };
}

// cap activates the device before it compiles the filter, and both fail with a bare libpcap
// message: opening again without a filter tells whose fault it was.
function explainOpenError(cap: CapModule, iface: string, userFilter: string | undefined, bufferBytes: number,
  buf: Buffer, message: string): string {
  let deviceOk = false;
  const probe = newHandle(cap);
  try {
    probe.open(iface, '', bufferBytes, buf);
    deviceOk = true;
    probe.close();
  } catch {
    deviceOk = false;
  }
  if (deviceOk) {
    return userFilter
      ? `bad capture filter '${userFilter}': ${message}`
      : `the default capture filter does not compile on ${iface}: ${message}`;
  }
  if (/permission|not permitted|EPERM|EACCES/i.test(message)) {
    return `no permission to capture on ${iface} (run as root, or give node CAP_NET_RAW and CAP_NET_ADMIN): ${message}`;
  }
  if (/no such device/i.test(message)) return `no such interface '${iface}' (keepalive interfaces lists them)`;
  return `cannot capture on ${iface}: ${message}`;
}

/** The one line for an error thrown by the native addon's Capture (its `code` says which step failed). */
export function explainNativeError(iface: string, userFilter: string | undefined, e: Error & { code?: string }): string {
  const message = e.message;
  switch (e.code) {
    case 'PCAP_NO_SUCH_DEVICE':
      return `no such interface '${iface}' (keepalive interfaces lists them)`;
    case 'PCAP_PERM_DENIED':
      return `no permission to capture on ${iface} (run as root, or give node CAP_NET_RAW and CAP_NET_ADMIN): ${message}`;
    case 'PCAP_FILTER':
      return userFilter
        ? `bad capture filter '${userFilter}': ${message}`
        : `the default capture filter does not compile on ${iface}: ${message}`;
    default:
      if (/permission|not permitted|EPERM|EACCES/i.test(message)) {
        return `no permission to capture on ${iface} (run as root, or give node CAP_NET_RAW and CAP_NET_ADMIN): ${message}`;
      }
      return `cannot capture on ${iface}: ${message}`;
  }
}
