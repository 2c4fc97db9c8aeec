// Idle timeouts of common middleboxes, with where each number comes from (keepalive-facts.md §4
// and §6). `verified` is false where the source is a secondary summary, not the vendor's or the
// kernel's own text. Smallest first.

export interface MiddleboxTimeout {
  readonly name: string;
  /** The default (or fixed) established-flow idle timeout, seconds. */
  readonly seconds: number;
  /** The configurable range, seconds, when there is one. */
  readonly range: readonly [number, number] | null;
  readonly source: string;
  readonly verified: boolean;
  /** Label under which keepalive settings notes name it ("just under AWS NLB … 350 s"). */
  readonly note: string | null;
}

const e = (name: string, seconds: number, range: readonly [number, number] | null, source: string,
  verified: boolean, note: string | null = null): MiddleboxTimeout => ({ name, seconds, range, source, verified, note });

export const MIDDLEBOX_TIMEOUTS: readonly MiddleboxTimeout[] = [
  e('AWS ALB', 60, [1, 4000], 'AWS ELB "Edit attributes for your Application Load Balancer"', true, 'AWS ALB/CLB'),
  e('AWS Classic LB', 60, [1, 4000], 'AWS ELB "Configure the idle connection timeout for your Classic Load Balancer"', true, 'AWS ALB/CLB'),
  e('Azure Load Balancer', 240, [240, 6000], 'MicrosoftDocs azure-docs load-balancer-tcp-idle-timeout.md (4–100 min)', true, 'Azure LB / NAT gateway'),
  e('Azure NAT Gateway', 240, null, 'secondary summaries', false, 'Azure LB / NAT gateway'),
  e('AWS NLB (TCP listener)', 350, [60, 6000], 'AWS ELB "Update the TCP idle timeout for your Network Load Balancer listener"', true, 'AWS NLB / NAT gateway / GWLB'),
  e('AWS NLB (TLS listener, fixed)', 350, null, 'AWS ELB "Update the TCP idle timeout for your Network Load Balancer listener"', true, 'AWS NLB / NAT gateway / GWLB'),
  e('AWS Gateway LB', 350, [60, 6000], 'AWS GWLB "Update the TCP idle timeout"', true, 'AWS NLB / NAT gateway / GWLB'),
  e('AWS NAT gateway', 350, null, 'AWS VPC NAT gateway troubleshooting, as cited by third parties', false, 'AWS NLB / NAT gateway / GWLB'),
  e('AWS Network Firewall', 350, [60, 6000], 'AWS Network Firewall API "FlowTimeouts"', true),
  e('GCP VPC firewall conntrack', 600, null, 'Compute Engine "Troubleshooting": VPC connection tracking removes an entry after 10 min without a packet', true, 'GCP VPC firewall'),
  e('IPVS (TCP established)', 900, null, 'Linux net/netfilter/ipvs/ip_vs_proto_tcp.c tcp_timeouts: [IP_VS_TCP_S_ESTABLISHED] = 15*60*HZ', true),
  e('GCP Cloud NAT (TCP established)', 1200, null, 'Compute Engine API RouterNat tcpEstablishedIdleTimeoutSec', true, 'GCP Cloud NAT'),
  e('Palo Alto TCP session', 3600, null, 'secondary summaries', false),
  e('RFC 5382 minimum for a NAT', 7440, null, 'RFC 5382 REQ-5 (2 h 4 min)', true),
  e('MikroTik / Cisco conntrack', 86400, null, 'secondary summaries', false),
  e('EC2 security-group conntrack', 432000, [60, 432000], 'EC2 API "ConnectionTrackingConfiguration"', true),
  e('Linux conntrack (established)', 432000, null, 'kernel Documentation/networking/nf_conntrack-sysctl (nf_conntrack_tcp_timeout_established)', true),
];

/** Catalogue entries whose default lies in (above, atMost]; an open end is unbounded. */
export function timeoutsInBracket(above: number | null, atMost: number | null): MiddleboxTimeout[] {
  if (above === null && atMost === null) return [];
  return MIDDLEBOX_TIMEOUTS.filter((m) => (above === null || m.seconds > above) && (atMost === null || m.seconds <= atMost));
}
