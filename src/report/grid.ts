// The flows table drawn row by row, in the layout the `table` package gives it (norc borders, one
// space of padding, lines only under the header and at the ends), so any number of flows streams
// out in constant memory.
//
// Why not `table` for this part: its cost per row makes large captures take minutes
// (bench/README.md), and it needs every row in memory at once. The
// small --events timelines still go through `table`, and test/report/grid.test.ts checks that
// this draws the same text as `table` does.
import { getBorderCharacters } from 'table';

const B = getBorderCharacters('norc');

export type Alignment = 'left' | 'right';

/** Display width of a cell line. Cells hold ASCII plus →, –, ×: one column per code point. */
export function textWidth(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // a low surrogate completes the code point before it
  }
  return n;
}

/** Widens `widths` to fit every line of every cell of `row`. */
export function fitWidths(widths: number[], row: readonly string[]): void {
  for (let c = 0; c < row.length; c++) {
    for (const line of row[c].split('\n')) {
      const w = textWidth(line);
      if (w > (widths[c] ?? 0)) widths[c] = w;
    }
  }
}

function rule(widths: readonly number[], left: string, body: string, join: string, right: string): string {
  return `${left}${widths.map((w) => body.repeat(w + 2)).join(join)}${right}\n`;
}

export const topRule = (widths: readonly number[]): string => rule(widths, B.topLeft, B.topBody, B.topJoin, B.topRight);
export const headerRule = (widths: readonly number[]): string => rule(widths, B.joinLeft, B.joinBody, B.joinJoin, B.joinRight);
export const bottomRule = (widths: readonly number[]): string => rule(widths, B.bottomLeft, B.bottomBody, B.bottomJoin, B.bottomRight);

/** One row (each cell possibly several lines), padded to `widths`. */
export function gridRow(widths: readonly number[], row: readonly string[], align: readonly Alignment[]): string {
  const cells = row.map((c) => c.split('\n'));
  let height = 1;
  for (const c of cells) if (c.length > height) height = c.length;
  let out = '';
  for (let line = 0; line < height; line++) {
    out += B.bodyLeft;
    for (let c = 0; c < widths.length; c++) {
      const text = cells[c]?.[line] ?? '';
      const pad = ' '.repeat(widths[c] - textWidth(text));
      out += align[c] === 'right' ? ` ${pad}${text} ` : ` ${text}${pad} `;
      out += c === widths.length - 1 ? B.bodyRight : B.bodyJoin;
    }
    out += '\n';
  }
  return out;
}
