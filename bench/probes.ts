// The bench's rows for captures with many probes per flow (bench/synth/probe-flows.ts):
// - memory: 20,000 flows probing every 75 s for 2 h (96 answered probes each) against the same
//   flows with 2 probes each and UDP in place of the rest (same packets, bytes and span, so both
//   take the same reading path). Peak RSS must not grow with the probes: within 10 %.
// - event output: `--format table --events` against `--format json --events` on 384,000 events.
// Each command runs `runs` times, alternating, and the best counts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { measure, type Measured } from './measure';
import { table, type Verdict } from './results';
import { probeFlowsPackets, writeProbeFlows, type ProbeFlowsOptions } from './synth/probe-flows';

/** Bump when probe-flows.ts changes the bytes it writes. */
const PROBE_FLOWS_VERSION = 1;
const MEMORY_TARGET = 1.1;

interface Capture { readonly name: string; readonly file: string; readonly o: ProbeFlowsOptions }

function ensure(cacheDir: string, name: string, o: ProbeFlowsOptions, say: (l: string) => void): Capture {
  const file = path.join(cacheDir, `probes-v${PROBE_FLOWS_VERSION}-${name}.pcap`);
  if (!fs.existsSync(file) || fs.statSync(file).size !== 24 + 76 * probeFlowsPackets(o)) {
    fs.mkdirSync(cacheDir, { recursive: true });
    say(`generating ${file} …`);
    writeProbeFlows(`${file}.tmp`, o);
    fs.renameSync(`${file}.tmp`, file);
  }
  return { name, file, o };
}

interface Best { wallS: number | null; rssMB: number | null; failed: string | null }

/** The fastest time and the lowest peak RSS over `runs` runs (each the best case of a shared machine). */
async function best(cli: string, args: readonly string[], runs: number, timeoutS: number): Promise<Best> {
  const all: Measured[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure(cli, [...args], { timeoutS }));
  return pick(all.map((m) => (m.exitCode === 0
    ? { wallS: m.wallS, rssMB: m.maxRssKB === null ? null : m.maxRssKB / 1024, failed: null }
    : { wallS: null, rssMB: null, failed: `exit ${m.exitCode ?? '?'}: ${m.stderr.trim().split('\n')[0] ?? ''}` })));
}

function pick(list: readonly Best[]): Best {
  const ok = list.filter((b) => b.failed === null && b.wallS !== null);
  if (ok.length === 0) return list[0];
  const rss = ok.map((b) => b.rssMB).filter((x): x is number => x !== null);
  return { wallS: Math.min(...ok.map((b) => b.wallS as number)), rssMB: rss.length === 0 ? null : Math.min(...rss), failed: null };
}

export async function probesBench(cacheDir: string, cli: string, runs: number, timeoutS: number, say: (l: string) => void):
Promise<{ text: string; verdicts: Verdict[] }> {
  const many = ensure(cacheDir, '20000x96', { flows: 20_000, probesPerFlow: 96, intervalSeconds: 75 }, say);
  const few = ensure(cacheDir, '20000x2', { flows: 20_000, probesPerFlow: 2, rounds: 96, intervalSeconds: 75 }, say);
  const events = ensure(cacheDir, '2000x96', { flows: 2_000, probesPerFlow: 96, intervalSeconds: 75 }, say);
  const results: { label: string; cap: Capture; r: Best }[] = [];
  // Alternate the two memory captures round by round, so a drift in the machine hits both.
  const mem: Best[][] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of [few, many].entries()) mem[k].push(await best(cli, ['analyze', '--format', 'json', c.file], 1, timeoutS));
  }
  results.push({ label: `analyze --format json, 2 probes per flow (best of ${runs})`, cap: few, r: pick(mem[0]) });
  results.push({ label: `analyze --format json, 96 probes per flow (best of ${runs})`, cap: many, r: pick(mem[1]) });
  for (const format of ['json', 'table']) {
    const r = await best(cli, ['analyze', '--format', format, '--events', events.file], runs, timeoutS);
    results.push({ label: `analyze --format ${format} --events (best of ${runs})`, cap: events, r });
  }
  const text = table(['capture', 'flows', 'probes/flow', 'packets', 'run', 'time s', 'RSS MB', 'note'],
    results.map(({ label, cap, r }) => [path.basename(cap.file), String(cap.o.flows), String(cap.o.probesPerFlow),
      probeFlowsPackets(cap.o).toLocaleString('en-US'), label, r.wallS === null ? '—' : r.wallS.toFixed(2),
      r.rssMB === null ? '—' : r.rssMB.toFixed(0), r.failed ?? '']),
    new Set([1, 2, 3, 5, 6]));
  const [f, m, j, t] = results.map((x) => x.r);
  const verdicts: Verdict[] = [];
  verdicts.push(f.rssMB === null || m.rssMB === null
    ? { name: 'peak RSS does not grow with probes per flow', pass: false, detail: f.failed ?? m.failed ?? 'not measured' }
    : {
      name: 'peak RSS does not grow with probes per flow',
      pass: m.rssMB <= f.rssMB * MEMORY_TARGET,
      detail: `96 probes ${m.rssMB.toFixed(0)} MB, 2 probes ${f.rssMB.toFixed(0)} MB (${(m.rssMB / f.rssMB).toFixed(2)}×, target ≤ ${MEMORY_TARGET.toFixed(2)}×)`,
    });
  verdicts.push({
    name: 'table --events costs about what json --events does',
    pass: null,
    detail: j.wallS === null || t.wallS === null ? 'not measured' : `table ${t.wallS.toFixed(2)} s, json ${j.wallS.toFixed(2)} s on 384,000 events`,
  });
  return { text, verdicts };
}

// `node dist/bench/probes.js`: these rows alone.
if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const runs = Math.max(1, Math.floor(Number(process.env.BENCH_RUNS ?? '3')) || 3);
  const say = (l: string): void => { process.stdout.write(`${l}\n`); };
  probesBench(path.join(root, '.bench-cache'), path.join(root, 'bin', 'keepalive.js'), runs, 3600, say).then(({ text, verdicts }) => {
    say(text);
    for (const v of verdicts) say(`${v.pass === null ? 'INFO' : v.pass ? 'PASS' : 'FAIL'}  ${v.name}: ${v.detail}`);
  }).catch((e: unknown) => { process.stderr.write(`bench: ${String(e)}\n`); process.exitCode = 2; });
}
