// `-o FILE`: the report written to a file instead of standard output; errors still go to stderr.
import { closeSync, openSync, statSync, writeSync, type Stats } from 'node:fs';
import { EXIT_USAGE_OR_INPUT } from './exit-codes';
import type { Output } from './output';
import { UsageError } from './usage-error';

export interface FileOutput extends Output {
  close(): void;
}

/** Writes everything to `file`, created or truncated now (before any input is read). */
export function openFileOutput(file: string, stderr: Output, inputs: readonly string[]): FileOutput {
  // Truncating an input before reading it would destroy the capture.
  const out = statOrNull(file);
  if (out !== null && inputs.some((i) => { const s = i === '-' ? null : statOrNull(i); return s !== null && s.dev === out.dev && s.ino === out.ino; })) {
    throw new UsageError(`-o: ${file} is one of the captures to read`);
  }
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new UsageError(`-o: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const write = (b: Buffer): void => {
    try {
      // writeSync may write less than asked: go on until done or it throws (a full disk).
      for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      stderr.err(`keepalive: cannot write ${file}: ${(e as Error).message}\n`);
      process.exit(EXIT_USAGE_OR_INPUT);
    }
  };
  return {
    out: (s) => { if (s.length > 0) write(Buffer.from(s, 'utf8')); },
    // Synchronous: nothing is left queued, so the caller may reuse the buffer at once.
    outBytes: (b) => { if (b.length > 0) write(b); return true; },
    err: (s) => stderr.err(s),
    close: () => closeSync(fd),
  };
}

function statOrNull(file: string): Stats | null {
  try { return statSync(file); } catch { return null; }
}
