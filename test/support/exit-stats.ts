// Preloaded with `node -r` into a command under test: at exit it writes the process's peak RSS and
// the bytes it read (Linux /proc/self/io rchar) as JSON to the file named by KEEPALIVE_EXIT_STATS.
import * as fs from 'node:fs';

const out = process.env.KEEPALIVE_EXIT_STATS;
if (out !== undefined) {
  process.on('exit', () => {
    let rchar = -1;
    try { rchar = Number(/rchar:\s*(\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))?.[1] ?? -1); } catch { /* not Linux */ }
    fs.writeFileSync(out, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, rchar }));
  });
}
