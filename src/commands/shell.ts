/** Quoting for the commands the tool prints: POSIX shell words a person pastes as they are. */

/** A word that needs no quotes in sh/bash. */
const SAFE = /^[A-Za-z0-9_./:@%+=,^-]+$/;

/** Quote a literal value (no expansion): as it is when safe, else in single quotes. */
export function sq(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quote a value that holds shell expansions the reader must keep (`$OPENAI_API_KEY`,
 * `$(cat /run/secrets/key)`): double quotes, escaping only what would break them.
 */
export function dq(value: string): string {
  return `"${value.replace(/(["\\`])/g, '\\$1')}"`;
}

/** The upper-snake variable name for a header or a word: `x-api-key` -> `X_API_KEY`. */
export function variableName(text: string): string {
  const v = text.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(v) ? `_${v}` : v || 'VALUE';
}
