// Text fitted to a terminal's width: words wrapped, words longer than the width cut, and column
// widths shrunk until a row fits. Widths count code points (grid.ts textWidth): cells hold ASCII
// plus → – × ≥ · and µ, one column each.
import { textWidth } from './grid';

/** `text` wrapped at spaces into lines of at most `width` columns, later lines after `indent`; a longer word is cut. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const w = Math.max(1, width);
  const ind = textWidth(indent) < w ? indent : '';
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    for (;;) {
      const prefix = lines.length === 0 ? '' : ind;
      const candidate = line === '' ? `${prefix}${rest}` : `${line} ${rest}`;
      if (textWidth(candidate) <= w) { line = candidate; break; }
      if (line !== '') { lines.push(line); line = ''; continue; }
      // A word wider than a line: cut it (an IPv6 endpoint in a narrow column).
      const cut = cutAt(rest, w - textWidth(prefix));
      lines.push(`${prefix}${rest.slice(0, cut)}`);
      rest = rest.slice(cut);
      if (rest === '') break;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** Index in `s` after `columns` code points. */
function cutAt(s: string, columns: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue;
    if (n === columns) return i;
    n++;
  }
  return s.length;
}

/** Every line of `text` wrapped to `width` (null: as it is); continuation lines start with `indent`. */
export function fitLines(text: string, width: number | null, indent = '   '): string {
  if (width === null) return text;
  return text.split('\n').map((l) => (textWidth(l) <= width ? l : wrapText(l, width, indent).join('\n'))).join('\n');
}

/**
 * Shrinks `natural` column widths until they sum to at most `budget`, never below `minimum` (each
 * no wider than its natural width): the widest shrinkable column gives a column at a time. When
 * even the minimums do not fit, every column shrinks toward one column evenly.
 */
export function shrinkWidths(natural: readonly number[], minimum: readonly number[], budget: number): number[] {
  const w = [...natural];
  const floor = natural.map((n, i) => Math.min(n, minimum[i] ?? n));
  let total = w.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let pick = -1;
    for (let i = 0; i < w.length; i++) if (w[i] > floor[i] && (pick < 0 || w[i] > w[pick])) pick = i;
    if (pick < 0) break;
    w[pick]--; total--;
  }
  while (total > budget) {
    let pick = -1;
    for (let i = 0; i < w.length; i++) if (w[i] > 1 && (pick < 0 || w[i] > w[pick])) pick = i;
    if (pick < 0) break;
    w[pick]--; total--;
  }
  return w;
}

/** Each cell of `row` wrapped to its column's width (cells keep their own line breaks). */
export function wrapRow(row: readonly string[], widths: readonly number[]): string[] {
  return row.map((cell, i) => cell.split('\n').flatMap((line) => (textWidth(line) <= widths[i] ? [line] : wrapText(line, widths[i]))).join('\n'));
}
