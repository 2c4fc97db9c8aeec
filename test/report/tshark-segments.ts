// tshark's view of a capture's TCP segments, and the page's segment marks, for the HTML timeline
// tests: which frames tshark calls retransmissions, keep-alives or data, matched to a report's flows
// by endpoints, VLAN and frame range.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface TsharkSegment {
  readonly frame: number;
  readonly src: string;
  readonly dst: string;
  readonly vlan: number | null;
  readonly len: number;
  readonly rst: boolean;
  /** tcp.analysis.retransmission (with its fast and spurious kinds) or tcp.analysis.out_of_order. */
  readonly resent: boolean;
  readonly outOfOrder: boolean;
  readonly keepAlive: boolean;
}

export function hasTshark(): boolean {
  return spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
}

const FIELDS = ['frame.number', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport', 'vlan.id', 'tcp.len',
  'tcp.flags.reset', 'tcp.analysis.retransmission', 'tcp.analysis.out_of_order', 'tcp.analysis.keep_alive'];

const lastOf = (v: string): string => v.split(',').pop() ?? '';
const endpoint = (addr: string, port: string): string => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

export function tsharkSegments(capture: string): TsharkSegment[] {
  const r = spawnSync('tshark', ['-n', '-r', capture, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=|', ...FIELDS.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`tshark ${capture}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const x = l.split('|');
    const vlan = lastOf(x[7]);
    return {
      frame: Number(x[0]),
      src: endpoint(lastOf(x[1] || x[2]), lastOf(x[3])), dst: endpoint(lastOf(x[4] || x[5]), lastOf(x[6])),
      vlan: vlan === '' ? null : Number(vlan), len: Number(lastOf(x[8]) || 0),
      rst: ['1', 'True'].includes(lastOf(x[9])),
      resent: x[10] !== '' || x[11] !== '', outOfOrder: x[11] !== '', keepAlive: x[12] !== '',
    };
  });
}

interface FlowLike { readonly client: string; readonly server: string; readonly vlan: readonly number[]; readonly firstFrame: number; readonly lastFrame: number }

/** tshark's segments of `f`: its endpoints either way, one of its VLANs (or none), within its frames. */
export function segmentsOf(f: FlowLike, all: readonly TsharkSegment[]): TsharkSegment[] {
  return all.filter((s) => s.frame >= f.firstFrame && s.frame <= f.lastFrame &&
    ((s.src === f.client && s.dst === f.server) || (s.src === f.server && s.dst === f.client)) &&
    (f.vlan.length === 0 ? s.vlan === null : s.vlan !== null && f.vlan.includes(s.vlan)));
}

/** One decoded segment mark of the page's data. */
export interface PageMark { readonly kind: string; readonly frame: number; readonly len: number; readonly fromClient: boolean; readonly ns: number }
export interface PageFlowMarks { readonly marks: PageMark[]; readonly segments: number; readonly thinned: number; readonly cut: number }

/** The JSON of one `<script type="application/json" id=…>` of a page. */
export function pageJson<T>(html: string, id: string): T {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  if (m === null) throw new Error(`no #${id} in the page`);
  return JSON.parse(m[1]) as T;
}

const KINDS: Record<string, string> = { D: 'data', A: 'ack', S: 'syn', F: 'fin', R: 'rst', X: 'retransmission' };

/** The page's segment marks by `capture:flow`, decoded as the page's script does. */
export function pageMarks(htmlFile: string): Map<string, PageFlowMarks> {
  const raw = pageJson<Record<string, { k: string; d: string; f: number[]; t: number[]; l: number[]; n: number; thin: number; cut: number }>>(
    readFileSync(htmlFile, 'utf8'), 'report-marks');
  const out = new Map<string, PageFlowMarks>();
  for (const [key, m] of Object.entries(raw)) {
    let frame = 0, ns = 0;
    const marks = [...m.k].map((k, i) => {
      frame += m.f[i]; ns += m.t[i];
      return { kind: KINDS[k], frame, len: m.l[i], fromClient: m.d[i] === 'c', ns };
    });
    out.set(key, { marks, segments: m.n, thinned: m.thin, cut: m.cut });
  }
  return out;
}
