// An unknown option named as such. yargs reports the consequence instead: `--evnets x.pcap` takes
// x.pcap as the option's value and then complains of a missing capture.

/** Edit distance (insert, delete, substitute, swap two neighbours), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

const dashed = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The first option in `args` (the words after the command) whose name is not in `known` (names
 * and aliases as yargs holds them), as `unknown option --evnets (did you mean --events?)`; null
 * when every option is known. Words after `--` are names, not options.
 */
export function unknownOptionMessage(args: readonly string[], known: ReadonlySet<string>): string | null {
  const isKnown = (n: string): boolean => known.has(n) || known.has(kebab(n)) || (n.startsWith('no-') && known.has(n.slice(3)));
  for (const a of args) {
    if (a === '--') return null;
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) continue;
    const long = a.startsWith('--');
    const body = a.slice(long ? 2 : 1).split('=')[0];
    // A cluster of short flags (`-xy`) is each of them.
    const names = long ? [body] : [...body];
    for (const n of names) {
      if (n === '' || isKnown(n)) continue;
      const shown = long ? `--${n}` : `-${n}`;
      return `unknown option ${shown}${suggestion(n, known)}`;
    }
  }
  return null;
}

function suggestion(name: string, known: ReadonlySet<string>): string {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    if (k.length === 1 || /[A-Z]/.test(k) || k === '$0' || k === '_') continue;
    const d = editDistance(name, k);
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  // Within a third of the name: `evnets` → `events`, not `n` → `no-such-long-option`.
  if (best === null || name.length < 3 || bestDistance > Math.max(1, Math.floor(name.length / 3))) return '';
  return ` (did you mean ${dashed(best)}?)`;
}
