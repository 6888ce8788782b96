/** Facts every kind's rules share: what a long completion needs, which hosts serve LLM APIs. */

/** A long completion (a reasoning model, a long answer not streamed) can take minutes: 5 min. */
export const LONG_COMPLETION_SECONDS = 300;
/** Below this an idle/read timeout cuts ordinary completions, not only long ones. */
export const SHORT_TIMEOUT_SECONDS = 60;
/** A chat request with an image or a long document easily exceeds a few MB; 10m is the reference document's default. */
export const BODY_LIMIT_BYTES = 10 * 1024 * 1024;
/** OpenAI's audio and file uploads go up to 25 MB: upload routes need at least that. */
export const UPLOAD_BODY_BYTES = 25 * 1024 * 1024;
/** Paths of upload routes (audio, images, files). */
export const UPLOAD_PATH = /upload|audio|transcri|files|image/i;
/** Node's http server (keepAliveTimeout), uvicorn and gunicorn close idle connections after 5 s or less. */
export const APP_SERVER_IDLE_SECONDS = 5;

const LLM_HOSTS = [/^api\.openai\.com$/i, /^api\.anthropic\.com$/i, /\.openai\.azure\.com$/i, /^generativelanguage\.googleapis\.com$/i, /^api\.mistral\.ai$/i, /^api\.groq\.com$/i, /^api\.together\.xyz$/i, /^openrouter\.ai$/i, /^api\.deepseek\.com$/i, /^api\.cohere\.(ai|com)$/i, /aiplatform\.googleapis\.com$/i, /^bedrock-runtime\./i];

export function isLlmHost(host: string): boolean {
  return LLM_HOSTS.some((re) => re.test(host));
}

/** Paths of routes that carry event streams. */
export const SSE_PATH = /stream|sse|events?\b|completions|\/messages|\/responses|^\/?v1\b|\/v1\//i;
/** Paths of WebSocket routes. */
export const WS_PATH = /(^|[/_.-])ws([/_.-]|$)|websocket|socket|realtime/i;
/** Paths of routes that call a model (long answers) beyond the streaming ones. */
export const LLM_PATH = /generat|complet|chat|infer|llm|predict|embed|(^|\/)ai(\/|$)|model/i;

export function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** Loopback, private or single-label hosts: an application server of the operator's own. */
export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || /^127\./.test(h) || h === '::1' || /^10\./.test(h) || /^192\.168\./.test(h) || /^172\.(1[6-9]|2\d|3[01])\./.test(h) || /^[a-z0-9_-]+$/i.test(h);
}

/** nginx and HAProxy durations: `60`, `60s`, `1m30s`, `500ms`, `1h`, `2d` -> seconds (undefined when unreadable). */
export function parseDuration(v: string, bareUnit: 's' | 'ms' = 's'): number | undefined {
  if (/^\d+(\.\d+)?$/.test(v)) return bareUnit === 's' ? Number(v) : Number(v) / 1000;
  const re = /(\d+(?:\.\d+)?)(ms|us|s|m|h|d|w|M|y)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const n = Number(m[1]);
    const unit = { us: 1e-6, ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2592000, y: 31536000 }[m[2]!]!;
    total += n * unit;
    consumed += m[0].length;
  }
  return consumed === v.length && consumed > 0 ? total : undefined;
}

/** nginx sizes: `1m`, `512k`, `10M`, `1g`, `1024` -> bytes. */
export function parseSize(v: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v);
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
  return Number(m[1]) * mult;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Scheme, host and port of a proxy target (`https://api.openai.com/v1`, `http://backend`). */
export function splitTarget(url: string): { scheme: string; host: string; port?: number; hasVariable: boolean } | undefined {
  const m = /^([a-z]+):\/\/(\[[^\]]+\]|[^/:]+)(?::(\d+))?/i.exec(url);
  if (!m) return undefined;
  return { scheme: m[1]!.toLowerCase(), host: m[2]!, port: m[3] ? Number(m[3]) : undefined, hasVariable: url.includes('$') };
}
