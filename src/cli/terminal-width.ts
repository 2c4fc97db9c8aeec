// How wide the table may be: COLUMNS when set (as GNU ls and most tools honour it), else the
// terminal's width, else no limit (piped to a file or another program).

export function tableWidth(env: NodeJS.ProcessEnv = process.env, out: { readonly isTTY?: boolean; readonly columns?: number } = process.stdout): number | null {
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS !== undefined && env.COLUMNS.trim() !== '' && Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  if (out.isTTY === true && typeof out.columns === 'number' && out.columns > 0) return out.columns;
  return null;
}
