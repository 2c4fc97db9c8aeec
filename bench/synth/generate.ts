// Builds (once) and caches the synthetic benchmark captures. A capture is reused while its sidecar
// JSON names the current GENERATOR_VERSION and the file still has the recorded size.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FrameWriter } from './frames';
import { FlowSlots } from './slots';
import { Traffic, type TrafficStats } from './traffic';

/** Bump whenever a change in bench/synth/ changes the bytes written: stale caches are then rebuilt. */
export const GENERATOR_VERSION = 2; // 2: IPv6 server→client frames carry the right prefixes
export const GIB = 1 << 30;
const CONCURRENT_FLOWS = 50_000;
const SEED = 0x6b656570;
const START_US = 1_700_000_000 * 1_000_000; // 2023-11-14T22:13:20Z

export interface CaptureMeta {
  readonly version: number;
  readonly file: string;
  readonly sizeGiB: number;
  readonly bytes: number;
  readonly packets: number;
  readonly firstUs: number;
  readonly lastUs: number;
  readonly spanSeconds: number;
  readonly concurrentFlows: number;
  readonly generateSeconds: number;
  readonly traffic: TrafficStats;
}

export const captureName = (sizeGiB: number): string => `synth-${sizeGiB}g.pcap`;

function readMeta(sidecar: string): CaptureMeta | null {
  try { return JSON.parse(fs.readFileSync(sidecar, 'utf8')) as CaptureMeta; } catch { return null; }
}

/** Returns the cached capture of about `sizeGiB` GiB, generating it first when needed. */
export function ensureCapture(cacheDir: string, sizeGiB: number, log: (line: string) => void): CaptureMeta {
  const file = path.join(cacheDir, captureName(sizeGiB));
  const sidecar = file.replace(/\.pcap$/, '.json');
  const old = readMeta(sidecar);
  if (old !== null && old.version === GENERATOR_VERSION && fs.existsSync(file) && fs.statSync(file).size === old.bytes) {
    return { ...old, file };
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  log(`generating ${file} (${sizeGiB} GiB, generator v${GENERATOR_VERSION}) …`);
  const started = process.hrtime.bigint();
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let meta: CaptureMeta;
  try {
    const slots = new FlowSlots(CONCURRENT_FLOWS);
    const writer = new FrameWriter(fd, slots);
    const traffic = new Traffic(writer, slots, SEED, START_US);
    const lastUs = traffic.run(Math.round(sizeGiB * GIB));
    writer.flush();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    meta = {
      version: GENERATOR_VERSION, file, sizeGiB, bytes: writer.bytes, packets: writer.packets,
      firstUs: START_US, lastUs, spanSeconds: (lastUs - START_US) / 1e6,
      concurrentFlows: CONCURRENT_FLOWS, generateSeconds: seconds, traffic: traffic.stats,
    };
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fs.writeFileSync(sidecar, `${JSON.stringify(meta, null, 2)}\n`);
  log(`  ${meta.packets} packets, ${(meta.bytes / 1e6).toFixed(0)} MB, spans ${(meta.spanSeconds / 3600).toFixed(2)} h, ` +
    `written in ${meta.generateSeconds.toFixed(1)} s (${(meta.bytes / 1e6 / meta.generateSeconds).toFixed(0)} MB/s)`);
  return meta;
}
