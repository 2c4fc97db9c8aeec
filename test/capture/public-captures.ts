// Where the public reference captures live: fixtures/public/ in the repository (tests read nothing outside it).
import * as fs from 'node:fs';
import * as path from 'node:path';

const CANDIDATES = [path.join(__dirname, '../../../fixtures/public')];

/** The directory and its capture files, or a reason why there are none. */
export function publicCaptures(): { dir: string; files: string[] } | { reason: string } {
  for (const dir of CANDIDATES) {
    let names: string[];
    try { names = fs.readdirSync(dir); } catch { continue; }
    const files = names.filter((n) => /\.(pcap|pcapng)(\.gz)?$/.test(n)).sort().map((n) => path.join(dir, n));
    if (files.length > 0) return { dir, files };
  }
  return { reason: `no public captures in ${CANDIDATES.join(' or ')}` };
}
