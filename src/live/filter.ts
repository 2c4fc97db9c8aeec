// What the kernel hands us: TCP, plus the ICMP errors that can answer a keepalive probe
// (destination unreachable, time exceeded; ICMPv6 types 1 and 3). `ip6[40]` is the ICMPv6 type
// only when no extension header precedes it; errors behind extension headers are rare enough to miss.
export const DEFAULT_FILTER =
  'tcp or icmp[icmptype] == icmp-unreach or icmp[icmptype] == icmp-timxceed' +
  ' or (icmp6 and (ip6[40] == 1 or ip6[40] == 3))';

/** The user's expression narrows the default, it never widens it. */
export function captureFilter(user: string | undefined): string {
  const u = user?.trim();
  return u ? `(${DEFAULT_FILTER}) and (${u})` : DEFAULT_FILTER;
}
