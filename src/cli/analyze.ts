// `keepalive analyze [options] <capture…>`: each input is read and analyzed in turn and reported
// in the chosen format; see README.md ("Command line") for the output contract.
import type { Argv } from 'yargs';
import { analyzeFile } from '../analysis';
import type { KeepaliveEvent } from '../keepalive/model';
import { csvHeader, flowRows as csvFlowRows } from '../report/csv';
import { reportedFlows } from '../report/flow-list';
import type { AnalyzedInput } from '../report/inputs';
import { HtmlEvents, writeHtml } from '../report/html';
import { SegmentSpill } from '../pipeline/segment-spill';
import { jsonEventSpool, writeJson } from '../report/json';
import { inputNotices } from '../report/notices';
import { eventLine, summaryLine, writeInputLines } from '../report/ndjson';
import { EXIT_INTERRUPTED, exitCode } from './exit-codes';
import { Interrupt } from '../capture/interrupt';
import { errorLine } from './error-line';
import { FailOnMatches, noEffectNotes } from './option-notes';
import { openFileOutput } from './file-output';
import { describeFilters, eventMatches, flowMatches, hasFlowFilter } from './filter';
import { tableWidth } from './terminal-width';
import {
  DEFAULT_DUP_WINDOW_MS, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_FLOWS, FORMATS, OUTCOMES, SORT_KEYS, validateAnalyzeArgs,
  type AnalyzeOptions, type RawAnalyzeArgs,
} from './options';
import { OutputBatch, type Output } from './output';
import { createProgress, type ProgressStream } from './progress';
import { rotatedSetHint } from './rotated-hint';


export function registerAnalyzeCommand<T>(cli: Argv<T>, run: (a: RawAnalyzeArgs) => Promise<void>): Argv<T> {
  return cli.command(
    'analyze [capture..]',
    'Analyze TCP keepalive traffic in pcap/pcapng captures (- reads standard input)',
    (y) => y
      .usage('$0 analyze [options] <capture…>\n\nAnalyze TCP keepalive traffic in pcap/pcapng captures (- reads standard input; -r FILE names one too).')
      .positional('capture', { describe: 'capture files (pcap, pcapng, optionally gzipped); - for stdin', type: 'string', array: true })
      .option('read', { alias: 'r', describe: 'capture to read, as with tcpdump -r (repeatable; read before the names that follow the options)', type: 'string', requiresArg: true })
      .option('format', { describe: 'output format', choices: FORMATS, default: 'table' as const })
      .option('events', { describe: 'also show each flow\'s probes and answers (table, json)', type: 'boolean', default: false })
      .option('time', { alias: 't', describe: 'event time format of table --events: absolute (ISO UTC, default), relative, epoch, or tshark -t\'s a|ad|adoy|d|dd|e|r|u|ud|udoy', type: 'string', requiresArg: true })
      .option('sort', { describe: 'order of the table\'s flows: interest (gave up, reset, icmp, unanswered, alive), id, silence, probes', choices: SORT_KEYS })
      .option('host', { describe: 'only flows with this address at either end (repeatable)', type: 'string', requiresArg: true })
      .option('port', { describe: 'only flows with this port at either end (repeatable)', type: 'string', requiresArg: true })
      .option('flow', { describe: 'only this flow: ID, or CAPTURE:ID with CAPTURE the 0-based input index (repeatable)', type: 'string', requiresArg: true })
      .option('all-flows', { describe: 'also report TCP flows without keepalive activity', type: 'boolean', default: false })
      .option('fail-on', { describe: `exit 1 if a reported keepalive outcome is one of these (comma-separated: ${OUTCOMES.join(', ')})`, type: 'string', requiresArg: true })
      .option('idle-timeout', { describe: 'forget flows silent this long in capture time (seconds)', type: 'number', default: DEFAULT_IDLE_TIMEOUT_S, requiresArg: true })
      .option('paths-by', { describe: 'group flows into paths by the server\'s address or address:port', choices: ['address', 'port'], default: 'address', requiresArg: true })
      .option('max-flows', { describe: 'track at most this many flows at once (least recently active evicted)', type: 'number', default: DEFAULT_MAX_FLOWS, requiresArg: true })
      .option('output', { alias: 'o', describe: 'write the report to this file instead of standard output', type: 'string', requiresArg: true })
      .option('merge', { describe: 'read all inputs (files, or every capture in a directory) as one trace, merged by timestamp', type: 'boolean', default: false })
      .option('dup-window', { describe: 'fold copies of a TCP segment seen again within this many ms (bridges, two-interface captures; 0: off)', type: 'number', default: DEFAULT_DUP_WINDOW_MS, requiresArg: true })
      .example('$0 analyze trace.pcap', 'table of every flow with keepalive probes')
      .example('$0 analyze -r a.pcap -r b.pcap', 'inputs named as with tcpdump -r')
      .example('$0 analyze --events --time relative --port 443 trace.pcapng', 'probe/answer timeline of port-443 flows')
      .example('$0 analyze --format json a.pcap b.pcap.gz > report.json', 'one JSON report for both inputs')
      .example('$0 analyze --format html -o report.html trace.pcap', 'one self-contained page: timelines, distributions, flows table')
      .example('tcpdump -w - -i eth0 tcp | $0 analyze --format ndjson -', 'stream events from standard input')
      .example('$0 analyze --fail-on timeout,reset trace.pcap', 'exit 1 when a keepalive timed out or was reset')
      .example('$0 analyze --merge /var/capture/ring/', 'a rotated capture set read as one trace'),
    // A repeated option arrives as an array, a single one as a value. (No `array: true`: that
    // would swallow the capture names that follow, as in `--port 80 trace.pcap`.)
    async (argv) => {
      const list = (v: unknown): string[] | undefined =>
        v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((x) => String(x));
      await run({
        capture: argv.capture, read: list(argv.read), sort: argv.sort, format: argv.format, events: argv.events, time: argv.time,
        host: list(argv.host), port: list(argv.port), flow: list(argv.flow), allFlows: argv.allFlows,
        failOn: list(argv.failOn), idleTimeout: argv.idleTimeout, maxFlows: argv.maxFlows, output: argv.output, merge: argv.merge, dupWindow: argv.dupWindow, pathsBy: argv.pathsBy,
      });
    },
  );
}

/** Runs the command; returns the exit code. Usage errors are thrown as UsageError. */
export async function runAnalyze(raw: RawAnalyzeArgs, io: Output, progressStream: ProgressStream): Promise<number> {
  const o = validateAnalyzeArgs(raw);
  for (const note of noEffectNotes(o)) io.err(`keepalive: ${note}\n`);
  if (o.output === null) return analyzeAll(o, io, progressStream);
  const file = openFileOutput(o.output, io, o.captures);
  try {
    return await analyzeAll(o, file, progressStream);
  } finally {
    file.close();
  }
}

export async function analyzeAll(o: AnalyzeOptions, io: Output, progressStream: ProgressStream): Promise<number> {
  if (o.merge) return (await import('./analyze-merged')).analyzeMergedInputs(o, io, progressStream);
  const interrupt = onInterrupt();
  interrupt.pause = () => io.room?.() ?? null;
  try {
    return await analyzeInputs(o, io, progressStream, interrupt);
  } finally {
    interrupt.dispose();
  }
}

/**
 * Ctrl-C (SIGINT) while analyzing: the first stops reading, and the flows read so far are finished
 * and reported; a second ends the process at once (130, the shell's code for SIGINT).
 */
function onInterrupt(): Interrupt & { dispose(): void } {
  const interrupt = new Interrupt();
  // After the first, SIGINT is left to its default action again: the second ends the process
  // there and then, even while it cannot run JavaScript (a write waiting for a full pipe).
  const handler = (): void => {
    process.off('SIGINT', handler);
    interrupt.request();
  };
  process.on('SIGINT', handler);
  return Object.assign(interrupt, { dispose: () => { process.off('SIGINT', handler); } });
}

async function analyzeInputs(o: AnalyzeOptions, io: Output, progressStream: ProgressStream, interrupt: Interrupt): Promise<number> {
  const inputs: AnalyzedInput[] = [];
  const bufferEvents = o.events && (o.format === 'table' || o.format === 'json');
  // The HTML page draws every flow's timeline from its events, with or without --events.
  const htmlEvents = o.format === 'html' ? new HtmlEvents() : null;
  // …and its data, ACKs and retransmissions from every segment, written aside (pipeline/segment-spill.ts).
  const spills: SegmentSpill[] = [];
  // JSON's events wait for the end of the report as text, most of it in a temporary file.
  const spool = o.events && o.format === 'json' ? jsonEventSpool() : null;
  let inputErrors = 0;
  const failOn = new FailOnMatches(o.failOn);
  if (o.format === 'csv') io.out(csvHeader());

  for (let index = 0; index < o.captures.length && !interrupt.requested; index++) {
    const file = o.captures[index];
    const events: KeepaliveEvent[] = [];
    // Without a reader for events the engine builds none (their text is most of its report cost).
    const onEvent = o.format !== 'ndjson' && !bufferEvents && htmlEvents === null ? null : (e: KeepaliveEvent): void => {
      if (!eventMatches(o.filter, index, e)) return;
      if (o.format === 'ndjson') io.out(eventLine(index, e));
      else if (htmlEvents !== null) htmlEvents.add(index, e);
      else if (spool !== null) spool.add(index, e);
      else events.push(e);
    };
    const progress = createProgress(progressStream, file);
    const segmentTap = htmlEvents === null ? undefined : new SegmentSpill();
    if (segmentTap !== undefined) spills.push(segmentTap);
    let analyzed;
    try {
      analyzed = await analyzeFile(file, { idleTimeoutSeconds: o.idleTimeoutSeconds, maxFlows: o.maxFlows, allFlows: o.allFlows, dupWindowMs: o.dupWindowMs, pathsBy: o.pathsBy, interrupt, segmentTap,
        onNotice: (line) => io.err(`keepalive: ${file}: ${line}\n`) },
        onEvent, progress.update);
    } finally {
      progress.end();
    }
    const { capture, result } = analyzed;
    const flows = reportedFlows(result, o.allFlows,
      hasFlowFilter(o.filter) ? (f) => flowMatches(o.filter, index, f) : null);
    const input: AnalyzedInput = { index, capture, result, flows, events };
    inputs.push(input);
    if (capture.error !== null) {
      inputErrors++;
      io.err(`keepalive: ${errorLine(file, capture.error)}\n`);
    }
    for (const line of inputNotices(input)) io.err(`keepalive: ${line}\n`);
    if (o.failOn.size > 0) for (const f of flows) failOn.add(index, f);

    switch (o.format) {
      case 'table': {
        // Loaded here, not at the top: the table package is slow to load, a cost the other formats need not pay (bench/README.md).
        const { writeInputTable } = await import('../report/table');
        const batch = new OutputBatch(io);
        if (index > 0) batch.add('\n');
        writeInputTable(input, { timeMode: o.timeMode, events: o.events, width: tableWidth(), sort: o.sort, filters: describeFilters(o.filter) },
          o.allFlows, (t) => batch.add(t));
        batch.flush();
        break;
      }
      case 'ndjson': {
        // Line by line: all flow lines of a big capture as one string were tens of megabytes.
        const batch = new OutputBatch(io);
        writeInputLines(input, (t) => batch.add(t));
        batch.flush();
        break;
      }
      case 'csv': {
        const batch = new OutputBatch(io);
        for (const f of flows) batch.add(csvFlowRows(index, capture.file, f));
        batch.flush();
        break;
      }
      case 'json': case 'html': break;
    }
  }
  if (o.format === 'json') {
    const batch = new OutputBatch(io);
    try {
      writeJson(inputs, o.events, batch, spool);
    } finally {
      spool?.close();
    }
    batch.flush();
  }
  if (htmlEvents !== null) {
    const batch = new OutputBatch(io);
    try {
      writeHtml(inputs, htmlEvents, batch, undefined, spills);
    } finally {
      for (const s of spills) s.dispose();
    }
    batch.flush();
  }
  if (o.format === 'ndjson') io.out(summaryLine(inputs));
  const hint = rotatedSetHint(inputs.map((i) => i.capture), inputs.map((i) => i.result));
  if (hint !== null) io.err(`keepalive: ${hint}\n`);
  if (failOn.count > 0) io.err(`keepalive: ${failOn.line(o.captures.length)}\n`);
  if (interrupt.requested) return EXIT_INTERRUPTED;
  return exitCode(inputErrors, failOn.count);
}
