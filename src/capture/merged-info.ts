// The inputs of a merge described as one capture: what the table header and the decode worker's
// result show for the merged trace.
import type { MergedCaptures } from './merge';
import type { CaptureInfo } from './types';

export function mergedCaptureInfo(label: string, m: MergedCaptures): CaptureInfo {
  const formats = new Set(m.infos.map((i) => i.format).filter((f) => f !== null));
  const linkTypes: number[] = [];
  for (const i of m.infos) for (const l of i.linkTypes) if (!linkTypes.includes(l)) linkTypes.push(l);
  const errors = m.infos.map((i) => i.error).filter((e): e is string => e !== null);
  return {
    file: label,
    format: formats.size === 1 ? [...formats][0] : m.infos.find((i) => i.format !== null)?.format ?? null,
    gzip: m.infos.some((i) => i.gzip),
    packets: m.infos.reduce((n, i) => n + i.packets, 0),
    linkTypes,
    tsDigits: Math.max(0, ...m.infos.map((i) => i.tsDigits)),
    warnings: [...m.infos.flatMap((i) => i.warnings), ...m.warnings],
    error: errors.length === 0 ? null : errors.join('; '),
    bytesRead: m.infos.reduce((n, i) => n + i.bytesRead, 0),
  };
}

/** `N files merged`, the label of a merge's combined capture. */
export const mergeLabel = (files: number): string => `${files} file${files === 1 ? '' : 's'} merged`;
