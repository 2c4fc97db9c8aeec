// `node dist/bench/generate.js SIZE_GIB…`: builds the cached captures without measuring anything.
import * as path from 'node:path';
import { ensureCapture } from './synth/generate';

const cache = path.resolve(__dirname, '..', '..', '.bench-cache');
for (const a of process.argv.slice(2)) {
  const m = ensureCapture(cache, Number(a), (l) => process.stderr.write(`${l}\n`));
  process.stdout.write(`${JSON.stringify({ file: m.file, packets: m.packets, bytes: m.bytes, spanHours: m.spanSeconds / 3600, traffic: m.traffic })}\n`);
}
