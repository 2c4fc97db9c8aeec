// What a tunnel or encapsulation parser leaves for the next layer, and what separates tenants.
import { LinkState } from '../link/state';

/**
 * The tunnel a segment came through, for the flow key: the innermost layer that has one wins (a
 * VXLAN VNI over an MPLS core is the VNI). Numbered in 4 bits: the flow key keeps the kind beside
 * the IP version and VLANs. VXLAN and Geneve VNIs, GRE keys, ERSPAN sessions and PPPoE sessions are
 * the same both ways and separate tenants; MPLS labels and GTP-U TEIDs are chosen by the receiving
 * end of each direction (RFC 3031 §3.1, 3GPP TS 29.281 §5.1), so they would split one connection
 * into two halves: only their kind is kept (id 0).
 */
export const enum TenantKind { None = 0, Vxlan = 1, Geneve = 2, GreKey = 3, Erspan = 4, Mpls = 5, Pppoe = 6, GtpU = 7 }

/** Names as reports show them, indexed by TenantKind. */
export const TENANT_NAMES: readonly string[] = ['', 'vxlan', 'geneve', 'gre', 'erspan', 'mpls', 'pppoe', 'gtp-u'];

/** Whether a kind carries an identifier (reports show it); MPLS and GTP-U do not (see TenantKind). */
export const tenantHasId = (kind: number): boolean => kind !== TenantKind.Mpls && kind !== TenantKind.GtpU;

/** Returned by a parser when the payload is not a tunnel it decodes (and not odd either). */
export const NOT_TUNNEL = -1_000_000;

export class TunnelState {
  /** EtherType of what follows (ETHERTYPE_BY_VERSION: decide by the IP version nibble). */
  etherType = 0;
  tenantKind = 0;
  tenantId = 0;
  /** Link state of an inner Ethernet frame (VXLAN, Geneve, GRE bridging, ERSPAN, pseudowires). */
  readonly link = new LinkState();
  /** With −Weird.TunnelUnsupported: the counter to bump, e.g. "gre-unsupported-0x880b". */
  unsupported = '';

  reset(): void {
    this.tenantKind = 0;
    this.tenantId = 0;
    this.link.reset();
  }

  /** `id` must be the same in both directions of a connection (see TenantKind). */
  setTenant(kind: TenantKind, id: number): void {
    this.tenantKind = kind;
    this.tenantId = id;
  }
}

const unsupportedKeys = new Map<string, string>();

/** `<prefix>-unsupported-0xNNNN`, one string per prefix and number. */
export function unsupportedKey(prefix: string, n: number): string {
  const id = `${prefix}/${n}`;
  let k = unsupportedKeys.get(id);
  if (k === undefined) {
    k = `${prefix}-unsupported-0x${n.toString(16).padStart(4, '0')}`;
    unsupportedKeys.set(id, k);
  }
  return k;
}
