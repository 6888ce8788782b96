/**
 * Held-out check of the http classifier: answers of gateways, CDNs, relays and local servers the
 * classifier was not built against (fixtures/http-heldout.ts). Each row says what an on-call
 * engineer would conclude: the code, who answered, whose problem it is and whether to retry.
 */
import { describe, expect, it } from 'vitest';
import { HELDOUT, type HeldoutName } from '../../fixtures/http-heldout.js';
import { classifyResponse, type ResponseEvidence } from '../../src/diagnose/http/response-rules.js';
import { classifyTransport, type TransportEvidence } from '../../src/diagnose/http/transport-rules.js';
import { matchGatewayDefault } from '../../src/diagnose/http/gateway-timeouts.js';
import { catalogueEntry } from '../../src/diagnose/catalogue/index.js';

const NOW = Date.parse('2030-11-21T10:00:00Z');

function ev(name: HeldoutName, o: Partial<ResponseEvidence> = {}): ResponseEvidence {
  const c = HELDOUT[name];
  return { status: c.status, headers: c.headers, body: c.body, host: 'llm-relay.corp.example', provider: 'openai-compatible', https: true, keySent: true, elapsedMs: 180, nowMs: NOW, ...o };
}

interface Want {
  code: string;
  origin?: string;
  owner?: string;
  retry?: string;
  intermediary?: string;
  details?: Record<string, unknown>;
  /** A line of evidence must match this. */
  says?: RegExp;
  /** No line of evidence may match this. */
  never?: RegExp;
}

const KEY_BLAMED = /key was accepted as a key but lacks permission|the key was sent and refused/;

const TABLE: Array<[HeldoutName, Want, Partial<ResponseEvidence>?]> = [
  // Traefik's error handler writes the bare reason phrase (Go sniffs it as text/plain; charset=utf-8).
  ['traefik.502', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'traefik', says: /traefik's own error page/ }],
  ['traefik.504', { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', intermediary: 'traefik', details: { timeoutHops: ['traefik'] } }],
  ['traefik.404', { code: 'NOT_FOUND', details: { notFound: 'path' } }],
  ['caddy.502', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'caddy' }],
  ['kong.502', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'kong' }],
  ['kong.503.ring', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'kong', retry: 'yes' }],
  ['kong.504', { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', intermediary: 'kong', retry: undefined }],
  ['kong.429', { code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', intermediary: 'kong', details: { retryAfterSeconds: 41 } }],
  ['kong.401.nokey', { code: 'AUTH_MISSING', origin: 'gateway', intermediary: 'kong', says: /kong itself answered the 401/ }],
  ['kong.403.acl', { code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', intermediary: 'kong', never: KEY_BLAMED }],
  ['istio.503.uh', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'envoy' }],
  ['istio.404.nr', { code: 'NOT_FOUND', origin: 'gateway', intermediary: 'envoy', details: { notFound: 'path' } }],
  ['istio.504.ut', { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', intermediary: 'envoy', says: /15 s default of Envoy/ }, { elapsedMs: 15_030 }],
  ['envoy.503.unreach', { code: 'UPSTREAM_RESET_REPORTED', owner: 'gateway', retry: 'yes', details: { resetFamily: 'connect-failure', retried: true, transportFailureReason: 'delayed connect error: 113' }, says: /unreachable/ }],
  ['envoy.503.localreset', { code: 'UPSTREAM_RESET_REPORTED', retry: 'once', details: { resetFamily: 'local-reset' } }],
  ['envoy.503.refusedstream', { code: 'UPSTREAM_RESET_REPORTED', retry: 'once', details: { resetFamily: 'remote-reset' } }],
  ['envoy.503.overload-mgr', { code: 'UPSTREAM_RESET_REPORTED', retry: 'yes', details: { resetFamily: 'overload-manager' }, never: /circuit breaker/ }],
  ['envoy.429.local', { code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', intermediary: 'envoy' }],
  ['envoy.503.openai-edge', { code: 'UPSTREAM_RESET_REPORTED', origin: 'provider-edge', owner: 'provider', retry: 'once', intermediary: 'envoy', details: { resetFamily: 'termination' } }, { host: 'api.openai.com', provider: 'openai' }],
  ['apigw.403.token', { code: 'AUTH_MISSING', origin: 'gateway', intermediary: 'aws-apigateway' }],
  ['apigw.403.forbidden', { code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', intermediary: 'aws-apigateway', never: KEY_BLAMED }],
  ['apigw.429', { code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', intermediary: 'aws-apigateway' }],
  ['apigw.504', { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', intermediary: 'aws-apigateway', says: /29 s default of AWS API Gateway/ }, { elapsedMs: 29_040 }],
  ['apigw.502', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'aws-apigateway' }],
  ['apim.401.invalid', { code: 'AUTH_INVALID', says: /AzureApiManagementKey/ }],
  ['apim.429', { code: 'RATE_LIMITED', details: { retryAfterSeconds: 7 } }],
  ['apim.403.quota', { code: 'QUOTA_EXCEEDED' }],
  ['cf.520', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'cloudflare' }],
  ['cf.522', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'cloudflare', says: /timed out/ }],
  ['cf.525', { code: 'BAD_GATEWAY', origin: 'gateway', retry: 'no', intermediary: 'cloudflare' }],
  ['cf.524.html', { code: 'GATEWAY_TIMEOUT', origin: 'gateway', intermediary: 'cloudflare', says: /100 s default of Cloudflare/ }, { elapsedMs: 100_400 }],
  ['cf.1020', { code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', intermediary: 'cloudflare', says: /firewall or security policy/ }],
  ['cf.1015', { code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', intermediary: 'cloudflare' }],
  ['akamai.403', { code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', intermediary: 'akamai', never: KEY_BLAMED }],
  ['akamai.503', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'akamai' }],
  ['akamai.504', { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', intermediary: 'akamai' }],
  ['fastly.503.backend', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'varnish' }],
  ['fastly.503.firstbyte', { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', intermediary: 'varnish' }],
  ['litellm.429.anthropic', { code: 'RATE_LIMITED', origin: 'provider', details: { retryAfterSeconds: 12 } }],
  ['litellm.401', { code: 'AUTH_INVALID' }],
  ['litellm.400.budget', { code: 'QUOTA_EXCEEDED' }],
  ['openrouter.402', { code: 'QUOTA_EXCEEDED' }],
  ['openrouter.401.nocreds', { code: 'AUTH_MISSING', says: /gateway may strip the header/ }],
  ['openrouter.429.upstream', { code: 'RATE_LIMITED' }],
  ['vllm.404.route', { code: 'NOT_FOUND', details: { notFound: 'path' } }],
  ['ollama.404.model', { code: 'NOT_FOUND', details: { notFound: 'model' } }],
  ['lmstudio.404.route', { code: 'NOT_FOUND', details: { notFound: 'path' } }],
  ['openai.404.url', { code: 'NOT_FOUND', origin: 'provider', details: { notFound: 'path' } }, { host: 'api.openai.com', provider: 'openai' }],
  ['azure.429.retry-ms', { code: 'RATE_LIMITED', details: { retryAfterSeconds: 2.5 }, says: /retry-after-ms/ }, { host: 'res.openai.azure.com', provider: 'azure-openai' }],
  ['gemini.403.unregistered', { code: 'AUTH_MISSING' }, { keySent: false, host: 'generativelanguage.googleapis.com', provider: 'gemini' }],
  ['gemini.403.leaked', { code: 'AUTH_INVALID' }, { host: 'generativelanguage.googleapis.com', provider: 'gemini' }],
  ['gemini.400.expired', { code: 'AUTH_INVALID' }, { host: 'generativelanguage.googleapis.com', provider: 'gemini' }],
  ['gemini.429.tokens-minute', { code: 'RATE_LIMITED' }, { host: 'generativelanguage.googleapis.com', provider: 'gemini' }],
  ['anthropic.401.header', { code: 'AUTH_MISSING' }, { host: 'api.anthropic.com', provider: 'anthropic' }],
  ['anthropic.400.version', { code: 'HTTP_ERROR_STATUS', says: /required header is missing/ }, { host: 'api.anthropic.com', provider: 'anthropic' }],
  ['anthropic.503.overloaded', { code: 'OVERLOADED', owner: 'provider', origin: 'provider' }, { host: 'api.anthropic.com', provider: 'anthropic' }],
  ['openai.403.country', { code: 'REGION_BLOCKED', origin: 'provider' }, { host: 'api.openai.com', provider: 'openai' }],
  ['bearer.401.expired', { code: 'AUTH_INVALID', says: /invalid_token/ }],
  ['basic.401.nginx', { code: 'AUTH_MISSING', origin: 'gateway', intermediary: 'nginx', says: /Basic credentials/ }],
  ['nginx.503.custom', { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', intermediary: 'nginx', says: /limit_req/ }],
  ['haproxy.403.deny', { code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', intermediary: 'haproxy', never: KEY_BLAMED }],
  ['portal.200.html', { code: 'HTTP_NOT_API', origin: 'unknown', says: /Guest Wi-Fi - Sign in/ }],
];

describe('held-out answers of gateways, CDNs, relays and local servers', () => {
  it.each(TABLE)('%s', (name, want, o) => {
    const f = classifyResponse(ev(name, o))!;
    expect(f, name).toBeDefined();
    const text = f.evidence.join('\n');
    expect(f.code, text).toBe(want.code);
    if (want.origin) expect(f.origin, text).toBe(want.origin);
    if (want.owner) expect(f.owner ?? catalogueEntry(f.code)?.owner, text).toBe(want.owner);
    if (want.retry) expect(f.retry ?? catalogueEntry(f.code)?.retry).toBe(want.retry);
    if (want.intermediary) expect(f.details?.intermediary).toBe(want.intermediary);
    if (want.details) expect(f.details).toMatchObject(want.details);
    if (want.says) expect(text).toMatch(want.says);
    if (want.never) expect(text).not.toMatch(want.never);
    // Every finding names the status and who wrote it, with the time it took.
    expect(f.evidence[0]).toMatch(/^HTTP \d{3} written by .* s after the request was sent\)$/);
  });

  it('the generic profile may get HTML: a web page at a base URL is no fault', () => {
    expect(classifyResponse(ev('portal.200.html', { provider: 'generic' }))).toBeUndefined();
  });

  it('a JSON API body relayed by Kong stays the API\'s answer, not Kong\'s', () => {
    const f = classifyResponse({ ...ev('kong.429'), body: JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }) })!;
    expect(f.code).toBe('RATE_LIMITED');
    expect(f.details?.answeredBy).toBe('provider');
  });

  it('a plain-text 500 behind nginx stays the application\'s error (nginx replaces Server on every answer)', () => {
    const f = classifyResponse({ ...ev('nginx.503.custom'), status: 500, headers: { 'content-type': 'text/plain', server: 'nginx' }, body: 'Internal Server Error' })!;
    expect(f.code).toBe('SERVER_ERROR');
    expect(f.details?.answeredBy).toBe('unknown');
  });

  it('every code the held-out table produces has a catalogue entry', () => {
    for (const [, want] of TABLE) expect(catalogueEntry(want.code), want.code).toBeDefined();
  });
});

describe('elapsed times that name the hop that gave up', () => {
  it.each([
    [29_050, 29],
    [30_200, 30],
    [15_010, 15],
    [60_300, 60],
    [120_900, 120],
  ])('%d ms -> %d s default', (ms, s) => {
    expect(matchGatewayDefault(ms)?.seconds).toBe(s);
  });
  it.each([14_000, 22_000, 45_000])('%d ms matches nothing', (ms) => {
    expect(matchGatewayDefault(ms)).toBeUndefined();
  });
});

describe('held-out transport and body corners (pure)', () => {
  const base: TransportEvidence = { fact: 'closed', code: 'UND_ERR_SOCKET', codes: ['UND_ERR_SOCKET'], phase: 'wait', timedOut: false, bytesWritten: 199, bytesRead: 25, sinceRequestMs: 2, sinceStartMs: 3, fresh: true };
  it('the client dropping an answer it cannot parse is a protocol error, not the peer hanging up', () => {
    expect(classifyTransport({ ...base, peerFin: false }).code).toBe('HTTP_PROTOCOL_ERROR');
    expect(classifyTransport({ ...base, peerFin: true }).code).toBe('RESET_BEFORE_HEADERS');
    // Not observed (older evidence): the peer's close stays the reading.
    expect(classifyTransport(base).code).toBe('RESET_BEFORE_HEADERS');
    expect(classifyTransport({ ...base, peerFin: false, bytesRead: 0 }).code).toBe('RESET_BEFORE_HEADERS');
  });

  it('a 2xx whose body broke is RESPONSE_BODY_INCOMPLETE; a 4xx/5xx keeps its meaning and says the body broke', () => {
    const ok = ev('portal.200.html', { headers: { 'content-type': 'application/json', 'content-length': '900' }, body: '{"data":[', bodyEnd: { fact: 'reset', code: 'ECONNRESET', timedOut: false, bytes: 9, downloadMs: 12 } });
    const f = classifyResponse(ok)!;
    expect(f).toMatchObject({ code: 'RESPONSE_BODY_INCOMPLETE', details: { how: 'rst', bytes: 9, contentLength: '900' } });
    expect(catalogueEntry(f.code)?.exitCode).toBe(14);
    const g = classifyResponse({ ...ev('kong.429'), bodyEnd: { fact: 'closed', timedOut: false, bytes: 10 } })!;
    expect(g.code).toBe('RATE_LIMITED');
    expect(g.evidence.join('\n')).toMatch(/the body was cut \(closed\) after 10 bytes/);
  });
});
