/**
 * What came instead of an event stream (pure): an HTML page (a block page, a login or captive
 * portal, an error page), JSON (a whole completion: streaming was ignored; or an error), plain
 * text, or nothing. Read from the content type and the first bytes of the body.
 */

export type BodyKind = 'html' | 'json-completion' | 'json-error' | 'json' | 'ndjson' | 'sse' | 'text' | 'empty' | 'binary';

export interface BodyDescription {
  kind: BodyKind;
  /** The HTML `<title>`, or the error message of a JSON error, cut short. */
  label?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function titleOf(html: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(html) ?? /<h1[^>]*>([^<]{1,200})<\/h1>/i.exec(html);
  return m ? m[1]!.replace(/\s+/g, ' ').trim() : undefined;
}

function errorMessage(j: Record<string, unknown>): string | undefined {
  const e = j.error;
  if (typeof e === 'string') return e;
  if (isObj(e)) {
    const parts = [e.type ?? e.status ?? e.code, e.message].filter((p) => typeof p === 'string' || typeof p === 'number');
    return parts.join(': ') || undefined;
  }
  if (typeof j.message === 'string') return j.message;
  if (typeof j.detail === 'string') return j.detail;
  return undefined;
}

/** Describe a body prefix (decoded text, possibly cut short) under its content type. */
export function describeBody(contentType: string | undefined, prefix: string): BodyDescription {
  const ct = (contentType ?? '').toLowerCase();
  const text = prefix.trimStart();
  if (text === '') return { kind: 'empty' };
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0e-\x1f]/.test(text.slice(0, 64))) return { kind: 'binary' };
  if (ct.includes('html') || /^<(!doctype|html|head|body)/i.test(text)) {
    const title = titleOf(text);
    return title ? { kind: 'html', label: title.slice(0, 120) } : { kind: 'html' };
  }
  // An event stream under another label: SDKs that check the type reject it, and proxies that
  // buffer by type (compression, caching) treat it as an ordinary body.
  if (/^(data|event|id|retry):/m.test(text.slice(0, 512)) && /^(data|event|:)/.test(text)) return { kind: 'sse' };
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length >= 2 && lines.slice(0, -1).every((l) => /^\s*\{.*\}\s*$/.test(l))) return { kind: 'ndjson' };
  if (ct.includes('json') || text.startsWith('{')) {
    let j: unknown;
    try {
      j = JSON.parse(text);
    } catch {
      return { kind: 'json' }; // cut short or broken: still say it was JSON
    }
    if (isObj(j)) {
      const msg = errorMessage(j);
      if (j.error !== undefined && msg) return { kind: 'json-error', label: msg.slice(0, 200) };
      if (Array.isArray(j.choices) || Array.isArray(j.content) || Array.isArray(j.candidates)) return { kind: 'json-completion' };
      if (msg && (j.error !== undefined || j.type === 'error')) return { kind: 'json-error', label: msg.slice(0, 200) };
    }
    return { kind: 'json' };
  }
  return { kind: 'text', label: text.split(/\r?\n/)[0]!.slice(0, 120) };
}

/** Words for evidence: "an HTML page titled "Access denied"" and the like. */
export function bodyInWords(d: BodyDescription): string {
  switch (d.kind) {
    case 'html':
      return d.label ? `an HTML page titled "${d.label}"` : 'an HTML page';
    case 'json-completion':
      return 'a whole JSON completion (the server ignored stream: true)';
    case 'json-error':
      return `a JSON error (${d.label ?? 'no message'})`;
    case 'json':
      return 'a JSON document';
    case 'ndjson':
      return 'a stream of newline-delimited JSON objects (the native streaming API of Ollama and the like, not server-sent events: check the base URL and --provider)';
    case 'sse':
      return 'an event stream under the wrong label (the body is server-sent events, the Content-Type says otherwise: the server or a proxy set the header wrong)';
    case 'text':
      return d.label ? `plain text starting "${d.label}"` : 'plain text';
    case 'empty':
      return 'an empty body';
    case 'binary':
      return 'binary data';
  }
}
