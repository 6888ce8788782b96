/**
 * Rate-limit headers of every family, read into one shape (pure): `retry-after` (seconds or an
 * HTTP date), `retry-after-ms` (OpenAI SDKs, Azure), `x-ratelimit-*` (OpenAI, Azure, many relays;
 * resets written as `6m0s`, `20ms`), `anthropic-ratelimit-*` (resets as RFC 3339 times) and the
 * IETF `ratelimit-*` draft.
 */

export interface RateLimitInfo {
  /** Seconds to wait, when the server said (rounded up to a tenth). */
  retryAfterSeconds?: number;
  /** Which header or body field said it. */
  retryAfterSource?: string;
  /** Every rate-limit header seen, by name. */
  headers: Record<string, string>;
  /** Limits whose remaining count is 0 (e.g. `requests`, `tokens`, `input-tokens`). */
  exhausted: string[];
  /** Limits with something left (a quota error beside these means billing, not a burst). */
  remaining: string[];
}

/** `6m0s`, `1h2m3.5s`, `20ms`, `1s` (Go-style durations OpenAI uses) -> seconds. */
export function parseGoDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
    consumed += m[0].length;
  }
  return consumed === t.length && consumed > 0 ? total : undefined;
}

/** `retry-after`: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - nowMs) / 1000);
}

const round = (s: number) => Math.ceil(s * 10) / 10;
const FAMILY = /^(x-ratelimit-|anthropic-ratelimit-|ratelimit-|x-rate-limit-)/;

export function readRateLimit(headers: Record<string, string>, nowMs: number, bodyRetryDelay?: number): RateLimitInfo {
  const info: RateLimitInfo = { headers: {}, exhausted: [], remaining: [] };
  for (const [k, v] of Object.entries(headers)) {
    if (FAMILY.test(k) || k === 'retry-after' || k === 'retry-after-ms') info.headers[k] = v;
    const rem = /^(?:x-ratelimit-|anthropic-ratelimit-|ratelimit-)(?:remaining-?(.*)|(.*?)-remaining)$/.exec(k);
    if (rem) {
      const name = (rem[1] || rem[2] || 'requests').replace(/^-/, '');
      const n = Number(v);
      if (Number.isFinite(n)) (n <= 0 ? info.exhausted : info.remaining).push(name);
    }
  }
  const ms = headers['retry-after-ms'];
  const ra = headers['retry-after'];
  let secs: number | undefined;
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) {
    secs = Number(ms) / 1000;
    info.retryAfterSource = 'retry-after-ms';
  } else if (ra !== undefined && (secs = parseRetryAfter(ra, nowMs)) !== undefined) {
    info.retryAfterSource = 'retry-after';
  } else if (bodyRetryDelay !== undefined) {
    secs = bodyRetryDelay;
    info.retryAfterSource = 'the body (retryDelay)';
  } else {
    // The soonest reset of an exhausted limit.
    for (const name of info.exhausted) {
      for (const k of [`x-ratelimit-reset-${name}`, `anthropic-ratelimit-${name}-reset`, 'ratelimit-reset']) {
        const v = headers[k];
        if (v === undefined) continue;
        const s = k.startsWith('anthropic-') ? (Date.parse(v) - nowMs) / 1000 : parseGoDuration(v);
        if (s !== undefined && Number.isFinite(s) && (secs === undefined || s < secs)) {
          secs = Math.max(0, s);
          info.retryAfterSource = k;
        }
      }
    }
  }
  if (secs !== undefined && Number.isFinite(secs)) info.retryAfterSeconds = round(secs);
  return info;
}
