// One line naming an input and what went wrong with it, for stderr.

/** `FILE: message`, without repeating the file when the reader's message already starts with it. */
export function errorLine(file: string, error: string): string {
  return error.startsWith(`${file}: `) ? error : `${file}: ${error}`;
}
