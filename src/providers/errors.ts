/**
 * Error bodies of every API family, read into one shape (pure). The shapes differ by provider
 * (OpenAI's `error.code`, Anthropic's `error.type`, Google's `status` + `details`, Azure APIM's
 * `statusCode` + `message`, vLLM's `object: "error"`, Ollama's string `error`), and relays pass
 * them through unchanged, so classification reads them all whatever profile was chosen.
 */
import type { ProviderError } from './types.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Parse JSON without throwing; a JSON array of one error (Google's streaming form) is unwrapped. */
export function parseJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.length > 0 ? v[0] : v;
  } catch {
    return undefined;
  }
}

/** Google's `details[]`: ErrorInfo reasons, QuotaFailure quota ids, RetryInfo delay. */
function googleDetails(details: unknown): { hints: string[]; reason?: string; retryDelaySeconds?: number } {
  const hints: string[] = [];
  let reason: string | undefined;
  let retryDelaySeconds: number | undefined;
  if (!Array.isArray(details)) return { hints };
  for (const d of details.slice(0, 16)) {
    if (!isObj(d)) continue;
    const r = str(d.reason);
    if (r) {
      reason ??= r;
      hints.push(r);
    }
    if (Array.isArray(d.violations)) {
      for (const v of d.violations.slice(0, 16)) {
        if (!isObj(v)) continue;
        for (const k of ['quotaId', 'quotaMetric', 'subject', 'description']) {
          const s = str(v[k]);
          if (s) hints.push(s);
        }
      }
    }
    const delay = str(d.retryDelay);
    if (delay) {
      const m = /^(\d+(?:\.\d+)?)s$/.exec(delay);
      if (m) retryDelaySeconds = Number(m[1]);
    }
  }
  return { hints, reason, retryDelaySeconds };
}

function fromObject(o: Json): ProviderError | undefined {
  const e = o.error;
  if (isObj(e)) {
    const g = googleDetails(e.details);
    const code = str(e.code) ?? g.reason;
    // Google puts its canonical status in `status`; OpenAI and Anthropic put a type in `type`.
    const type = str(e.type) ?? str(e.status) ?? (o.type === 'error' ? undefined : str(o.type));
    const out: ProviderError = { code, type, message: str(e.message) };
    if (g.hints.length > 0) out.hints = g.hints;
    if (g.retryDelaySeconds !== undefined) out.retryDelaySeconds = g.retryDelaySeconds;
    if (typeof e.code === 'number' && out.hints === undefined) out.hints = [String(e.code)];
    return out;
  }
  // Ollama and some relays: {"error": "model 'x' not found"}.
  if (typeof e === 'string') return { message: e };
  // vLLM: {"object":"error","message":...,"type":"NotFoundError","code":404}
  if (o.object === 'error') return { type: str(o.type), code: str(o.code), message: str(o.message) };
  // Azure API Management: {"statusCode": 401, "message": "Access denied due to ..."}
  if (typeof o.statusCode === 'number' && str(o.message)) return { message: str(o.message), code: String(o.statusCode) };
  // FastAPI-style {"detail": "..."} and bare {"message": "..."}.
  const detail = str(o.detail) ?? (isObj(o.detail) ? str(o.detail.message) : undefined);
  if (detail) return { message: detail };
  if (str(o.message)) return { message: str(o.message), code: str(o.code), type: str(o.type) };
  return undefined;
}

/** Read any known error body shape; undefined when the text is not a JSON error. */
export function parseAnyError(body: string): ProviderError | undefined {
  const v = parseJson(body);
  return isObj(v) ? fromObject(v) : undefined;
}

/** All the words of an error, lower-cased, for family matching (code, type, message, hints). */
export function errorText(e: ProviderError | undefined): string {
  if (!e) return '';
  return [e.code, e.type, e.message, ...(e.hints ?? [])].filter(Boolean).join(' ').toLowerCase();
}
