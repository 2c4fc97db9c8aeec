// Address text for reports and events: made once per flow, never per packet.

export function formatIp(addr: Buffer): string {
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((addr[i] << 8) | addr[i + 1]);
  // RFC 5952: compress the longest run (length ≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** An IPv4 address held as one 32-bit word (the packet's bytes, first byte highest). */
export function formatIpv4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/** An IPv6 address held as four 32-bit words (the packet's bytes, first word first), as RFC 5952 text. */
export function formatIpv6Words(w0: number, w1: number, w2: number, w3: number): string {
  const b = V6_WORDS;
  b.writeInt32BE(w0, 0); b.writeInt32BE(w1, 4); b.writeInt32BE(w2, 8); b.writeInt32BE(w3, 12);
  return formatIp(b);
}
const V6_WORDS = Buffer.alloc(16);

/** `ip:port` of an IPv4 address held as one 32-bit word. */
export function formatIpv4Endpoint(word: number, port: number): string {
  return `${formatIpv4(word)}:${port}`;
}

/** `ip:port`, or `[ipv6]:port` as in URLs and Wireshark's conversation lists. */
export function formatEndpoint(addr: Buffer, port: number): string {
  return addr.length === 4 ? `${formatIp(addr)}:${port}` : `[${formatIp(addr)}]:${port}`;
}
