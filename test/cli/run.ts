// Runs the built command (`node bin/keepalive.js …`) as users do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'keepalive.js');

export interface RunResult { readonly code: number | null; readonly stdout: string; readonly stderr: string }

export function run(args: readonly string[], input?: Buffer): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A capture from the repository's fixtures/public; null when it is not there. */
export function fixture(name: string): string | null {
  const p = join(ROOT, 'fixtures', 'public', name);
  return existsSync(p) ? p : null;
}

/** stderr must be plain `keepalive: …` lines: no stack frames, no yargs help dump. */
export function assertCleanStderr(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => l !== '');
  for (const l of lines) {
    if (/^\s+at /.test(l) || /Error:/.test(l) && !l.startsWith('keepalive:')) throw new Error(`stack-like stderr line: ${l}`);
    if (!l.startsWith('keepalive: ') && !l.startsWith('Try ')) throw new Error(`unexpected stderr line: ${l}`);
  }
  return lines;
}
