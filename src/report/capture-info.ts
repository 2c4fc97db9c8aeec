// The per-input header object shared by the JSON and NDJSON reports.
import type { AnalyzedInput } from './inputs';
import { linkTypeName } from './format';

export interface CaptureJson {
  readonly file: string;
  readonly format: string | null;
  readonly gzip: boolean;
  readonly packets: number;
  readonly linkTypes: string[];
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  /** Reader warnings, then engine warnings. */
  readonly warnings: string[];
  /** Why reading stopped early, null when the whole input was read. */
  readonly error: string | null;
}

export function captureJson(input: AnalyzedInput): CaptureJson {
  const { capture: c, result: r } = input;
  return {
    file: c.file, format: c.format, gzip: c.gzip, packets: c.packets,
    linkTypes: c.linkTypes.map(linkTypeName),
    firstTime: r.firstTime, lastTime: r.lastTime,
    warnings: [...c.warnings, ...r.warnings],
    error: c.error,
  };
}
