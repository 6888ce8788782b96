/**
 * The secrets a run's -H values carry: the whole value and its words, but never an auth scheme
 * (`Bearer`, `Basic` ...): registering those would mask the word everywhere, and the printed
 * commands would send `Authorization: [REDACTED] $KEY` (pure).
 */
import type { Config } from '../config.js';

const SCHEME = /^(bearer|basic|token|bot|digest|apikey|key|sharedaccesssignature|hmac)$/i;

export function headerSecrets(config: Pick<Config, 'headers'>): string[] {
  const out: string[] = [];
  for (const h of config.headers ?? []) {
    if (!h.secret) continue;
    out.push(h.value);
    for (const part of h.value.split(/\s+/)) if (part !== '' && !SCHEME.test(part)) out.push(part);
  }
  return out;
}
