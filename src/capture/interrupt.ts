// A request to stop reading early (Ctrl-C during `analyze`): the reader ends at the next record
// boundary it reaches, as if the input ended there, and everything read so far is reported.

/** How often a reader busy on a file lets the event loop run, so that a signal handler can. */
export const INTERRUPT_CHECK_MS = 100;

export class Interrupt {
  requested = false;
  private wake: () => void = () => {};
  /** Settles when request() is called: a read that may wait forever (a stalled pipe) races it. */
  readonly whenRequested: Promise<void> = new Promise((resolve) => { this.wake = resolve; });
  /**
   * What a reader awaits at its pauses besides one turn of the event loop: the CLI makes it wait
   * while standard output is full (null: no need to wait).
   */
  pause: () => Promise<void> | null = () => null;

  /** The pause a reader takes every INTERRUPT_CHECK_MS; it ends early on request(). */
  async breathe(): Promise<void> {
    const p = this.pause();
    if (p === null) await new Promise<void>((r) => setImmediate(r));
    else await Promise.race([p, this.whenRequested]);
  }

  request(): void {
    this.requested = true;
    this.wake();
  }
}

/** The reader's own error line for an input cut short. */
export const interruptedMessage = (frames: number): string =>
  `cut short by an interrupt (Ctrl-C) after frame ${frames}; the report covers frames 1–${frames}`;

/** Posted by the analysis to a decode worker (src/pipeline/) on an interrupt: stop reading. */
export const STOP_READING = 'stop-reading';
