// What every capture source (file reader, live capture) hands to the analysis.

/**
 * Receives one record at a time. `buf[off, off + caplen)` holds the captured bytes and stays valid
 * until the reader calls flush(), which it does before it reuses the buffer: a sink may keep the
 * records since the last flush and process them together, and must copy anything it keeps longer.
 * `frame` is 1-based and counts every record of the file (Wireshark's numbering).
 * `sec`/`nsec` are the record's time as whole seconds since 1970 and nanoseconds within that
 * second, already converted from the interface's resolution and offset.
 * `tsDigits` is the number of fractional-second digits the capture resolves (6 for µs, 9 for ns).
 */
export interface PacketSink {
  packet(frame: number, linkType: number, sec: number, nsec: number, tsDigits: number,
    buf: Buffer, off: number, caplen: number, origLen: number): void;
  /** The buffers of the records delivered so far are about to be reused (only sinks that keep records need it). */
  flush?(): void;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** What one input was, and what went wrong with it. */
export interface CaptureInfo {
  /** As the user named it; `-` for standard input. */
  readonly file: string;
  /** null when the input could not be recognised at all. */
  format: CaptureFormat | null;
  gzip: boolean;
  /** Records read, whatever their content (Wireshark's frame count). */
  packets: number;
  /** Link types (LINKTYPE_* numbers) of the interfaces that appeared, in order of first appearance. */
  linkTypes: number[];
  /** Snap length of the file header (pcap) or first interface (pcapng), once known. */
  snapLen?: number;
  /** Fractional-second digits of the finest interface (6 for µs, 9 for ns). */
  tsDigits: number;
  /** Non-fatal oddities, one line each, e.g. a record clamped to the snap length. */
  warnings: string[];
  /** Set when reading stopped early (damage, unreadable); everything before it was delivered. */
  error: string | null;
  /** Bytes consumed from the (decompressed) input. */
  bytesRead: number;
}

/** Reports reading progress; called at most a few times per second by the reader. */
export type ProgressFn = (bytesRead: number, totalBytes: number | null, packets: number) => void;
