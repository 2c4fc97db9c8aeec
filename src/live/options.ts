// What `keepalive live` is asked to do, and where it writes.
import type { FlowReport } from '../keepalive/model';
import type { PathsBy } from '../path/paths';
import type { TimeMode } from '../report/time-format';

export type LiveFormat = 'table' | 'ndjson' | 'json';

export interface LiveOptions {
  readonly iface: string;
  /** The user's BPF expression; it narrows the default filter. */
  readonly filter?: string;
  /** Bytes of each frame kept for analysis and -w; headers fit in the default 256. */
  readonly snaplen: number;
  readonly durationSeconds?: number;
  /** Stop after this many packets (tcpdump -c). */
  readonly count?: number;
  readonly format: LiveFormat;
  readonly writeFile?: string;
  readonly idleTimeoutSeconds?: number;
  readonly maxFlows?: number;
  readonly allFlows?: boolean;
  /** Group flows into paths by the server's address (default) or address and port. */
  readonly pathsBy?: PathsBy;
  /** Which flows the final report lists (the CLI applies analyze's rule); all when absent. */
  readonly keepFlow?: (f: FlowReport) => boolean;
  /** Columns the final table fits in (COLUMNS or the terminal); no limit when absent or null. */
  readonly width?: number | null;
  /** How table lines print event times (-t); absolute (ISO 8601 UTC) when absent. */
  readonly timeMode?: TimeMode;
  /** libpcap's kernel buffer, bytes. */
  readonly bufferBytes: number;
}

export const DEFAULT_SNAPLEN = 256;
// libpcap sizes ring slots for whole frames (64 KiB when the device offloads segmentation, as lo and
// veth do): 32 MiB holds about 500 of them, enough for a burst of probes from many sockets at once.
export const DEFAULT_BUFFER_BYTES = 32 * 1024 * 1024;

export interface LiveOut {
  write(s: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
  on?(event: 'error', listener: (e: Error) => void): unknown;
  off?(event: 'error', listener: (e: Error) => void): unknown;
}

export interface LiveIo {
  readonly out: LiveOut;
  readonly err: { write(s: string): boolean };
  /** End the run on SIGINT/SIGTERM (the CLI); tests stop it with `abort` instead. */
  readonly handleSignals: boolean;
  readonly abort?: AbortSignal;
}
