/**
 * Proxy rules: what happened when we asked the forward proxy for a tunnel -> findings (pure).
 *
 * PROXY_UNREACHABLE covers every way of not getting an answer from the proxy once this stage runs:
 * a TLS failure with an https:// proxy, a close, reset or silence after CONNECT, or an answer that is
 * not HTTP. (When TCP to the proxy fails, the tcp stage reports PROXY_UNREACHABLE itself and this
 * stage is skipped.) A 407 is PROXY_AUTH_REQUIRED; any other non-2xx is PROXY_REFUSED.
 */
import type { Retry } from '../report.js';
import type { Finding } from '../stages/types.js';

/** What the proxy stage observed. */
export type ProxyObservation =
  | { kind: 'unreached'; code?: string }
  | { kind: 'proxy-tls-failed'; code?: string; message: string }
  | { kind: 'closed'; bytesRead: number }
  | { kind: 'reset'; code?: string }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'not-http'; message: string }
  | {
      kind: 'answered';
      status: number;
      statusText: string;
      headers: Record<string, string>;
      rawHeaders: Array<[string, string]>;
      body?: string;
      connectMs: number;
      credentialsSent: boolean;
    };

export interface ProxyVerdict {
  ok: boolean;
  findings: Finding[];
}

/** The authentication schemes of Proxy-Authenticate challenges (`Basic realm="x"`, `NTLM`, `Negotiate`). */
export function authSchemes(rawHeaders: Array<[string, string]>): string[] {
  const out: string[] = [];
  for (const [name, value] of rawHeaders) {
    if (name.toLowerCase() !== 'proxy-authenticate') continue;
    // A scheme is a token at the start or after a comma that is not itself `param=value`.
    const re = /(?:^|,)\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?!\s*=)(?=\s|,|$)/g;
    for (const m of value.matchAll(re)) if (!out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** Which product answered, from the proxy's own headers. */
export function proxyIntermediary(headers: Record<string, string>): string {
  const via = headers['via'] ?? '';
  const server = headers['server'] ?? '';
  if (headers['x-squid-error'] !== undefined || /squid/i.test(via) || /squid/i.test(server)) return 'squid';
  for (const name of ['envoy', 'nginx', 'haproxy']) if (new RegExp(name, 'i').test(server) || new RegExp(name, 'i').test(via)) return name;
  return 'unknown';
}

/** The title of an HTML refusal page, or its first line of text, for evidence. */
export function bodyGist(body: string | undefined): string | undefined {
  if (!body) return undefined;
  const title = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(body)?.[1];
  const text = (title ?? body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text.slice(0, 200);
}

function unreachable(evidence: string, details: Record<string, unknown>, extra: Partial<Finding> = {}): Finding {
  return { code: 'PROXY_UNREACHABLE', evidence: [evidence], details, ...extra };
}

export function judgeProxy(o: ProxyObservation, proxyDisplay: string, target: string): ProxyVerdict {
  switch (o.kind) {
    case 'unreached':
      return { ok: false, findings: [unreachable(`connecting to the proxy ${proxyDisplay} failed (${o.code ?? 'error'}) although the tcp stage had reached it`, { phase: 'tcp', code: o.code }, { retry: 'yes' })] };
    case 'proxy-tls-failed':
      return { ok: false, findings: [unreachable(`TLS with the https proxy ${proxyDisplay} failed: ${o.code ?? o.message}`, { phase: 'proxy-tls', code: o.code })] };
    case 'closed':
      return { ok: false, findings: [unreachable(`the proxy accepted the connection, then closed it without answering CONNECT ${target} (${o.bytesRead} bytes received)`, { phase: 'connect', bytesRead: o.bytesRead }, { retry: 'once' })] };
    case 'reset':
      return { ok: false, findings: [unreachable(`the proxy reset the connection (${o.code ?? 'reset'}) instead of answering CONNECT ${target}`, { phase: 'connect', code: o.code }, { retry: 'once' })] };
    case 'timeout':
      return { ok: false, findings: [unreachable(`no answer to CONNECT ${target} from the proxy within ${Math.round(o.afterMs)} ms`, { phase: 'connect-timeout', afterMs: Math.round(o.afterMs) })] };
    case 'not-http':
      return { ok: false, findings: [unreachable(`${proxyDisplay} does not speak HTTP proxy protocol: ${o.message}`, { phase: 'not-http' }, { retry: 'no' })] };
    case 'answered':
      return judgeAnswer(o, target);
  }
}

function judgeAnswer(o: Extract<ProxyObservation, { kind: 'answered' }>, target: string): ProxyVerdict {
  if (o.status >= 200 && o.status < 300) return { ok: true, findings: [] };
  const intermediary = proxyIntermediary(o.headers);
  const squidError = o.headers['x-squid-error'];
  const gist = bodyGist(o.body);
  const line = `the proxy answered CONNECT ${target} with ${o.status}${o.statusText ? ` ${o.statusText}` : ''} after ${Math.round(o.connectMs)} ms`;
  const evidence = [line];
  if (squidError) evidence.push(`X-Squid-Error: ${squidError}`);
  if (o.headers['via']) evidence.push(`Via: ${o.headers['via']}`);
  if (o.headers['server']) evidence.push(`Server: ${o.headers['server']}`);
  if (gist) evidence.push(`the proxy's page says: ${gist}`);
  const details: Record<string, unknown> = {
    status: o.status,
    statusText: o.statusText,
    intermediary,
    ...(squidError ? { squidError } : {}),
    ...(o.headers['via'] ? { via: o.headers['via'] } : {}),
    ...(o.headers['server'] ? { server: o.headers['server'] } : {}),
  };
  if (o.status === 407) {
    const schemes = authSchemes(o.rawHeaders);
    evidence.splice(1, 0, schemes.length ? `it offers: ${schemes.join(', ')}` : 'it names no authentication scheme (no Proxy-Authenticate header)');
    if (o.credentialsSent) evidence.push('credentials from the proxy URL were sent and refused');
    return {
      ok: false,
      findings: [{ code: 'PROXY_AUTH_REQUIRED', evidence, details: { ...details, schemes, credentialsSent: o.credentialsSent }, params: { schemes: schemes.join(', ') || 'none named' } }],
    };
  }
  // A proxy that could not reach the target (502/503/504) may do better a moment later; a policy
  // refusal (403 and kin) will not change by retrying.
  const retry: Retry = o.status === 502 || o.status === 503 || o.status === 504 ? 'yes' : 'no';
  return { ok: false, findings: [{ code: 'PROXY_REFUSED', evidence, details, retry, params: { status: o.status } }] };
}
