// Standard output and error for the commands. A reader that goes away (`… | head`) ends the run
// quietly: EPIPE is the normal end of a pipeline, not an error worth a message.
export interface Output {
  out(s: string): void;
  err(s: string): void;
}

let installed = false;

export function stdio(): Output {
  if (!installed) {
    installed = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      process.stderr.write(`keepalive: cannot write output: ${e.message}\n`);
      process.exit(2);
    });
  }
  return {
    out: (s) => { if (s.length > 0) process.stdout.write(s); },
    err: (s) => { process.stderr.write(s); },
  };
}
