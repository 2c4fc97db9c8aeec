// Exit status, as documented: 2 (bad usage, unreadable or damaged input) wins over 1 (--fail-on
// matched a reported outcome), which wins over 0.
export const EXIT_OK = 0;
export const EXIT_FAIL_ON = 1;
export const EXIT_USAGE_OR_INPUT = 2;
/** Cut short by Ctrl-C: the report of what was read is printed, then 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;

export function exitCode(inputErrors: number, failOnHits: number): number {
  if (inputErrors > 0) return EXIT_USAGE_OR_INPUT;
  if (failOnHits > 0) return EXIT_FAIL_ON;
  return EXIT_OK;
}
