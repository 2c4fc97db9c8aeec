// `--host 10.77.0.0/24`, `--host fd00::/8`: an address prefix, matched bit by bit.
import { isIP } from 'node:net';

/** The 4 or 16 bytes of an IPv4 or IPv6 address in text; null when it is neither. */
export function addressBytes(host: string): number[] | null {
  const v = isIP(host);
  if (v === 4) return host.split('.').map(Number);
  if (v !== 6) return null;
  let text = host;
  // An IPv4 tail (::ffff:1.2.3.4) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const b = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const hs = head === '' ? [] : head.split(':');
  const ts = tail === null || tail === '' ? [] : tail.split(':');
  const groups = [...hs, ...new Array<string>(8 - hs.length - ts.length).fill('0'), ...ts].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export interface HostPrefix { readonly bytes: readonly number[]; readonly bits: number }

/** `ADDR/BITS` → the prefix; null when the text is not one (a plain address is not). */
export function parsePrefix(text: string): HostPrefix | null {
  const m = /^(.+)\/(\d{1,3})$/.exec(text);
  if (m === null) return null;
  const addr = m[1].startsWith('[') && m[1].endsWith(']') ? m[1].slice(1, -1) : m[1];
  const bytes = addressBytes(addr);
  const bits = Number(m[2]);
  if (bytes === null || bits > bytes.length * 8) return null;
  return { bytes, bits };
}

/** Whether `host` (address text) lies in `p`. */
export function inPrefix(p: HostPrefix, host: string): boolean {
  const b = addressBytes(host);
  if (b === null || b.length !== p.bytes.length) return false;
  for (let i = 0; i < p.bits; i += 8) {
    const take = Math.min(8, p.bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((b[i >> 3] & mask) !== (p.bytes[i >> 3] & mask)) return false;
  }
  return true;
}
