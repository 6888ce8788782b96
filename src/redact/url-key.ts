/**
 * A key in the target URL (`?key=` as Gemini's examples show it, `api-key`, `access_token`,
 * `sig` of a SAS URL) is the key: it is registered with the redactor, withheld over plain http
 * that leaves this machine, never shown, and the header form is recommended (pure).
 */
import type { Finding } from '../stages/types.js';

/** Query parameters that carry a credential. */
export const SECRET_QUERY_PARAM = /^(key|api[-_]?key|apikey|x-goog-api-key|access[-_]?token|token|sig|signature)$/i;

export interface UrlKey {
  name: string;
  value: string;
}

/** The credentials a query string carries (decoded values; empty ones left out). */
export function urlKeys(query: string): UrlKey[] {
  if (query === '') return [];
  const out: UrlKey[] = [];
  for (const [name, value] of new URLSearchParams(query)) if (SECRET_QUERY_PARAM.test(name) && value !== '') out.push({ name, value });
  return out;
}

/** The query string without its credential parameters (the rest kept as written). */
export function withoutUrlKeys(query: string): string {
  return query
    .split('&')
    .filter((part) => {
      const name = decodeSafe(part.split('=', 1)[0]!);
      return !SECRET_QUERY_PARAM.test(name);
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
