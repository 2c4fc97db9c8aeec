// The analyze command's options after validation, in the units the rest of the code wants.
import { DEFAULT_DUP_WINDOW_MS } from '../decode/duplicates';
import type { PathsBy } from '../path/paths';
import { OUTCOMES, type Outcome } from '../keepalive/model';
import { TIME_MODES, type TimeMode } from '../report/time-format';
import { parseFlowSelectors, parseHosts, parsePorts, type FlowFilter } from './filter';
import { SORT_KEYS, type SortKey } from '../report/flow-order';
import { UsageError } from './usage-error';

export const FORMATS = ['table', 'json', 'ndjson', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];
export { OUTCOMES, TIME_MODES, SORT_KEYS };

/** Flow eviction after this much capture-time silence: 2.5 h, just above Linux's 2 h keepalive idle. */
export const DEFAULT_IDLE_TIMEOUT_S = 9000;
export const DEFAULT_MAX_FLOWS = 1_000_000;
export { DEFAULT_DUP_WINDOW_MS };

/** Stands for a lone `-` argument while yargs parses (a NUL cannot occur in a real argument). */
export const STDIN_TOKEN = '\u0000-';

const unStdin = (v: string | number): string => (v === STDIN_TOKEN ? '-' : String(v));

/** How flows are grouped into paths: by the server's address, or its address and port. */
export const PATHS_BY: readonly PathsBy[] = ['address', 'port'];

export interface AnalyzeOptions {
  readonly captures: readonly string[];
  readonly format: Format;
  readonly events: boolean;
  readonly allFlows: boolean;
  readonly timeMode: TimeMode;
  /** -t was given (it changes only the table's --events timeline). */
  readonly timeGiven: boolean;
  /** Order of the table's flows. */
  readonly sort: SortKey;
  /** --sort was given (only the table is sorted). */
  readonly sortGiven: boolean;
  readonly filter: FlowFilter;
  readonly failOn: ReadonlySet<Outcome>;
  readonly idleTimeoutSeconds: number;
  readonly maxFlows: number;
  /** -o FILE: the report goes there instead of standard output; null for standard output. */
  readonly output: string | null;
  /** Read all inputs as one trace (--merge). */
  readonly merge: boolean;
  /** Copies of a TCP segment within this many ms are folded into one; 0 turns folding off. */
  readonly dupWindowMs: number;
  readonly pathsBy: PathsBy;
}

/** What yargs hands over (types as declared in the builder; values still unchecked). */
export interface RawAnalyzeArgs {
  readonly capture?: readonly (string | number)[];
  /** -r FILE, repeatable: read before the positional names. */
  readonly read?: readonly (string | number)[];
  readonly sort?: string;
  readonly format?: string;
  readonly events?: boolean;
  readonly allFlows?: boolean;
  readonly time?: string;
  readonly host?: readonly (string | number)[];
  readonly port?: readonly (string | number)[];
  readonly flow?: readonly (string | number)[];
  readonly failOn?: readonly string[];
  readonly idleTimeout?: number;
  readonly maxFlows?: number;
  readonly output?: string | number;
  readonly merge?: boolean;
  readonly dupWindow?: number;
  readonly pathsBy?: string;
}

export function parseFailOn(values: readonly string[]): Set<Outcome> {
  const set = new Set<Outcome>();
  for (const v of values.flatMap((s) => String(s).split(','))) {
    const o = v.trim();
    if (o === '') continue;
    const known = OUTCOMES.find((x) => x === o);
    if (known === undefined) throw new UsageError(`--fail-on: unknown outcome '${o}' (choose from ${OUTCOMES.join(', ')})`);
    set.add(known);
  }
  return set;
}

function positive(name: string, v: number | undefined, dflt: number, integer: boolean): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    // yargs has already turned non-numeric text into NaN: name the expectation, not the NaN.
    const shown = Number.isNaN(v) ? 'not a number' : `'${v}'`;
    throw new UsageError(`--${name}: ${shown}, expected a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

function outputFile(v: string | number | undefined): string | null {
  if (v === undefined) return null;
  const file = unStdin(v);
  if (file === '') throw new UsageError('-o: empty file name');
  // `-o -` is standard output, as for the inputs.
  return file === '-' ? null : file;
}

export function validateAnalyzeArgs(a: RawAnalyzeArgs): AnalyzeOptions {
  const captures = [...(a.read ?? []), ...(a.capture ?? [])].map(unStdin);
  if (captures.length === 0) throw new UsageError('no capture file given');
  if (captures.filter((c) => c === '-').length > 1) throw new UsageError("standard input ('-') can be read only once");
  if (a.merge === true && captures.includes('-')) throw new UsageError("--merge reads files and directories, not standard input ('-')");
  const format = FORMATS.find((f) => f === (a.format ?? 'table'));
  if (format === undefined) throw new UsageError(`--format: unknown format '${a.format}'`);
  const timeMode = TIME_MODES.find((t) => t === (a.time ?? 'absolute'));
  if (timeMode === undefined) throw new UsageError(`--time: unknown mode '${a.time}' (choose from ${TIME_MODES.join(', ')})`);
  const sort = SORT_KEYS.find((k) => k === (a.sort ?? 'interest'));
  if (sort === undefined) throw new UsageError(`--sort: unknown order '${a.sort}' (choose from ${SORT_KEYS.join(', ')})`);
  const pathsBy = PATHS_BY.find((p) => p === (a.pathsBy ?? 'address'));
  if (pathsBy === undefined) throw new UsageError(`--paths-by: unknown grouping '${a.pathsBy}' (choose from ${PATHS_BY.join(', ')})`);
  return {
    captures, format, timeMode, sort, pathsBy,
    timeGiven: a.time !== undefined,
    sortGiven: a.sort !== undefined,
    events: a.events === true,
    allFlows: a.allFlows === true,
    filter: {
      hosts: parseHosts((a.host ?? []).map(unStdin)),
      ports: parsePorts((a.port ?? []).map(unStdin)),
      flows: parseFlowSelectors((a.flow ?? []).map(unStdin)),
    },
    failOn: parseFailOn((a.failOn ?? []).map(unStdin)),
    idleTimeoutSeconds: positive('idle-timeout', a.idleTimeout, DEFAULT_IDLE_TIMEOUT_S, false),
    maxFlows: positive('max-flows', a.maxFlows, DEFAULT_MAX_FLOWS, true),
    output: outputFile(a.output),
    merge: a.merge === true,
    dupWindowMs: a.dupWindow === 0 ? 0 : positive('dup-window', a.dupWindow, DEFAULT_DUP_WINDOW_MS, false),
  };
}
