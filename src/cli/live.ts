// `keepalive live` and `keepalive interfaces`, registered on the top-level yargs instance built in
// ./main.ts. The capture itself lives in src/live/; libpcap (our addon, else `cap`) is loaded only
// when one of these runs.
import type { Argv } from 'yargs';
import type { FlowReport } from '../keepalive/model';
import { LIVE_MISSING } from '../live/cap-module';
import { captureDevices, interfaceLines } from '../live/interfaces';
import { DEFAULT_BUFFER_BYTES, DEFAULT_SNAPLEN, type LiveFormat, type LiveOptions } from '../live/options';
import { EXIT_OK, EXIT_USAGE_OR_INPUT } from './exit-codes';
import { hasActivity } from '../report/flow-list';
import { DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_FLOWS, PATHS_BY } from './options';
import { TIME_MODES } from '../report/time-format';
import { tableWidth } from './terminal-width';
import { UsageError } from './usage-error';

const LIVE_FORMATS: readonly LiveFormat[] = ['table', 'ndjson', 'json'];

interface RawLiveArgs {
  readonly interface?: string;
  readonly filter?: string;
  readonly snaplen?: number;
  readonly duration?: number;
  readonly count?: number;
  readonly format?: string;
  readonly write?: string;
  readonly idleTimeout?: number;
  readonly maxFlows?: number;
  readonly allFlows?: boolean;
  readonly pathsBy?: string;
  readonly bufferSize?: number;
  readonly time?: string;
}

export function registerLiveCommands<T>(cli: Argv<T>): Argv<T> {
  return cli
    .command(
      'live [options]',
      'Capture on a network interface and report keepalive events as they happen',
      (y) => y
        .option('interface', { alias: 'i', describe: 'device to capture on (keepalive interfaces lists them; any = all)', type: 'string', demandOption: true, requiresArg: true })
        .option('filter', { alias: 'f', describe: 'BPF expression that narrows the default (TCP and ICMP errors)', type: 'string', requiresArg: true })
        .option('snaplen', { alias: 's', describe: 'bytes kept of each packet (headers need < 256)', type: 'number', default: DEFAULT_SNAPLEN, requiresArg: true })
        .option('duration', { describe: 'stop after this many seconds', type: 'number', requiresArg: true })
        .option('count', { alias: 'c', describe: 'stop after this many packets', type: 'number', requiresArg: true })
        .option('format', { describe: 'output format', choices: LIVE_FORMATS, default: 'table' as const })
        .option('time', { alias: 't', describe: 'event time format of table lines: absolute (ISO UTC, default), relative, epoch, or tshark -t\'s a|ad|adoy|d|dd|e|r|u|ud|udoy', type: 'string', requiresArg: true })
        .option('write', { alias: 'w', describe: 'also write the packets to this pcap file', type: 'string', requiresArg: true })
        .option('idle-timeout', { describe: 'forget flows silent this long (seconds)', type: 'number', default: DEFAULT_IDLE_TIMEOUT_S, requiresArg: true })
        .option('max-flows', { describe: 'track at most this many flows at once (least recently active evicted)', type: 'number', default: DEFAULT_MAX_FLOWS, requiresArg: true })
        .option('all-flows', { describe: 'final report lists TCP flows without keepalive activity too', type: 'boolean', default: false })
        .option('paths-by', { describe: 'final report: group flows into paths by the server\'s address or address:port', choices: PATHS_BY, default: 'address', requiresArg: true })
        .option('buffer-size', { alias: 'B', describe: 'kernel capture buffer, KiB', type: 'number', default: DEFAULT_BUFFER_BYTES / 1024, requiresArg: true })
        .example('$0 live -i eth0', 'probes, answers and timeouts as they happen; Ctrl-C for the flow table')
        .example('$0 live -i any -f "port 5432" --format ndjson', 'one JSON line per event, PostgreSQL flows only')
        .example('$0 live -i eth0 --duration 3600 -w ka.pcap --format json > ka.json', 'an hour, kept as pcap and JSON'),
      async (argv) => {
        // Loaded on use: live capture's modules (and the table package) are not needed by analyze.
        const { runLive } = await import('../live/run');
        const opts = validateLiveArgs(argv as RawLiveArgs);
        if ((argv as RawLiveArgs).time !== undefined && opts.format !== 'table') {
          process.stderr.write(`keepalive: -t/--time has no effect with --format ${opts.format} (its times are ISO 8601 UTC)\n`);
        }
        process.exitCode = await runLive({ ...opts, iface: interfaceByNumber(opts.iface) }, liveIo());
      },
    )
    .command(
      'interfaces',
      'List the devices live capture can open, with their addresses (like tcpdump -D)',
      (y) => y,
      () => { process.exitCode = listInterfaces(); },
    );
}

function liveIo(): LiveOptionsIo {
  return { out: process.stdout, err: process.stderr, handleSignals: true };
}
type LiveOptionsIo = Parameters<typeof import('../live/run').runLive>[1];

function listInterfaces(): number {
  const devices = captureDevices();
  if (devices === null) {
    process.stderr.write(`${LIVE_MISSING}\n`);
    return EXIT_USAGE_OR_INPUT;
  }
  process.stdout.write(interfaceLines(devices));
  return EXIT_OK;
}

/** `-i 3` is the third device `keepalive interfaces` lists, as with tcpdump -i after tcpdump -D. */
export function interfaceByNumber(iface: string, devices: () => readonly { readonly name: string }[] | null = captureDevices): string {
  if (!/^\d+$/.test(iface)) return iface;
  const list = devices();
  if (list === null) return iface; // no capture library: runLive says so
  const n = Number(iface);
  if (n < 1 || n > list.length) {
    throw new UsageError(`--interface ${iface}: no device number ${iface} (keepalive interfaces lists ${list.length}, numbered from 1)`);
  }
  return list[n - 1].name;
}

function wholeNumber(name: string, v: number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not ${v}`);
  return v;
}

function positiveSeconds(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--${name} must be a positive number of seconds, not ${v}`);
  return v;
}

export function validateLiveArgs(a: RawLiveArgs): LiveOptions {
  const iface = a.interface?.trim();
  if (!iface) throw new UsageError('--interface needs a device name (keepalive interfaces lists them)');
  const format = LIVE_FORMATS.find((f) => f === a.format) ?? 'table';
  const timeMode = TIME_MODES.find((t) => t === (a.time ?? 'absolute'));
  if (timeMode === undefined) throw new UsageError(`--time: unknown mode '${a.time}' (choose from ${TIME_MODES.join(', ')})`);
  const allFlows = a.allFlows === true;
  const pathsBy = PATHS_BY.find((p) => p === (a.pathsBy ?? 'address'));
  if (pathsBy === undefined) throw new UsageError(`--paths-by: unknown grouping '${a.pathsBy}' (choose from ${PATHS_BY.join(', ')})`);
  return {
    iface,
    filter: a.filter?.trim() || undefined,
    // 14 (Ethernet) + 60 (IPv4 max) + 60 (TCP max) = 134 holds every header of a plain frame.
    snaplen: wholeNumber('snaplen', a.snaplen, 64, 65535) ?? DEFAULT_SNAPLEN,
    durationSeconds: positiveSeconds('duration', a.duration),
    count: wholeNumber('count', a.count, 1, Number.MAX_SAFE_INTEGER),
    format,
    timeMode,
    width: tableWidth(),
    writeFile: a.write,
    idleTimeoutSeconds: positiveSeconds('idle-timeout', a.idleTimeout) ?? DEFAULT_IDLE_TIMEOUT_S,
    maxFlows: wholeNumber('max-flows', a.maxFlows, 1, Number.MAX_SAFE_INTEGER) ?? DEFAULT_MAX_FLOWS,
    allFlows,
    pathsBy,
    keepFlow: (f: FlowReport) => allFlows || hasActivity(f),
    bufferBytes: (wholeNumber('buffer-size', a.bufferSize, 64, 1024 * 1024) ?? DEFAULT_BUFFER_BYTES / 1024) * 1024,
  };
}
