/**
 * Every HTTP-level signature of the research corpus (fixtures/corpus), rebuilt as the response a client would see,
 * must classify to a sensible contract code and, where an intermediary wrote it, be attributed to
 * that intermediary. Each entry is one example of a family: the classifier reads structure
 * (status, headers, body shape), so the table checks families, not exact strings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../src/diagnose/http/response-rules.js';
import { attribute } from '../../src/diagnose/http/intermediaries.js';

interface Entry {
  id: string;
  layer: string;
  source_system: string;
  status: number | null;
  match: string;
  taxonomy: string;
}

const corpusFile = join(__dirname, '../../fixtures/corpus/signatures.json');
const entries: Entry[] = JSON.parse(readFileSync(corpusFile, 'utf8')) as Entry[];

/** Research taxonomy -> the contract codes that are a sensible reading of it. */
const SENSIBLE: Record<string, string[]> = {
  RESET_BEFORE_HEADERS: ['UPSTREAM_RESET_REPORTED'],
  PROXY_UPSTREAM_CONNECT_FAILED: ['UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY'],
  PROXY_UPSTREAM_CONNECT_TIMEOUT: ['UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY', 'GATEWAY_TIMEOUT'],
  PROXY_UPSTREAM_RESET: ['UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY'],
  PROXY_OVERFLOW: ['UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY', 'OVERLOADED'],
  PROXY_UPSTREAM_PROTOCOL_ERROR: ['UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY'],
  PROXY_UPSTREAM_TLS_FAILED: ['UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY'],
  TLS_PLAINTEXT_PEER: ['BAD_GATEWAY', 'UPSTREAM_RESET_REPORTED'],
  NO_HEALTHY_UPSTREAM: ['BAD_GATEWAY'],
  GATEWAY_TIMEOUT: ['GATEWAY_TIMEOUT'],
  STREAM_IDLE_TIMEOUT: ['GATEWAY_TIMEOUT'],
  PROXY_BAD_GATEWAY: ['BAD_GATEWAY'],
  PROXY_RATE_LIMITED_OR_UNAVAILABLE: ['RATE_LIMITED', 'BAD_GATEWAY'],
  EDGE_ORIGIN_BAD_RESPONSE: ['BAD_GATEWAY'],
  EDGE_ORIGIN_UNREACHABLE: ['BAD_GATEWAY'],
  EDGE_ORIGIN_TIMEOUT: ['GATEWAY_TIMEOUT'],
  EDGE_ORIGIN_TLS: ['BAD_GATEWAY'],
  EDGE_WAF_BLOCK: ['FORBIDDEN'],
  PROVIDER_EDGE_5XX: ['BAD_GATEWAY', 'SERVER_ERROR'],
  PAYLOAD_TOO_LARGE: ['REQUEST_TOO_LARGE'],
  ROUTE_NOT_FOUND: ['NOT_FOUND'],
  AUTH_MISSING: ['AUTH_MISSING'],
  AUTH_INVALID: ['AUTH_INVALID'],
  AUTH_IP_NOT_ALLOWED: ['FORBIDDEN'],
  PERMISSION_DENIED: ['FORBIDDEN'],
  REGION_BLOCKED: ['REGION_BLOCKED'],
  MODEL_NOT_FOUND: ['NOT_FOUND'],
  MISSING_REQUIRED_HEADER: ['HTTP_ERROR_STATUS'],
  RATE_LIMITED: ['RATE_LIMITED'],
  QUOTA_EXCEEDED: ['QUOTA_EXCEEDED', 'RATE_LIMITED'],
  REQUEST_EXCEEDS_LIMIT: ['RATE_LIMITED', 'QUOTA_EXCEEDED', 'REQUEST_TOO_LARGE'],
  PROVIDER_OVERLOADED: ['OVERLOADED'],
  PROVIDER_INTERNAL_ERROR: ['SERVER_ERROR'],
  PROXY_DENIED: ['FORBIDDEN'],
  // Issue 11 item 3: a 407 is a proxy asking for credentials from any hop (was HTTP_ERROR_STATUS).
  PROXY_AUTH_REQUIRED: ['PROXY_AUTH_REQUIRED'],
  PROXY_BYPASSED: ['FORBIDDEN'],
};

const WHO: Record<string, string> = { envoy: 'envoy', nginx: 'nginx', haproxy: 'haproxy', cloudflare: 'cloudflare', aws_alb: 'aws-elb', google_front_end: 'google-frontend', google_cloud_lb: 'google-frontend', squid: 'squid' };
const RESET = 'upstream connect error or disconnect/reset before headers. ';
const TITLES: Record<number, string> = { 413: 'Request Entity Too Large', 429: 'Too Many Requests', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

/** The response a client sees for an entry: headers named in the match go to headers, the rest is the body. */
function rebuild(e: Entry): { headers: Record<string, string>; body: string; keySent: boolean } {
  const headers: Record<string, string> = {};
  let body = e.match;
  for (const m of e.match.matchAll(/\b(server|x-squid-error):\s*([^)|\n]+)/gi)) headers[m[1]!.toLowerCase()] = m[2]!.trim();
  if (Object.keys(headers).length > 0) body = '';
  if (e.source_system === 'envoy' && !/^(upstream connect error|no healthy upstream|upstream request timeout|maintenance mode|upstream max stream)/.test(body)) {
    // A reason or transport-failure fragment: the client sees the whole reset sentence.
    if (/^reset reason|^retried/.test(body)) body = `${RESET}${body}${body.endsWith(': ') ? 'connection failure' : ''}`;
    else if (/transport failure reason/.test(body)) body = `${RESET}reset reason: remote connection failure, ${body}`;
    else if (/TLS error|OPENSSL/.test(body)) body = `${RESET}reset reason: remote connection failure, transport failure reason: TLS error: ${body}`;
    else if (/stream_idle_timeout/.test(body)) body = 'stream timeout';
    headers.server ??= 'envoy';
  }
  if (e.source_system === 'envoy' && /^HTTP\/1\.1 404/.test(e.match)) body = '';
  if (e.id.startsWith('nginx.log.')) body = `<html>\r\n<head><title>${e.status} ${TITLES[e.status!]}</title></head>\r\n<body>\r\n<center><h1>${e.status} ${TITLES[e.status!]}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  if (e.source_system === 'aws_alb' && !headers.server) headers.server = 'awselb/2.0';
  if (e.source_system === 'aws_alb' && body === '') body = `<html>\n<head><title>${e.status} ${TITLES[e.status!] ?? 'Forbidden'}</title></head>\n<body>\n<center><h1>${e.status} ${TITLES[e.status!] ?? 'Forbidden'}</h1></center>\n</body>\n</html>\n`;
  if (e.source_system === 'cloudflare' && !/^\{/.test(body)) {
    headers.server = 'cloudflare';
    headers['cf-ray'] = '8f00aa-FRA';
    if (!/cf_gateway_timeout/.test(body)) body = `<!DOCTYPE html><html><head><title>${body}</title></head><body><div id="cf-error-details">${body}</div></body></html>`;
  }
  if (e.source_system === 'cloudflare' && /cf_gateway_timeout/.test(body)) body = JSON.stringify({ error: { code: 524, message: 'Gateway timeout.', param: null, type: 'cf_gateway_timeout' } });
  if (e.source_system === 'squid') headers.via = '1.1 proxy (squid/5.7)';
  // Provider tokens and sentences become the provider's JSON error shape.
  const apiSystems = ['openai', 'anthropic', 'azure_openai', 'azure_apim', 'gemini', 'vllm'];
  if (apiSystems.includes(e.source_system) && !body.trimStart().startsWith('{') && !/^\d{3} /.test(body)) {
    body = /^[A-Za-z_]+$/.test(body)
      ? JSON.stringify({ error: { message: `error ${body}`, type: body, code: body, status: body } })
      : JSON.stringify({ error: { message: body, type: 'error', code: null } });
  }
  if (body.trimStart().startsWith('{') && !/}\s*$/.test(body)) body = `${body}${body.includes('"message":"The model') ? 'x` does not exist."}' : '}'}`;
  if (/^\d{3} [A-Z]/.test(body)) body = '';
  const keySent = e.taxonomy !== 'AUTH_MISSING';
  return { headers, body, keySent };
}

const httpEntries = entries.filter((e) => typeof e.status === 'number' && e.status >= 400 && e.taxonomy in SENSIBLE);

describe('corpus: http-level signatures classify to sensible contract codes', () => {
  it('covers a good part of the corpus', () => {
    expect(httpEntries.length).toBeGreaterThan(60);
  });
  it.each(httpEntries.map((e) => [e.id, e] as const))('%s', (_id, e) => {
    const r = rebuild(e);
    const f = classifyResponse({ status: e.status!, headers: r.headers, body: r.body, host: 'gateway.example', provider: 'generic', https: true, keySent: r.keySent, elapsedMs: 500, nowMs: Date.now() })!;
    expect(SENSIBLE[e.taxonomy], `${e.id}: ${f.code} for ${e.taxonomy}`).toContain(f.code);
    const who = WHO[e.source_system];
    if (who) {
      const a = attribute({ status: e.status!, headers: r.headers, body: r.body, host: 'gateway.example', provider: 'generic', https: true });
      expect([a.answeredBy, ...a.seen], e.id).toContain(who);
    }
  });
});
