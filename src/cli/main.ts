// Entry point (bin/keepalive.js): builds the yargs command line. Whatever goes wrong ends as one
// `keepalive: …` line on stderr and exit 2, never a stack trace (KEEPALIVE_DEBUG=1 shows it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { registerAnalyzeCommand, runAnalyze } from './analyze';
import { EXIT_USAGE_OR_INPUT } from './exit-codes';
import { registerLiveCommands } from './live';
import { STDIN_TOKEN } from './options';
import { finishOutput, stdio } from './output';
import { unknownOptionMessage } from './unknown-option';
import { UsageError } from './usage-error';

function packageVersion(): string {
  // dist/src/cli/main.js and src/cli/main.ts both sit three levels below the package root.
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch { /* fall through */ }
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch { /* fall through */ }
  return 'unknown';
}

/** The options yargs holds for the command being parsed. */
interface YargsOptions { readonly key: Record<string, unknown>; readonly alias: Record<string, string[]> }

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((s) => s.trim()).filter((s) => s !== '').join(' ') || 'unknown error';
}

function fatal(e: unknown, argv: readonly string[]): void {
  const io = stdio();
  if (e instanceof UsageError) {
    const cmd = argv.find((a) => !a.startsWith('-'));
    const hint = cmd === 'analyze' || cmd === 'live' || cmd === 'interfaces' ? `keepalive ${cmd} --help` : 'keepalive --help';
    io.err(`keepalive: ${oneLine(e)}\nTry '${hint}' for more information.\n`);
  } else {
    io.err(`keepalive: internal error: ${oneLine(e)}\n`);
    if (process.env.KEEPALIVE_DEBUG && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  }
  process.exitCode = EXIT_USAGE_OR_INPUT;
}

export async function main(argv: string[]): Promise<void> {
  process.on('uncaughtException', (e) => { fatal(e, argv); process.exit(EXIT_USAGE_OR_INPUT); });
  process.on('unhandledRejection', (e) => { fatal(e, argv); process.exit(EXIT_USAGE_OR_INPUT); });
  const io = stdio();
  try {
    // yargs drops a lone `-` positional; carry it through under a name no real argument can have.
    let cli = yargs(argv.map((a) => (a === '-' ? STDIN_TOKEN : a)))
      .scriptName('keepalive')
      .usage('$0 <command> [options]\n\nAnalyze TCP keepalive traffic in packet captures and on live interfaces.')
      .strict()
      .exitProcess(false)
      .version(packageVersion())
      .help()
      .alias('help', 'h')
      .wrap(Math.min(100, process.stdout.columns ?? 100))
      .demandCommand(1, 'no command given')
      .recommendCommands()
      .fail((msg, err) => {
        if (err instanceof UsageError || (err && !msg)) throw err;
        // An unknown option explains most other complaints (its value was taken from a file name).
        // getOptions() is public in yargs 17 but missing from its types.
        const o = (cli as unknown as { getOptions(): YargsOptions }).getOptions();
        const known = new Set<string>([...Object.keys(o.key), ...Object.values(o.alias).flat(), 'help', 'h', 'version']);
        const unknownOption = unknownOptionMessage(argv, known);
        if (unknownOption !== null) throw new UsageError(unknownOption);
        // recommendCommands() replaces the whole message with its suggestion: say what was wrong too.
        const unknown = argv.find((a) => !a.startsWith('-'));
        if (msg?.startsWith('Did you mean') && unknown !== undefined) throw new UsageError(`unknown command '${unknown}'. ${msg}`);
        throw new UsageError(msg ?? oneLine(err));
      });
    cli = registerAnalyzeCommand(cli, async (a) => { process.exitCode = await runAnalyze(a, io, process.stderr); });
    cli = registerLiveCommands(cli);
    await cli.parseAsync();
  } catch (e) {
    fatal(e, argv);
  }
  finishOutput();
  // Done and written: leave now instead of waiting for node to free the heap and join the finished
  // decode worker, which takes milliseconds (bench/README.md). Only
  // when nothing waits in stdout's or stderr's queue, as after writes to a file: a pipe's stream
  // counts its writes as pending until its next tick (and on macOS they are), so there the process
  // ends the usual way, once they are out.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
}
