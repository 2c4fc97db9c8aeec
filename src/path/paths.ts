// The middlebox idle timeout of each path, bracketed passively from its flows (keepalive-facts.md
// §6): it lies above the longest idle gap a flow survived (the segment after the gap was answered;
// answered keepalive probes count as traffic) and at most the shortest gap after which a flow died
// by injected RST, blackhole, or keepalive or retransmission timeout. A survived gap longer than a
// fatal one means the flows do not share one timeout (several middleboxes, or another cause).
// A death with no answer at all (keepalive or retransmission timeout) looks the same whether a
// middlebox forgot the flow, the peer died or the path was cut: only a survived idle gap on the
// path, or a middlebox's own RST, makes it evidence of an idle timeout.
import { PATH_DEATHS, type Fate, type FateHow } from '../fate/model';
import { timeoutsInBracket, type MiddleboxTimeout } from './catalogue';
import { formatIpv4, formatIpv6Words } from '../flow/address';

export type PathsBy = 'address' | 'port';

/** What one flow tells about its path. */
export interface PathFlow {
  readonly id: number;
  /** Server address as written in reports (no port), and its port. */
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly fate: Fate;
  /** Longest idle gap the flow survived, s; null when none. */
  readonly survivedIdleSeconds: number | null;
  /** Keepalive idle of the flow's probers (s, the longest seen), null without keepalive. */
  readonly keepaliveIdleSeconds: number | null;
  /** Some probe was answered. */
  readonly keepaliveAnswered: boolean;
}

/**
 * `undetermined`: every death went unanswered and no flow survived an idle gap, so an idle timeout
 * (at most `atMost`), a dead peer and a cut path fit alike; no keepalive advice follows from it.
 */
export type PathVerdict = 'no-keepalive' | 'keepalive-too-long' | 'keepalive-holds' | 'undetermined';

export interface PathReport {
  /** The address, or `address:port` (`[v6]:port`) under --paths-by port. */
  readonly server: string;
  readonly flows: number;
  readonly survived: number;
  readonly died: number;
  /** Deaths by fate, only the fates that occurred. */
  readonly diedBy: Readonly<Partial<Record<FateHow, number>>>;
  readonly idleTimeoutSeconds: { readonly above: number | null; readonly atMost: number | null };
  readonly conflicting: boolean;
  /** Catalogue entries whose default lies in the bracket. */
  readonly matches: readonly string[];
  readonly verdicts: readonly PathVerdict[];
  /** Largest keepalive idle the evidence shows would hold the path (the longest survived gap), whole s. */
  readonly keepIdleAtMostSeconds: number | null;
  /** The longest keepalive idle in use on the path's flows. */
  readonly keepaliveIdleSeconds: number | null;
  readonly summary: string;
}

const pathKey = (f: PathFlow, by: PathsBy): string =>
  by === 'address' ? f.serverAddress : `${f.serverAddress.includes(':') ? `[${f.serverAddress}]` : f.serverAddress}:${f.serverPort}`;

/** One path's evidence so far: counts and extremes, not the flows (a capture may hold millions). */
class PathEvidence {
  flows = 0; survived = 0; died = 0;
  readonly diedBy: Partial<Record<FateHow, number>> = {};
  above: number | null = null;
  atMost: number | null = null;
  /** Longest keepalive idle on any flow; shortest on a flow whose answered probes held it. */
  kaIdleMax: number | null = null;
  holdingKaIdleMin: number | null = null;
  deathWithoutKeepalive = false;
  /** A death by a middlebox's RST: the path itself forgot the flow. */
  injectedDeath = false;

  /** A flow without keepalive that survived `gap` seconds and did not die; `counts`: open or closed. */
  addSurvivor(gap: number, counts: boolean): void {
    this.flows++;
    if (this.above === null || gap > this.above) this.above = gap;
    if (counts) this.survived++;
  }

  add(f: PathFlow): void {
    this.flows++;
    if (f.survivedIdleSeconds !== null && (this.above === null || f.survivedIdleSeconds > this.above)) this.above = f.survivedIdleSeconds;
    const ka = f.keepaliveIdleSeconds;
    if (ka !== null && (this.kaIdleMax === null || ka > this.kaIdleMax)) this.kaIdleMax = ka;
    const gap = f.fate.afterIdleSeconds;
    if (PATH_DEATHS.has(f.fate.how) && gap !== null) {
      this.died++;
      this.diedBy[f.fate.how] = (this.diedBy[f.fate.how] ?? 0) + 1;
      if (this.atMost === null || gap < this.atMost) this.atMost = gap;
      if (ka === null) this.deathWithoutKeepalive = true;
      if (f.fate.how === 'injected-reset') this.injectedDeath = true;
    } else {
      if (f.fate.how === 'open' || f.fate.how === 'closed') this.survived++;
      if (f.keepaliveAnswered && ka !== null && (this.holdingKaIdleMin === null || ka < this.holdingKaIdleMin)) this.holdingKaIdleMin = ka;
    }
  }

  report(server: string): PathReport {
    const { above, atMost } = this;
    const conflicting = above !== null && atMost !== null && above > atMost;
    const verdicts: PathVerdict[] = [];
    const undetermined = atMost !== null && above === null && !this.injectedDeath;
    if (undetermined) verdicts.push('undetermined');
    else {
      if (this.deathWithoutKeepalive) verdicts.push('no-keepalive');
      if (atMost !== null && this.kaIdleMax !== null && this.kaIdleMax >= atMost) verdicts.push('keepalive-too-long');
    }
    if (this.holdingKaIdleMin !== null && (atMost === null || this.holdingKaIdleMin < atMost)) verdicts.push('keepalive-holds');
    const report = {
      server, flows: this.flows, survived: this.survived, died: this.died, diedBy: { ...this.diedBy },
      idleTimeoutSeconds: { above, atMost }, conflicting,
      matches: conflicting ? [] : timeoutsInBracket(above, atMost).map(describe), verdicts,
      keepIdleAtMostSeconds: above === null || conflicting ? null : Math.floor(above), keepaliveIdleSeconds: this.kaIdleMax,
    };
    return { ...report, summary: pathSummary(report) };
  }
}

/** A server already seen, by its address words and port: the survivors' way to their path without building its name. */
interface KnownServer {
  readonly v6: boolean;
  readonly w0: number; readonly w1: number; readonly w2: number; readonly w3: number;
  readonly port: number;
  readonly path: PathEvidence;
  /** The next server with the same hash. */
  readonly next: KnownServer | null;
}

/**
 * Gathers the flows that tell something about their path's idle timeout (a survived idle gap or a
 * death after idle), grouped by server address or address:port.
 */
export class PathAccumulator {
  /** By the path's name (the server's address, or address:port), in order of first evidence. */
  private readonly groups = new Map<string, PathEvidence>();
  /** The same paths by a hash of the server's address words (and port under --paths-by port). */
  private readonly byWords = new Map<number, KnownServer>();
  constructor(readonly by: PathsBy) {}

  private group(name: string): PathEvidence {
    let g = this.groups.get(name);
    if (g === undefined) this.groups.set(name, g = new PathEvidence());
    return g;
  }

  add(f: PathFlow): void {
    this.group(pathKey(f, this.by)).add(f);
  }

  /**
   * A flow that only survived a gap of `gap` seconds (the engine's fast path, once per retired
   * flow): its server given as address words as the packet carries them (IPv4: w0 only) and port.
   * Nothing is allocated once the server has been seen.
   */
  addSurvivorAt(v6: boolean, w0: number, w1: number, w2: number, w3: number, port: number, gap: number, counts: boolean): void {
    const byPort = this.by === 'port';
    const hash = (Math.imul(w0 ^ Math.imul(w1 ^ Math.imul(w2 ^ w3, 0x9e3779b1), 0x85ebca6b), 0xc2b2ae35) ^ (byPort ? port : 0)) & 0x3fffffff;
    const first = this.byWords.get(hash) ?? null;
    for (let k = first; k !== null; k = k.next) {
      if (k.w0 === w0 && k.v6 === v6 && k.w1 === w1 && k.w2 === w2 && k.w3 === w3 && (!byPort || k.port === port)) {
        k.path.addSurvivor(gap, counts);
        return;
      }
    }
    const address = v6 ? formatIpv6Words(w0, w1, w2, w3) : formatIpv4(w0);
    const path = this.group(!byPort ? address : v6 ? `[${address}]:${port}` : `${address}:${port}`);
    this.byWords.set(hash, { v6, w0, w1, w2, w3, port, path, next: first });
    path.addSurvivor(gap, counts);
  }

  /** Paths in order of first evidence; only paths with a bracket end. */
  reports(): PathReport[] {
    const out: PathReport[] = [];
    for (const [name, g] of this.groups) if (g.above !== null || g.atMost !== null) out.push(g.report(name));
    return out;
  }
}

export function buildPaths(flows: Iterable<PathFlow>, by: PathsBy): PathReport[] {
  const acc = new PathAccumulator(by);
  for (const f of flows) acc.add(f);
  return acc.reports();
}

const describe = (m: MiddleboxTimeout): string => `${m.name} ${m.seconds} s${m.verified ? '' : ' (unverified)'}`;

const DEATH_WORDS: Readonly<Record<string, string>> = {
  'injected-reset': 'injected RST', 'retransmission-timeout': 'retransmission timeout', 'keepalive-timeout': 'keepalive timeout',
};

const sec = (x: number): string => `${Number(x.toFixed(x >= 100 ? 0 : 2))} s`;

/** One line that answers "what is this path's idle timeout, and what keepalive holds it". */
export function pathSummary(p: Omit<PathReport, 'summary'>): string {
  const { above, atMost } = p.idleTimeoutSeconds;
  const deaths = Object.entries(p.diedBy).map(([how, n]) => `${n} died by ${DEATH_WORDS[how] ?? how}`).join(', ');
  const counts = `(${p.survived} survived${deaths === '' ? '' : `, ${deaths}`})`;
  let line: string;
  if (p.conflicting) line = `${p.server}: conflicting evidence, a flow survived ${sec(above!)} idle but another died after ${sec(atMost!)} ${counts}`;
  else if (above !== null && atMost !== null) line = `${p.server}: idle timeout between ${sec(above)} and ${sec(atMost)} ${counts}`;
  else if (atMost !== null && p.verdicts.includes('undetermined')) {
    line = `${p.server}: no answer after ${sec(atMost)} idle ${counts}: an idle timeout of at most ${sec(atMost)}, ` +
      'a dead peer or a cut path; no survived idle gap tells them apart';
  } else if (atMost !== null) line = `${p.server}: idle timeout at most ${sec(atMost)} ${counts}`;
  else if (above !== null) line = `${p.server}: idle timeout above ${sec(above)} ${counts}`;
  else line = `${p.server}: no idle gap survived or fatal ${counts}`;
  const advice: string[] = [];
  const use = p.keepIdleAtMostSeconds !== null ? `use <= ${p.keepIdleAtMostSeconds} s` : atMost !== null ? `use < ${sec(atMost)}` : null;
  if (p.verdicts.includes('keepalive-too-long')) advice.push(`keepalive idle ${sec(p.keepaliveIdleSeconds!)} is too long${use === null ? '' : `, ${use}`}`);
  else if (p.verdicts.includes('no-keepalive')) advice.push(`no keepalive on the flows that died${use === null ? '' : `; enable it, idle ${use.slice(4)}`}`);
  if (p.verdicts.includes('keepalive-holds')) advice.push('keepalive holds the path');
  if (p.matches.length > 0 && !p.conflicting) advice.push(`${p.verdicts.includes('undetermined') ? 'a timeout would fit' : 'fits'} ${p.matches.join(', ')}`);
  return advice.length === 0 ? line : `${line}; ${advice.join('; ')}`;
}
