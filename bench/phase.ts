// The child side of a measured phase: `node dist/bench/<phase>.js FILE` runs one job in a fresh
// process and prints one JSON line, so each phase's peak RSS is its own and not a neighbour's.

/** The JSON line a phase child prints on stdout. */
export interface PhaseOutput {
  readonly phase: string;
  readonly file: string;
  readonly packets: number;
  /** Bytes of the capture consumed. */
  readonly bytes: number;
  /** Time inside the job, without node's start-up. */
  readonly elapsedS: number;
  /** getrusage(RUSAGE_SELF).ru_maxrss in KiB: the kernel's high-water mark of this process's RSS. */
  readonly maxRssKB: number;
  /** Set when the job could not run or stopped early; one line. */
  readonly error: string | null;
  /** Set when the job was deliberately not run (its module is missing, …). */
  readonly skipped: string | null;
  readonly extra: Readonly<Record<string, number>>;
}

export interface PhaseWork {
  readonly packets: number;
  readonly bytes: number;
  readonly error: string | null;
  readonly skipped?: string;
  readonly extra?: Record<string, number>;
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Runs `work` on argv[2] and prints its PhaseOutput. A thrown error becomes the `error` field. */
export function runPhase(phase: string, work: (file: string) => Promise<PhaseWork>): void {
  const file = process.argv[2];
  const print = (w: PhaseWork, elapsedS: number): void => {
    const out: PhaseOutput = {
      phase, file, packets: w.packets, bytes: w.bytes, elapsedS, maxRssKB: process.resourceUsage().maxRSS,
      error: w.error, skipped: w.skipped ?? null, extra: w.extra ?? {},
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  };
  if (file === undefined) {
    print({ packets: 0, bytes: 0, error: `usage: node ${process.argv[1]} FILE` }, 0);
    process.exitCode = 2;
    return;
  }
  const t0 = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  work(file).then((w) => print(w, elapsed()), (e: unknown) => print({ packets: 0, bytes: 0, error: firstLine(e) }, elapsed()));
}
