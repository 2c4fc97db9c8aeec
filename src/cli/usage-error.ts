// Bad command lines and bad option values: exit 2 with one line and a hint, never a stack.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
