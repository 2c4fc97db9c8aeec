// Reading progress on stderr: only on a terminal, only once a capture has taken more than a
// second, one line rewritten in place and erased when the capture is done.
import { formatBytes, formatCount } from '../report/format';

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(s: string): unknown;
}

const SHOW_AFTER_MS = 1000;
const CLEAR_LINE = '\r\x1b[2K';

export interface Progress {
  readonly update: (bytesRead: number, totalBytes: number | null, packets: number) => void;
  /** Erases the line if one was drawn. */
  end(): void;
}

export function createProgress(stream: ProgressStream, file: string, now: () => number = Date.now): Progress {
  const start = now();
  let drawn = false;
  const tty = stream.isTTY === true;
  return {
    update(bytesRead, totalBytes, packets) {
      if (!tty) return;
      const elapsed = now() - start;
      if (elapsed <= SHOW_AFTER_MS) return;
      let text = `keepalive: ${file}: ${formatBytes(bytesRead)}`;
      if (totalBytes !== null && totalBytes > 0) {
        text += ` of ${formatBytes(totalBytes)} (${Math.floor((bytesRead / totalBytes) * 100)}%)`;
      }
      text += `, ${packets} packets, ${formatCount(packets / (elapsed / 1000))} packets/s`;
      const width = stream.columns ?? 0;
      if (width > 1 && text.length > width - 1) text = text.slice(0, width - 1);
      stream.write(CLEAR_LINE + text);
      drawn = true;
    },
    end() {
      if (drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
  };
}
