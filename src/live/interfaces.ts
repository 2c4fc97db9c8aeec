// `keepalive interfaces`: the devices libpcap can open, numbered like `tcpdump -D`, with addresses.
import { type CapDevice, loadCap } from './cap-module';
import { loadNative } from './native-module';

/** pcap_findalldevs through our addon, else through cap; null when neither loads. */
export function captureDevices(): CapDevice[] | null {
  const native = loadNative().mod;
  if (native !== null) return native.devices();
  const cap = loadCap();
  return cap === null ? null : cap.Cap.deviceList();
}

export function interfaceLines(devices: readonly CapDevice[]): string {
  let out = '';
  devices.forEach((d, i) => {
    const notes: string[] = [];
    if (d.description) notes.push(d.description);
    if (d.flags) notes.push(...d.flags.split(/[,\s]+/).filter((f) => f !== '').map((f) => f.replace(/^PCAP_IF_/, '').toLowerCase()));
    out += `${i + 1}.${d.name}${notes.length > 0 ? ` [${notes.join(', ')}]` : ''}\n`;
    for (const a of d.addresses) out += `    ${a.addr}${a.netmask ? ` netmask ${a.netmask}` : ''}\n`;
  });
  return out;
}
