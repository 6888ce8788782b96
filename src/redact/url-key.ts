/**
 * A key in the target URL (`?key=` as Gemini's examples show it, `api-key`, `access_token`,
 * `sig` of a SAS URL) is the key: it is registered with the redactor, withheld over plain http
 * that leaves this machine, never shown, and the header form is recommended (pure).
 */
import type { Finding } from '../stages/types.js';
import { looksLikeKey } from './key-shape.js';
import { isSecretName } from './secret-names.js';

/** Query parameters that carry a credential by their name (`key`, `api-key`, `sig`, `subscription-key` ...). */
export function isSecretParam(name: string): boolean {
  return isSecretName(name) || /^api[-_]?key$/i.test(name);
}

/** A parameter is a credential by its name, or by a value shaped like a key whatever its name. */
function isCredential(name: string, value: string): boolean {
  return isSecretParam(name) || looksLikeKey(value);
}

export interface UrlKey {
  name: string;
  value: string;
}

/** The credentials a query string carries (decoded values; empty ones left out). */
export function urlKeys(query: string): UrlKey[] {
  if (query === '') return [];
  const out: UrlKey[] = [];
  for (const [name, value] of new URLSearchParams(query)) if (value !== '' && isCredential(name, value)) out.push({ name, value });
  return out;
}

/** The query string without its credential parameters (the rest kept as written). */
export function withoutUrlKeys(query: string): string {
  return query
    .split('&')
    .filter((part) => {
      const eq = part.indexOf('=');
      const name = decodeSafe(eq < 0 ? part : part.slice(0, eq));
      return !isCredential(name, eq < 0 ? '' : decodeSafe(part.slice(eq + 1)));
    })
    .join('&');
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** The header a provider reads the key from, for the recommendation. */
const HEADER_FOR: Record<string, string> = {
  gemini: 'x-goog-api-key: <key>',
  'azure-openai': 'api-key: <key>',
  anthropic: 'x-api-key: <key>',
};

/** KEY_IN_URL: the finding that recommends the header form (never quotes the value). */
export function urlKeyFinding(query: string, provider: string): Finding | undefined {
  const keys = urlKeys(query);
  if (keys.length === 0) return undefined;
  const names = keys.map((k) => k.name);
  return {
    code: 'KEY_IN_URL',
    evidence: [`the target URL carries a credential in the query (${names.map((n) => `${n}=`).join(', ')}); the value is treated as the key and never shown`],
    details: { parameters: names },
    params: { header: HEADER_FOR[provider] ?? 'Authorization: Bearer <key>' },
  };
}
