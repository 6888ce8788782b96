/**
 * A configuration holds credentials (`proxy_set_header Authorization "Bearer sk-..."`, HAProxy's
 * `http-request set-header x-api-key ...`, Envoy's `request_headers_to_add`), and lint quotes its
 * lines as evidence and in parse errors. Before anything is printed: every token that looks like
 * a key, and the value of every auth-carrying header, is replaced (pure).
 */
import { looksLikeKey } from '../redact/key-shape.js';

const MASK = '[REDACTED]';

/** Header names whose value is a credential, then an optional scheme, then the value. */
// No comma between the name and its value: `Authorization, Content-Type` is a list of header names
// (Access-Control-Allow-Headers), not a credential.
const AUTH_VALUE = /\b((?:proxy-)?authorization|x-api-key|api-key|x-goog-api-key|ocp-apim-subscription-key)(["'\s:=]+(?:value["'\s:=]+)?)((?:Bearer|Basic|Token|Bot)\s+)?([^\s"';,}\]\\]+)/gi;

export function scrubConfigText(text: string): string {
  const out = text.replace(AUTH_VALUE, (all, name: string, sep: string, scheme: string | undefined, value: string) => {
    // A variable or a sample expression is no secret: `$http_authorization`, `%[req.hdr(...)]`, `%REQ(...)%`.
    if (/^[$%]/.test(value) || value === MASK) return all;
    return `${name}${sep}${scheme ?? ''}${MASK}`;
  });
  return out.replace(/[A-Za-z0-9_\-+/=.]{20,}/g, (tok) => (looksLikeKey(tok) ? MASK : tok));
}

/** The same on every string of a value (a JSON result is scrubbed as data, never as text). */
export function scrubConfigValue<T>(value: T): T {
  if (typeof value === 'string') return scrubConfigText(value) as T;
  if (Array.isArray(value)) return value.map((v) => scrubConfigValue(v)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubConfigValue(v)])) as T;
  return value;
}
