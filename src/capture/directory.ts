// The inputs of a merge: files as named, and every capture file in a named directory. A file in a
// directory counts as a capture when its first bytes are a pcap or pcapng magic, or gzip; the
// merge orders them by their first record's time, never by name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pcapMagic } from './pcap';
import { SHB_TYPE } from './pcapng';
import { isGzip } from './sniff';

export interface MergeInputs {
  readonly files: string[];
  /** One line per directory with files that were left out, or that could not be listed. */
  readonly notes: string[];
}

function looksLikeCapture(file: string): boolean {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch { return true; } // the merge names the error
  try {
    const head = Buffer.alloc(4);
    const n = fs.readSync(fd, head, 0, 4, 0);
    return n === 4 && (pcapMagic(head, 0) !== null || head.readUInt32BE(0) === SHB_TYPE || isGzip(head, n));
  } catch { return true; } finally { fs.closeSync(fd); }
}

export function expandMergeInputs(args: readonly string[]): MergeInputs {
  const files: string[] = [];
  const notes: string[] = [];
  for (const arg of args) {
    let st: fs.Stats | null = null;
    try { st = fs.statSync(arg); } catch { /* the merge reports it as it reports any missing file */ }
    if (st === null || !st.isDirectory()) { files.push(arg); continue; }
    let names: string[];
    try { names = fs.readdirSync(arg).sort(); } catch (e) {
      notes.push(`${arg}: cannot list the directory (${(e as Error).message})`);
      continue;
    }
    const skipped: string[] = [];
    for (const name of names) {
      const file = path.join(arg, name);
      let fst: fs.Stats;
      try { fst = fs.statSync(file); } catch { continue; }
      if (!fst.isFile()) continue;
      if (looksLikeCapture(file)) files.push(file); else skipped.push(name);
    }
    if (skipped.length > 0) notes.push(`${arg}: ${skipped.length} file(s) that are not captures left out (first: ${skipped[0]})`);
  }
  return { files, notes };
}
