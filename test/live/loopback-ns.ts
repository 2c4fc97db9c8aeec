// A namespace with only loopback, for the soak run (test/support/netns.ts has the veth pairs).
// Names are `kalive-TAG-PID-SERIAL`: parallel runs never collide, and a killed run's leftovers are
// recognised by their pid (removeStaleNamespaces).
import { execFileSync, spawnSync } from 'node:child_process';
import { removeStaleNamespaces } from '../support/netns';

export function sh(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why the live tests cannot run here, or null when they can. */
export function liveTestBlocker(tools: readonly string[] = ['ip', 'tcpdump', 'iptables', 'python3']): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'needs root (network namespaces, capture)';
  for (const t of tools) {
    if (spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0) return `needs ${t}`;
  }
  return null;
}

let serial = 0;

export interface LoopbackNs {
  readonly ns: string;
  destroy(): void;
}

export function createLoopbackNs(tag: string): LoopbackNs {
  removeStaleNamespaces();
  const ns = `kalive-${tag}-${process.pid}-${serial++}`;
  sh('ip', ['netns', 'add', ns]);
  try {
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (e) {
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    throw e;
  }
  return { ns, destroy: () => { spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } };
}
