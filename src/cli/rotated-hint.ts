// Inputs that look like one capture cut into files (tcpdump -C/-G/-W, dumpcap's ring buffer)
// are analyzed separately unless --merge is given: flows crossing a boundary are split. One line
// suggests --merge when every input has the same link type and snap length and their time ranges
// follow each other without overlapping.
import type { AnalysisResult } from '../analysis';
import type { CaptureInfo } from '../capture/types';

/** An ISO 8601 UTC time with its fraction padded to 9 digits, so that times compare as text. */
function sortable(iso: string): string {
  const [whole, frac = ''] = iso.replace(/Z$/, '').split('.');
  return `${whole}.${frac.padEnd(9, '0')}`;
}

/** The hint line, or null when the inputs do not look like one rotated set. */
export function rotatedSetHint(captures: readonly CaptureInfo[], results: readonly AnalysisResult[]): string | null {
  if (captures.length < 2) return null;
  const spans: { first: string; last: string }[] = [];
  for (let k = 0; k < captures.length; k++) {
    const c = captures[k], r = results[k];
    if (c.format === null || c.linkTypes.length !== 1 || r.firstTime === null || r.lastTime === null) return null;
    const c0 = captures[0];
    if (c.linkTypes[0] !== c0.linkTypes[0] || c.snapLen !== c0.snapLen) return null;
    spans.push({ first: sortable(r.firstTime), last: sortable(r.lastTime) });
  }
  spans.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (let k = 1; k < spans.length; k++) if (spans[k].first < spans[k - 1].last) return null;
  return `these ${captures.length} captures look like one capture cut into files (same link type and snap length, ` +
    'one after another in time); each was analyzed on its own: add --merge to read them as one trace';
}
