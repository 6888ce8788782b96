/** What the terminal can show: its width, and whether it can draw Unicode marks. */

/** Width: the stream's columns, else COLUMNS, else 80 (at least 40, at most 200). */
export function terminalWidth(stream: { columns?: number } | undefined, env: Record<string, string | undefined>): number {
  const fromStream = stream?.columns;
  const fromEnv = Number(env.COLUMNS);
  const w = fromStream && fromStream > 0 ? fromStream : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
  return Math.max(40, Math.min(200, w));
}

/**
 * Unicode marks unless TERM=dumb or the locale says it is not UTF-8. The locale is the first set
 * of LC_ALL, LC_CTYPE, LANG (POSIX order); none set counts as UTF-8 (most terminals today).
 */
export function canShowUnicode(env: Record<string, string | undefined>): boolean {
  if (env.TERM === 'dumb') return false;
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== '');
  if (locale === undefined) return true;
  return /utf-?8/i.test(locale);
}
