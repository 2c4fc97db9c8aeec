// Parent side: runs a command in its own process and measures its wall time and peak RSS.
//
// Peak RSS of a child: when GNU time exists we run `/usr/bin/time -f '%e %M' -o FILE cmd…`. %M is
// ru_maxrss from wait4(), the kernel's own high-water mark over the child's whole life, so nothing
// is missed however short the peak. Without it we poll /proc/<pid>/status for VmHWM (also a kernel
// high-water mark, so polling only misses growth in the last interval before exit) every 20 ms.
// Node phase children additionally report process.resourceUsage().maxRSS themselves (same number).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const GNU_TIME = '/usr/bin/time';
const POLL_MS = 20;

export interface Measured {
  /** Wall time seen by the parent, spawn to exit. */
  readonly wallS: number;
  /** Peak RSS in KiB, or null when it could not be measured. */
  readonly maxRssKB: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  /** Newline count of stdout when `countLines` was asked instead of keeping it. */
  readonly stdoutLines: number;
  readonly stderr: string;
}

export interface MeasureOptions {
  /** Keep stdout text (for JSON lines from phase children); otherwise it goes to /dev/null. */
  readonly keepStdout?: boolean;
  /** Count stdout lines without keeping them (tshark's matches). */
  readonly countLines?: boolean;
  readonly timeoutS?: number;
}

const running = new Set<number>();

/** Ends the process groups of the commands still being measured (on Ctrl-C). */
export function killRunning(): void {
  for (const pid of running) try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

/** BENCH_NO_GNU_TIME=1 forces the /proc polling path (to test it). */
export const hasGnuTime = (): boolean => {
  if (process.env.BENCH_NO_GNU_TIME === '1') return false;
  try { fs.accessSync(GNU_TIME, fs.constants.X_OK); return true; } catch { return false; }
};

function vmHwmKB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch { return null; }
}

export function measure(cmd: string, args: readonly string[], opts: MeasureOptions = {}): Promise<Measured> {
  const useTime = hasGnuTime();
  const timeOut = path.join(os.tmpdir(), `keepalive-bench-time-${process.pid}-${Date.now()}.txt`);
  const argv = useTime ? ['-f', '%e %M', '-o', timeOut, cmd, ...args] : [...args];
  const wantStdout = opts.keepStdout === true || opts.countLines === true;
  const t0 = process.hrtime.bigint();
  // detached: the child leads its own process group, so a timeout can end it and its children only.
  const child = spawn(useTime ? GNU_TIME : cmd, argv, { stdio: ['ignore', wantStdout ? 'pipe' : 'ignore', 'pipe'], detached: true });
  if (child.pid !== undefined) running.add(child.pid);
  let stdout = '', stderr = '', lines = 0, hwm: number | null = null, timedOut = false;
  child.stdout?.on('data', (d: Buffer) => {
    if (opts.keepStdout === true) stdout += d.toString('utf8');
    else for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
  });
  child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 64 * 1024) stderr += d.toString('utf8'); });
  const poll = useTime ? null : setInterval(() => {
    const v = child.pid === undefined ? null : vmHwmKB(child.pid);
    if (v !== null) hwm = Math.max(hwm ?? 0, v);
  }, POLL_MS);
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }, (opts.timeoutS ?? 3600) * 1000);
  return new Promise((resolve) => {
    const done = (code: number | null, signal: string | null): void => {
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      if (poll !== null) clearInterval(poll);
      let maxRssKB = hwm;
      if (useTime) {
        try {
          const text = fs.readFileSync(timeOut, 'utf8');
          fs.unlinkSync(timeOut);
          // With a non-zero exit GNU time writes "Command exited with non-zero status N" first.
          const m = /^([\d.]+) (\d+)\s*$/m.exec(text.trim().split('\n').pop() ?? '');
          if (m !== null) maxRssKB = Number(m[2]);
        } catch { /* killed before time could write */ }
      }
      resolve({ wallS, maxRssKB, exitCode: code, signal, timedOut, stdout, stdoutLines: lines, stderr });
    };
    child.on('error', (e) => { stderr += e.message; done(null, null); });
    child.on('close', done);
  });
}

/** Whether `cmd` runs at all (`cmd --version` exits 0). */
export async function available(cmd: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = spawn(cmd, ['--version'], { stdio: 'ignore' });
    c.on('error', () => resolve(false));
    c.on('close', (code) => resolve(code === 0));
  });
}
