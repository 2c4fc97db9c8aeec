// One line on stderr per kind of trouble in an input that would otherwise show only inside the
// report (the table's header, the JSON's counters): frames the decoder could not get through
// (unknown link types, encapsulations it does not know, IP lengths that lie), frames clamped to
// the snap length, and timestamps beyond any calendar. Each line names the file.
import type { AnalyzedInput } from './inputs';

/** Reader warnings (capture/*.ts) that also go to stderr. */
const READER_WARNINGS = /exceeds the (?:interface's )?snap length|beyond the years a calendar date is made for/;

/** Decoder counters whose frames held TCP the report may be missing, and what to call them. */
function describe(weird: string): string | null {
  const m = /^linktype-unsupported-(\d+)$/.exec(weird);
  if (m !== null) return `on link type ${m[1]}, which is not decoded`;
  if (weird === 'ipv4-bad-total-length' || weird === 'ipv6-bad-payload-length') return 'with an IP length that cannot be right, not decoded';
  if (/^(?:tunnel|vxlan|geneve|gre|erspan|mpls|pppoe|ppp|gtp|llc)-/.test(weird)) return 'in an encapsulation not decoded';
  return null;
}

export function inputNotices(input: AnalyzedInput): string[] {
  const { capture: c, result: r } = input;
  const lines = c.warnings.filter((w) => READER_WARNINGS.test(w));
  for (const [k, n] of Object.entries(r.summary.weird)) {
    const what = describe(k);
    if (what !== null && n > 0) lines.push(`${c.file}: ${n} frame${n === 1 ? '' : 's'} ${what} (${k})`);
  }
  return lines;
}
