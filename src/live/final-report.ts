// The report printed when a live run ends, in the shapes `keepalive analyze` uses for one input
// (captures[0].file = `live:IFACE`), so scripts read both alike.
import type { AnalysisResult } from '../analysis';
import type { CaptureInfo } from '../capture/types';
import { formatDuration, linkTypeName } from '../report/format';
import type { AnalyzedInput } from '../report/inputs';
import { renderJson } from '../report/json';
import { inputLines, summaryLine } from '../report/ndjson';
import { orderFlows } from '../report/flow-order';
import { fitLines } from '../report/fit';
import { pathsSection, summaryText, writeFlowsTable } from '../report/table';
import type { LiveOptions } from './options';

/** `stamps` says how packets were stamped ('kernel timestamps, ns; libpcap dropped 0'); the table shows it. */
export function finalReport(opts: LiveOptions, capture: CaptureInfo, result: AnalysisResult, elapsedSeconds: number,
  stamps: string): string {
  const input: AnalyzedInput = { index: 0, capture, result, flows: opts.keepFlow ? result.flows.filter(opts.keepFlow) : result.flows, events: [] };
  switch (opts.format) {
    case 'json': return renderJson([input], false);
    case 'ndjson': return inputLines(input) + summaryLine([input]);
    case 'table': return tableReport(input, elapsedSeconds, stamps, opts.width ?? null);
    default: return assertNever(opts.format);
  }
}

function tableReport(input: AnalyzedInput, elapsedSeconds: number, stamps: string, width: number | null): string {
  const { capture: c, result: r } = input;
  let out = `\n${c.file}: ${c.linkTypes.map(linkTypeName).join(', ')}, ${c.packets} packet${c.packets === 1 ? '' : 's'}` +
    ` in ${formatDuration(elapsedSeconds)} (${stamps})\n`;
  for (const w of [...c.warnings, ...r.warnings]) out += `  warning: ${w}\n`;
  if (input.flows.length === 0) {
    out += '  no keepalive activity to report (--all-flows lists every TCP flow)\n';
  } else {
    writeFlowsTable(orderFlows(input.flows, 'interest'), (s) => { out += s; }, width);
  }
  // Each flow's fate is in its notes; each path's line follows the flows, as analyze prints them.
  return fitLines(out, width) + fitLines(pathsSection(r.paths), width) + fitLines(summaryText(input), width);
}

function assertNever(x: never): never {
  throw new Error(`unknown format ${String(x)}`);
}
