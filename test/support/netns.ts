// Two network namespaces joined by a veth pair, for tests that need a real kernel on both ends
// of a TCP connection. Traffic stays inside the namespaces. Everything started here is undone by
// cleanup(), which also runs on process exit, so a failing test leaves no namespace behind.
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';

export type Side = 'a' | 'b';

export interface NetnsPairOptions {
  /** Namespace name prefix; `-a-`/`-b-`, the pid, `-` and a counter are appended (names must be unique per host). */
  readonly prefix?: string;
  /** IPv4 addresses of a and b, with prefix length implied /24. */
  readonly ipv4?: readonly [string, string];
  /** IPv6 addresses of a and b, /64, added with nodad so they are usable at once. */
  readonly ipv6?: readonly [string, string];
}

/** Is `name` on PATH? */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1`, 'sh', name]).status === 0;
}

/** null when the netns helpers can run here, else the reason to print with t.skip(). */
export function canUseNetns(tools: readonly string[] = ['ip', 'tcpdump']): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'network namespaces need root';
  for (const tool of tools) if (!hasTool(tool)) return `${tool} not found on PATH`;
  return null;
}

/** null when every tool is on PATH, else the reason to print with t.skip(). */
export function canUseTools(tools: readonly string[]): string | null {
  for (const tool of tools) if (!hasTool(tool)) return `${tool} not found on PATH`;
  return null;
}

/** The namespace names `ip netns list` shows (a line may end in ` (id: N)`). */
export function namespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((l) => l.split(' ')[0]).filter((n) => n !== '');
}

/** The pid in a namespace name made by these tests (NetnsPair, loopback-ns.ts, record.sh), or null. */
export function creatorPid(name: string): number | null {
  const m = /^(?:ka|kalive)-.+-(\d+)-\d+$/.exec(name) ?? /^ka-[ab]\d*-(\d+)$/.exec(name);
  return m === null ? null : Number(m[1]);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

let staleRemoved = false;

/**
 * Deletes the namespaces an earlier run left behind when it was killed (SIGKILL runs no cleanup):
 * names made here carry their creator's pid, and a name whose process is gone is stale. Runs once
 * per process, before its first namespace.
 */
export function removeStaleNamespaces(again = false): void {
  if (staleRemoved && !again) return;
  staleRemoved = true;
  for (const name of namespaces()) {
    const pid = creatorPid(name);
    if (pid !== null && pid !== process.pid && !alive(pid)) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
}

let counter = 0;
const live = new Set<NetnsPair>();
process.on('exit', () => {
  for (const pair of live) pair.cleanup();
});

export interface Tcpdump {
  readonly file: string;
  /** Stops tcpdump (SIGINT, so the file is complete) and resolves when it has exited. */
  stop(): Promise<void>;
}

export class NetnsPair {
  readonly a: string;
  readonly b: string;
  /** veth end inside a and inside b. */
  readonly ifA: string;
  readonly ifB: string;
  readonly ipv4: readonly [string, string];
  readonly ipv6: readonly [string, string];
  private readonly children = new Set<ChildProcess>();
  private done = false;

  private constructor(o: NetnsPairOptions) {
    const n = counter++;
    const prefix = o.prefix ?? 'ka-t';
    this.a = `${prefix}-a-${process.pid}-${n}`;
    this.b = `${prefix}-b-${process.pid}-${n}`;
    // Interface names are limited to 15 characters; they only need to be unique inside each namespace.
    this.ifA = 'veth-a';
    this.ifB = 'veth-b';
    this.ipv4 = o.ipv4 ?? ['10.78.0.1', '10.78.0.2'];
    this.ipv6 = o.ipv6 ?? ['fd78::1', 'fd78::2'];
  }

  /** Creates both namespaces and the veth pair; on any failure undoes what was done and throws. */
  static create(o: NetnsPairOptions = {}): NetnsPair {
    removeStaleNamespaces();
    const pair = new NetnsPair(o);
    live.add(pair);
    try {
      ip('netns', 'add', pair.a);
      ip('netns', 'add', pair.b);
      ip('link', 'add', pair.ifA, 'netns', pair.a, 'type', 'veth', 'peer', 'name', pair.ifB, 'netns', pair.b);
      pair.up(pair.a, pair.ifA, pair.ipv4[0], pair.ipv6[0]);
      pair.up(pair.b, pair.ifB, pair.ipv4[1], pair.ipv6[1]);
    } catch (e) {
      pair.cleanup();
      throw e;
    }
    return pair;
  }

  private up(ns: string, ifname: string, v4: string, v6: string): void {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${v4}/24`, 'dev', ifname);
    ip('-n', ns, 'addr', 'add', `${v6}/64`, 'dev', ifname, 'nodad');
    ip('-n', ns, 'link', 'set', ifname, 'up');
  }

  ns(side: Side): string {
    return side === 'a' ? this.a : this.b;
  }

  /** Runs a command to completion inside a namespace. */
  exec(side: Side, cmd: string, args: readonly string[], timeoutMs = 30_000): SpawnSyncReturns<string> {
    return spawnSync('ip', ['netns', 'exec', this.ns(side), cmd, ...args], { encoding: 'utf8', timeout: timeoutMs });
  }

  /** Starts a command inside a namespace; it is killed by cleanup() if still running. */
  spawn(side: Side, cmd: string, args: readonly string[]): ChildProcess {
    // `ip netns exec` execs the command, so the child's pid is the command's pid.
    const child = spawn('ip', ['netns', 'exec', this.ns(side), cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** tcpdump -w `file` on this side's veth end; resolves once tcpdump is listening. */
  startTcpdump(side: Side, file: string, filter: readonly string[] = ['tcp'], snaplen = 128): Promise<Tcpdump> {
    const ifname = side === 'a' ? this.ifA : this.ifB;
    // --immediate-mode: otherwise frames still in libpcap's current TPACKET_V3 block are lost at stop().
    const child = this.spawn(side, 'tcpdump', ['-n', '-U', '--immediate-mode', '-Z', 'root', '-s', String(snaplen), '-i', ifname, '-w', file, ...filter]);
    return new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err.trim()}`)), 10_000);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        err += chunk;
        if (err.includes('listening on')) {
          clearTimeout(timer);
          resolve({ file, stop: () => stopChild(child) });
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tcpdump exited with ${String(code)}: ${err.trim()}`));
      });
    });
  }

  /** Kills what was spawned here and deletes both namespaces (which removes the veth pair). Idempotent. */
  cleanup(): void {
    if (this.done) return;
    this.done = true;
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    for (const ns of [this.a, this.b]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    live.delete(this);
  }
}

/** Runs `fn` with a fresh pair and always cleans up, whether `fn` resolves or throws. */
export async function withNetnsPair<T>(o: NetnsPairOptions, fn: (pair: NetnsPair) => Promise<T>): Promise<T> {
  const pair = NetnsPair.create(o);
  try {
    return await fn(pair);
  } finally {
    pair.cleanup();
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT');
  });
}
