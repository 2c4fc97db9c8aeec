// The first capture named on an `analyze` command line, found without yargs, so that
// bin/keepalive.js can start the decode worker on it before the CLI's modules load. A wrong guess
// costs little: the worker is used only if the analysis reads that same file first.

/** Options of `analyze` that take a value (cli/analyze.ts), in every spelling yargs accepts. */
export const TAKES_VALUE: ReadonlySet<string> = new Set([
  '--format', '--time', '-t', '--host', '--port', '--flow',
  '--fail-on', '--failOn', '--idle-timeout', '--idleTimeout', '--max-flows', '--maxFlows', '--output', '-o', '--dup-window', '--dupWindow', '--sort', '-r', '--read', '--paths-by', '--pathsBy',
]);

/** `-r FILE` names the first capture wherever it stands: -r inputs are read before the positional ones. */
const READ = new Set(['-r', '--read']);

export function firstCaptureArg(argv: readonly string[]): string | null {
  // A merge starts its own worker, on all its inputs (mergeCaptureArgs).
  if (argv[0] !== 'analyze' || argv.includes('--merge')) return null;
  return captureArgs(argv)[0] ?? null;
}

/** Every capture named on an `analyze --merge` command line; null without --merge. */
export function mergeCaptureArgs(argv: readonly string[]): string[] | null {
  return argv[0] === 'analyze' && argv.includes('--merge') ? captureArgs(argv) : null;
}

function captureArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  const reads: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.push(...argv.slice(i + 1)); break; }
    if (READ.has(a)) { if (i + 1 < argv.length) reads.push(argv[++i]); continue; }
    if (a !== '-' && a.startsWith('-')) {
      if (TAKES_VALUE.has(a)) i++; // `--port 80`; `--port=80` is one argument
      continue;
    }
    out.push(a);
  }
  // As the command takes them: -r inputs before the names given without it.
  return [...reads, ...out];
}
