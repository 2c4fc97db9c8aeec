// Soak run for `keepalive live` (bench-like, not part of npm test; under `node --test` it only
// prints how to run it). In a namespace of its own, loopback carries many short connections plus
// a set of long-lived keepalive connections (probe and ACK every second); the live capture runs
// with a short --idle-timeout so flows are evicted, and its RSS is sampled every 10 s.
//
//   node dist/test/live/soak.js run [minutes=10] [connsPerSecond=100] [keepaliveConns=200]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLoopbackNs, liveTestBlocker } from './loopback-ns';

const GENERATOR = String.raw`
import selectors, socket, sys, time
port, duration, rate, nka = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', port)); srv.listen(4096); srv.setblocking(False)
sel = selectors.DefaultSelector(); sel.register(srv, selectors.EVENT_READ)
def pump(timeout):
    for key, _ in sel.select(timeout):
        s = key.fileobj
        if s is srv:
            try:
                c, _ = srv.accept(); c.setblocking(False); sel.register(c, selectors.EVENT_READ)
            except BlockingIOError:
                pass
        else:
            try:
                d = s.recv(4096)
            except OSError:
                d = b''
            if not d:
                sel.unregister(s); s.close()
keep = []
for i in range(nka):
    c = socket.socket()
    # Idle, interval and count before SO_KEEPALIVE so the timer starts with our idle.
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.connect(('127.0.0.1', port)); keep.append(c); pump(0)
end = time.time() + duration; nxt = time.time(); made = 0
while time.time() < end:
    now = time.time()
    while nxt <= now:
        c = socket.socket(); c.connect(('127.0.0.1', port)); c.sendall(b'x' * 100); c.close(); made += 1
        nxt += 1.0 / rate
    pump(max(0.0, min(nxt - time.time(), 0.05)))
print(made, flush=True)
`;

function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

async function soak(minutes: number, rate: number, keepaliveConns: number): Promise<void> {
  const blocker = liveTestBlocker(['ip', 'python3']);
  if (blocker !== null) { console.log(`soak skipped: ${blocker}`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'kalive-soak-'));
  const gen = join(dir, 'gen.py');
  writeFileSync(gen, GENERATOR);
  const { ns, destroy } = createLoopbackNs('soak');
  const bin = resolve(__dirname, '..', '..', '..', 'bin', 'keepalive.js');
  try {
    const live = spawn('ip', ['netns', 'exec', ns, process.execPath, bin, 'live', '-i', 'lo', '--format', 'ndjson',
      '--idle-timeout', '30', '--max-flows', '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0, lastLine = '', partial = '';
    const byType = new Map<string, number>();
    live.stdout.setEncoding('utf8');
    live.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) {
        lines++;
        lastLine = l;
        const m = /^\{"type":"([a-z-]+)"/.exec(l);
        if (m) byType.set(m[1], (byType.get(m[1]) ?? 0) + 1);
      }
    });
    let stderr = '';
    live.stderr.setEncoding('utf8');
    live.stderr.on('data', (s: string) => { stderr += s; });
    while (!stderr.includes('listening')) {
      if (live.exitCode !== null) throw new Error(`live exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = minutes * 60;
    const g = spawn('ip', ['netns', 'exec', ns, 'python3', gen, '7000', String(seconds), String(rate), String(keepaliveConns)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let made = '';
    g.stdout.setEncoding('utf8');
    g.stdout.on('data', (s: string) => { made += s; });
    console.log(`soak: ${minutes} min, ${rate} short connections/s, ${keepaliveConns} keepalive connections (idle 1 s, intvl 1 s), --idle-timeout 30 --max-flows 20000`);
    console.log('t (s)   RSS (MB)   output lines');
    const t0 = Date.now();
    const samples: number[] = [];
    for (let t = 10; t <= seconds; t += 10) {
      await new Promise((r) => setTimeout(r, t0 + t * 1000 - Date.now()));
      const rss = rssMb(live.pid ?? 0);
      if (rss !== null) samples.push(rss);
      console.log(`${String(t).padStart(5)}   ${rss === null ? '-' : rss.toFixed(1).padStart(8)}   ${lines}`);
    }
    await new Promise((r) => g.once('exit', r));
    live.kill('SIGINT');
    const code = await new Promise<number | null>((r) => live.once('exit', (c) => r(c)));
    console.log(`generator made ${made.trim()} short connections; live exit ${code}; events by type ${JSON.stringify(Object.fromEntries(byType))}`);
    console.log(`final line: ${lastLine.slice(0, 400)}`);
    if (samples.length > 0) {
      const firstMin = samples.slice(0, 6), lastMin = samples.slice(-6);
      const avg = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
      console.log(`RSS: min ${Math.min(...samples).toFixed(1)} MB, max ${Math.max(...samples).toFixed(1)} MB, ` +
        `first-minute mean ${avg(firstMin).toFixed(1)} MB, last-minute mean ${avg(lastMin).toFixed(1)} MB`);
    }
    if (stderr.trim() !== '') console.log(`live stderr: ${stderr.trim()}`);
  } finally {
    destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'run') {
  const [minutes = 10, rate = 100, ka = 200] = process.argv.slice(3).map(Number);
  soak(minutes, rate, ka).catch((e: unknown) => { console.error(e); process.exitCode = 1; });
} else {
  console.log('soak: not a test; run with `node dist/test/live/soak.js run [minutes] [connsPerSecond] [keepaliveConns]`');
}
