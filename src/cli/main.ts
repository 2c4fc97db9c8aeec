// STUB (CLI helper replaces this file).
export function main(argv: string[]): void {
  process.stderr.write(`keepalive: not implemented yet (${argv.join(' ')})\n`);
  process.exitCode = 2;
}
