/**
 * The `--compare-direct` section as the report formats show it: which path works, read from the
 * attribution's outcome (never re-derived from verdicts: a path that crashed the tool has an `ok`
 * verdict yet does not work), and one sentence that says what that means. Plain text; each format
 * escapes it for itself.
 */
import type { Report, StageId } from '../report.js';

/** The report's compare section (present only for --compare-direct runs through a proxy). */
export type Compare = NonNullable<Report['compare']>;

/** The two paths, by the label the formats use (`path="proxy"` / `path="direct"`). */
export type PathName = 'proxy' | 'direct';

/** Whether a path works, as the attribution decided. */
export function pathWorks(c: Compare, path: PathName): boolean {
  return c.outcome === 'both' || c.outcome === (path === 'proxy' ? 'proxy-only' : 'direct-only');
}

/** One side of the comparison in a few words: `ok`, `failed: TCP_REFUSED at tcp`. */
export function sideText(side: { verdict: string; rootCause?: string; stage?: StageId }): string {
  if (!side.rootCause) return side.verdict;
  return `${side.verdict}: ${side.rootCause}${side.stage ? ` at ${side.stage}` : ''}`;
}

function failure(side: { rootCause?: string; stage?: StageId }): string {
  if (!side.rootCause) return 'an error of the tool itself';
  return `${side.rootCause}${side.stage ? ` at the ${side.stage} stage` : ''}`;
}

/** The attribution in one sentence. */
export function compareSentence(c: Compare): string {
  switch (c.outcome) {
    case 'both':
      return `Both paths work: through ${c.proxy} and without it.`;
    case 'proxy-only':
      return `Only the path through ${c.proxy} works; without it the checks fail (${failure(c.direct)}), so any program that ignores the proxy settings fails here.`;
    case 'direct-only':
      return `Only the direct path works: through ${c.proxy} the checks fail (${failure(c.proxied)}), so the proxy is what breaks the path.`;
    case 'neither':
      return c.proxied.rootCause && c.proxied.rootCause === c.direct.rootCause
        ? `Neither path works, and both fail the same way (${failure(c.proxied)}): the proxy is not the cause.`
        : `Neither path works: through ${c.proxy} ${failure(c.proxied)}, without it ${failure(c.direct)}; going around the proxy would not help.`;
  }
}
