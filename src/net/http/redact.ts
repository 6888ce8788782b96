/**
 * Scrubbing what a server echoes back (pure). The Redactor removes the key and any 8-character
 * run of it; servers also echo it masked (`sk-abc1***...wxyz`, `sk-proj-****abcd`), where the
 * visible parts can be shorter than that. Any token that shows a masked span next to a piece of
 * the key longer than the fingerprint's is masked whole.
 */
import type { Redactor } from '../../secret.js';

const MASKED_TOKEN = /[A-Za-z0-9_-]*[*\u2022\u2026]{2,}[.*\u2022\u2026]*[A-Za-z0-9_-]*|[A-Za-z0-9_-]+\.{3}[A-Za-z0-9_-]+/g;

/** Mask tokens like `sk-VKMI***...wjh3` whose visible start or end belongs to the key. */
export function scrubMaskedEchoes(text: string, key: string | undefined): string {
  if (!key || key.length < 8 || text.length === 0) return text;
  return text.replace(MASKED_TOKEN, (tok) => {
    const lead = /^[A-Za-z0-9_-]*/.exec(tok)![0];
    const tail = /[A-Za-z0-9_-]*$/.exec(tok)![0];
    // The fingerprint already shows up to the first dash and the last four characters.
    const dash = key.indexOf('-');
    const shownPrefix = dash > 0 && dash <= 4 ? dash + 1 : 0;
    const leaks = (lead.length > shownPrefix && lead.length >= 2 && key.startsWith(lead)) || (tail.length > 4 && key.endsWith(tail));
    return leaks ? '[REDACTED]' : tok;
  });
}

/** Everything the http stage keeps from a server goes through here. */
export function scrubEcho(text: string, redactor: Redactor, key: string | undefined): string {
  return scrubMaskedEchoes(redactor.scrub(text), key);
}

/** The same for every value of a header record. */
export function scrubHeaders(headers: Record<string, string>, redactor: Redactor, key: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = scrubEcho(v, redactor, key);
  return out;
}
