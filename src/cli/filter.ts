// --host / --port / --flow: repeatable; a flow is reported when it matches every kind of filter
// given and, within a kind, any of the values. Events are matched on their own addresses and
// flow id so NDJSON can filter them before the flow's report exists.
import { isIP } from 'node:net';
import type { FlowReport, KeepaliveEvent } from '../keepalive/model';
import { inPrefix, parsePrefix, type HostPrefix } from './host-prefix';
import { UsageError } from './usage-error';

export interface FlowSelector {
  /** 0-based input index, or null for "this id in every input". */
  readonly capture: number | null;
  readonly id: number;
}

export interface FlowFilter {
  /** Canonical addresses, or prefixes as `ADDR/BITS`. */
  readonly hosts: readonly string[];
  readonly ports: readonly number[];
  readonly flows: readonly FlowSelector[];
}

/** Canonical text of an IP address (RFC 5952 for IPv6: lower case, longest zero run as `::`). */
export function canonicalHost(host: string): string {
  if (isIP(host) === 6) {
    // The WHATWG URL parser serialises IPv6 hosts canonically.
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  }
  return host;
}

/** `1.2.3.4:80` or `[2001:db8::1]:80` → host and port; null when the text has no port. */
export function splitEndpoint(endpoint: string): { host: string; port: number } | null {
  const i = endpoint.lastIndexOf(':');
  if (i < 0) return null;
  let host = endpoint.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(endpoint.slice(i + 1));
  return Number.isInteger(port) ? { host, port } : null;
}

export function parseHosts(values: readonly string[]): string[] {
  return values.map((v) => {
    if (v.includes('/')) {
      const p = parsePrefix(v);
      if (p === null) throw new UsageError(`--host: '${v}' is not an address prefix (like 10.0.0.0/8 or fd00::/8)`);
      return v;
    }
    const h = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
    if (isIP(h) === 0) throw new UsageError(`--host: '${v}' is not an IPv4 or IPv6 address or prefix`);
    return canonicalHost(h);
  });
}

const prefixes = new Map<string, HostPrefix | null>();

function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.includes('/')) return pattern === canonicalHost(host);
  let p = prefixes.get(pattern);
  if (p === undefined) { p = parsePrefix(pattern); prefixes.set(pattern, p); }
  return p !== null && inPrefix(p, host);
}

export function parsePorts(values: readonly (string | number)[]): number[] {
  return values.map((v) => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535 || String(v).trim() === '') {
      throw new UsageError(`--port: '${v}' is not a port number (0-65535)`);
    }
    return n;
  });
}

/** `ID` (that flow id in every input) or `K:ID` (flow ID of input K, 0-based as in the JSON `capture` field). */
export function parseFlowSelectors(values: readonly (string | number)[]): FlowSelector[] {
  return values.map((v) => {
    // `#3` as the table prints it, `1:#3` as --fail-on's note names it.
    const m = /^(?:(\d+):)?#?(\d+)$/.exec(String(v).trim());
    if (m === null) throw new UsageError(`--flow: '${v}' is not a flow id (ID, #ID or CAPTURE:ID)`);
    return { capture: m[1] === undefined ? null : Number(m[1]), id: Number(m[2]) };
  });
}

/** `host 10.77.0.9, port 443, flow #3`: the filters as the table's summary names them; undefined when none. */
export function describeFilters(filter: FlowFilter): string | undefined {
  const parts = [
    ...filter.hosts.map((h) => `host ${h}`),
    ...filter.ports.map((p) => `port ${p}`),
    ...filter.flows.map((f) => `flow ${f.capture === null ? '' : `${f.capture}:`}#${f.id}`),
  ];
  return parts.length === 0 ? undefined : parts.join(', ');
}

/** Whether --host, --port or --flow narrows the report. */
export function hasFlowFilter(filter: FlowFilter): boolean {
  return filter.hosts.length > 0 || filter.ports.length > 0 || filter.flows.length > 0;
}

function endpointMatches(filter: FlowFilter, endpoints: readonly string[]): boolean {
  if (filter.hosts.length === 0 && filter.ports.length === 0) return true;
  const parts = endpoints.map(splitEndpoint);
  if (filter.hosts.length > 0 && !parts.some((p) => p !== null && filter.hosts.some((h) => hostMatches(h, p.host)))) return false;
  if (filter.ports.length > 0 && !parts.some((p) => p !== null && filter.ports.includes(p.port))) return false;
  return true;
}

function idMatches(filter: FlowFilter, captureIndex: number, id: number): boolean {
  if (filter.flows.length === 0) return true;
  return filter.flows.some((s) => s.id === id && (s.capture === null || s.capture === captureIndex));
}

export function flowMatches(filter: FlowFilter, captureIndex: number, f: FlowReport): boolean {
  return idMatches(filter, captureIndex, f.id) && endpointMatches(filter, [f.client, f.server]);
}

export function eventMatches(filter: FlowFilter, captureIndex: number, e: KeepaliveEvent): boolean {
  return idMatches(filter, captureIndex, e.flow) && endpointMatches(filter, [e.from, e.to]);
}

