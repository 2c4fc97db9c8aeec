// What the command says on stderr about its options, beyond errors: options that change nothing
// in the chosen format, and which flows made --fail-on fail.
import type { FlowReport, Outcome } from '../keepalive/model';
import type { AnalyzeOptions } from './options';

/** One line per option given that the chosen format ignores; empty when all count. */
export function noEffectNotes(o: AnalyzeOptions): string[] {
  const notes: string[] = [];
  if (o.timeGiven && (o.format !== 'table' || !o.events)) {
    notes.push(o.format === 'table'
      ? '-t/--time changes only the --events timeline; without --events it has no effect'
      : `-t/--time has no effect with --format ${o.format} (its times are ISO 8601 UTC and seconds since the first packet)`);
  }
  if (o.sortGiven && o.format !== 'table') notes.push(`--sort has no effect with --format ${o.format} (flows are listed by id)`);
  if (o.events && o.format === 'csv') notes.push('--events has no effect with --format csv (one row per prober; --format ndjson streams events)');
  if (o.events && o.format === 'ndjson') notes.push('--events has no effect with --format ndjson (its event lines are always written)');
  return notes;
}

/** How many flow ids the --fail-on note lists. */
export const FAIL_ON_SHOWN = 5;

/** Collects the flows whose outcome --fail-on lists, for the one line said when it fails. */
export class FailOnMatches {
  count = 0;
  private readonly shown: string[] = [];

  constructor(private readonly outcomes: ReadonlySet<Outcome>) {}

  /** Notes the flow if one of its probers' outcomes is listed; returns whether it was. */
  add(captureIndex: number, f: FlowReport): boolean {
    const hit = f.keepalive.find((k) => this.outcomes.has(k.outcome));
    if (hit === undefined) return false;
    this.count++;
    if (this.shown.length < FAIL_ON_SHOWN) this.shown.push(`${captureIndex}:#${f.id} ${hit.outcome}`);
    return true;
  }

  /** `--fail-on timeout,reset: 3 flows matched: #0 timeout, #4 reset, #7 timeout`; ids `K:#ID` when there are several inputs. */
  line(inputs: number): string {
    const ids = inputs > 1 ? this.shown : this.shown.map((s) => s.slice(s.indexOf(':') + 1));
    const more = this.count > this.shown.length ? `, … (${this.count - this.shown.length} more)` : '';
    return `--fail-on ${[...this.outcomes].join(',')}: ${this.count} flow${this.count === 1 ? '' : 's'} matched: ${ids.join(', ')}${more}`;
  }
}
