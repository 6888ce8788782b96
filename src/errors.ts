/** A problem with the command line or its inputs: one line on stderr, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  // One line whatever it quotes: a newline or a terminal escape in a typed value (a target, a
  // file name, a config value) is shown as an escape, never acted on.
  constructor(message: string) {
    super(message.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)));
  }
}
