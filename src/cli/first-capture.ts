// The first capture named on an `analyze` command line, found without yargs, so that
// bin/keepalive.js can start the decode worker on it before the CLI's modules load. A wrong guess
// costs little: the worker is used only if the analysis reads that same file first.

/** Options of `analyze` that take a value (cli/analyze.ts), in every spelling yargs accepts. */
export const TAKES_VALUE: ReadonlySet<string> = new Set([
  '--format', '--time', '-t', '--host', '--port', '--flow',
  '--fail-on', '--failOn', '--idle-timeout', '--idleTimeout', '--max-flows', '--maxFlows', '--output', '-o',
]);

export function firstCaptureArg(argv: readonly string[]): string | null {
  if (argv[0] !== 'analyze') return null;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1] ?? null;
    if (a !== '-' && a.startsWith('-')) {
      if (TAKES_VALUE.has(a)) i++; // `--port 80`; `--port=80` is one argument
      continue;
    }
    return a;
  }
  return null;
}
