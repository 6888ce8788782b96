/** A problem with the command line or its inputs: one line on stderr, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
