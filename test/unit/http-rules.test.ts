import { describe, expect, it } from 'vitest';
import { CANNED, type CannedName } from '../../fixtures/http-bodies.js';
import { classifyExchange, clockSkew } from '../../src/diagnose/http/rules.js';
import { classifyResponse, type ResponseEvidence } from '../../src/diagnose/http/response-rules.js';
import { classifyTransport, type TransportEvidence } from '../../src/diagnose/http/transport-rules.js';
import type { ProviderName } from '../../src/report.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');

function ev(name: CannedName, o: Partial<ResponseEvidence> = {}): ResponseEvidence {
  const c = CANNED[name];
  return { status: c.status, headers: c.headers, body: c.body, host: 'relay.internal', provider: 'generic' as ProviderName, https: true, keySent: true, elapsedMs: 120, nowMs: NOW, ...o };
}

// name, expected code, origin, owner, retry (undefined: the catalogue's default)
const TABLE: Array<[CannedName, string, string?, string?, string?]> = [
  ['openai.401.invalid', 'AUTH_INVALID', 'provider'],
  ['openai.403.region', 'REGION_BLOCKED', 'provider'],
  ['openai.404.model', 'NOT_FOUND', 'provider'],
  ['openai.429.rate', 'RATE_LIMITED', 'provider'],
  ['openai.429.quota', 'QUOTA_EXCEEDED', 'provider'],
  ['openai.500', 'SERVER_ERROR', 'provider', 'provider'],
  ['openai.503.overloaded', 'OVERLOADED', 'provider', 'provider'],
  ['anthropic.401', 'AUTH_INVALID'],
  ['anthropic.403', 'FORBIDDEN'],
  ['anthropic.404', 'NOT_FOUND'],
  ['anthropic.413', 'REQUEST_TOO_LARGE'],
  ['anthropic.429', 'RATE_LIMITED'],
  ['anthropic.400.credit', 'QUOTA_EXCEEDED'],
  ['anthropic.500', 'SERVER_ERROR'],
  ['anthropic.529', 'OVERLOADED'],
  ['azure.401.invalid', 'AUTH_INVALID', 'provider'],
  ['azure.404.deployment', 'NOT_FOUND'],
  ['azure.429.rate', 'RATE_LIMITED'],
  ['azure.429.zero', 'QUOTA_EXCEEDED'],
  ['azure.429.peak', 'OVERLOADED'],
  ['gemini.400.key', 'AUTH_INVALID'],
  ['gemini.400.location', 'REGION_BLOCKED'],
  ['gemini.403.permission', 'FORBIDDEN'],
  ['gemini.429.day', 'QUOTA_EXCEEDED'],
  ['gemini.429.minute', 'RATE_LIMITED'],
  ['gemini.503', 'OVERLOADED'],
  ['vllm.404.model', 'NOT_FOUND'],
  ['compat.404.path', 'NOT_FOUND'],
  ['envoy.reset.legacy', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway'],
  ['envoy.reset.cf-111', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway', 'yes'],
  ['envoy.reset.remote-refused', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway', 'yes'],
  ['envoy.reset.termination', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway', 'once'],
  ['envoy.reset.overflow', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway', 'yes'],
  ['envoy.reset.timeout', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway', 'yes'],
  ['envoy.reset.tls', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway', 'no'],
  ['envoy.reset.protocol', 'UPSTREAM_RESET_REPORTED', 'gateway', 'gateway', 'no'],
  ['envoy.no-healthy', 'BAD_GATEWAY', 'gateway', 'gateway'],
  ['envoy.timeout', 'GATEWAY_TIMEOUT', 'gateway', 'gateway'],
  ['cloudflare.524.openai', 'GATEWAY_TIMEOUT', 'gateway'],
  ['cloudflare.521', 'BAD_GATEWAY', 'gateway', 'gateway'],
  ['gfe.502', 'BAD_GATEWAY', 'gateway'],
  ['alb.502', 'BAD_GATEWAY', 'gateway', 'gateway'],
  ['alb.503', 'BAD_GATEWAY', 'gateway', 'gateway'],
  ['alb.504', 'GATEWAY_TIMEOUT', 'gateway', 'gateway'],
  ['haproxy.502', 'BAD_GATEWAY', 'gateway', 'gateway'],
  ['haproxy.503', 'BAD_GATEWAY', 'gateway', 'gateway'],
  ['haproxy.504', 'GATEWAY_TIMEOUT', 'gateway', 'gateway'],
  ['haproxy.429', 'RATE_LIMITED', 'gateway', 'gateway'],
  ['nginx.502', 'BAD_GATEWAY', 'gateway', 'gateway'],
  // Issue 11 item 3: nginx's own 503 page, answered at once, is what limit_req/limit_conn send by
  // default (nginx reports upstream failures as 502/504): the on-call engineer needs "your gateway
  // rate-limits, make it say 429", not "bad gateway". Was BAD_GATEWAY.
  ['nginx.503', 'RATE_LIMITED', 'gateway', 'gateway', 'yes'],
  ['nginx.504', 'GATEWAY_TIMEOUT', 'gateway', 'gateway'],
  ['nginx.413', 'REQUEST_TOO_LARGE', 'gateway'],
  ['nginx.429', 'RATE_LIMITED', 'gateway', 'gateway'],
  ['squid.403', 'FORBIDDEN', 'forward-proxy'],
];

describe('classifyResponse: canned answers of real systems', () => {
  it.each(TABLE)('%s -> %s', (name, code, origin, owner, retry) => {
    const f = classifyResponse(ev(name))!;
    expect(f.code).toBe(code);
    if (origin) expect(f.origin).toBe(origin);
    if (owner) expect(f.owner).toBe(owner);
    if (retry) expect(f.retry).toBe(retry);
    expect(f.evidence.length).toBeGreaterThan(1);
  });

  it('reads the Envoy reset reason and transport failure reason into details', () => {
    const f = classifyResponse(ev('envoy.reset.remote-refused'))!;
    expect(f.details).toMatchObject({ intermediary: 'envoy', resetReason: 'remote connection failure', transportFailureReason: 'delayed connect error: Connection refused', retried: true, resetFamily: 'connect-failure' });
    const legacy = classifyResponse(ev('envoy.reset.legacy'))!;
    expect(legacy.details).toMatchObject({ intermediary: 'envoy', resetReason: 'unknown' });
  });

  it("attributes an Envoy reset beside cf-ray and the provider's request id to the provider's edge", () => {
    const f = classifyResponse(ev('anthropic.edge.envoy', { host: 'api.anthropic.com', provider: 'anthropic' }))!;
    expect(f.code).toBe('UPSTREAM_RESET_REPORTED');
    expect(f.origin).toBe('provider-edge');
    expect(f.owner).toBe('provider');
    expect(f.details).toMatchObject({ intermediary: 'envoy', resetReason: 'overflow' });
  });

  it('the same Envoy reply from a relay with no provider marks is the gateway', () => {
    const f = classifyResponse(ev('envoy.reset.overflow', { host: 'llm-gateway.corp.example' }))!;
    expect(f.origin).toBe('gateway');
    expect(f.owner).toBe('gateway');
  });

  it('AUTH_MISSING when no key was sent and the endpoint asks for one; AUTH_INVALID when one was', () => {
    expect(classifyResponse(ev('openai.401.invalid', { keySent: false }))!.code).toBe('AUTH_MISSING');
    expect(classifyResponse(ev('openai.401.missing', { keySent: false }))!.code).toBe('AUTH_MISSING');
    expect(classifyResponse(ev('azure.401.missing', { keySent: true }))!.code).toBe('AUTH_MISSING');
    expect(classifyResponse(ev('anthropic.401', { keySent: true }))!.code).toBe('AUTH_INVALID');
  });

  it('tells a wrong model from a wrong path', () => {
    expect(classifyResponse(ev('openai.404.model'))!.details).toMatchObject({ notFound: 'model' });
    expect(classifyResponse(ev('azure.404.deployment'))!.details).toMatchObject({ notFound: 'model' });
    expect(classifyResponse(ev('compat.404.path'))!.details).toMatchObject({ notFound: 'path' });
    expect(classifyResponse({ ...ev('compat.404.path'), body: '' })!.details).toMatchObject({ notFound: 'path' });
  });

  it('reads retry-after, retry-after-ms and Google retryDelay into retryAfterSeconds', () => {
    expect(classifyResponse(ev('openai.429.rate'))!.details).toMatchObject({ retryAfterSeconds: 2 });
    expect(classifyResponse(ev('gemini.429.minute'))!.details).toMatchObject({ retryAfterSeconds: 33 });
    const ms = classifyResponse({ ...ev('openai.429.rate'), headers: { ...CANNED['openai.429.rate'].headers, 'retry-after-ms': '1500' } })!;
    expect(ms.details).toMatchObject({ retryAfterSeconds: 1.5 });
  });

  it('GATEWAY_TIMEOUT evidence names the default the elapsed time matches', () => {
    const f = classifyResponse(ev('envoy.timeout', { elapsedMs: 15_040 }))!;
    expect(f.evidence.join('\n')).toMatch(/15 s default of Envoy/);
    const g = classifyResponse(ev('nginx.504', { elapsedMs: 60_100 }))!;
    expect(g.evidence.join('\n')).toMatch(/60 s default of nginx/);
    const h = classifyResponse(ev('nginx.504', { elapsedMs: 1_010 }))!;
    expect(h.evidence.join('\n')).toMatch(/matches no well-known default/);
  });

  it('a redirect is reported, not followed', () => {
    const f = classifyResponse({ ...ev('compat.404.path'), status: 301, headers: { location: 'https://elsewhere.example/v1/models' }, body: '' })!;
    expect(f.code).toBe('HTTP_REDIRECT');
    expect(f.details).toMatchObject({ location: 'https://elsewhere.example/v1/models' });
  });

  it('a success needs no diagnosis', () => {
    expect(classifyResponse({ ...ev('compat.404.path'), status: 200, body: '{"data":[]}' })).toBeUndefined();
  });
});

describe('classifyTransport', () => {
  const base: TransportEvidence = { fact: 'reset', code: 'ECONNRESET', codes: ['ECONNRESET'], phase: 'wait', timedOut: false, bytesWritten: 212, bytesRead: 0, sinceRequestMs: 40, sinceStartMs: 45, fresh: true };
  it('RST after the request -> RESET_BEFORE_HEADERS how=rst', () => {
    const f = classifyTransport(base);
    expect(f.code).toBe('RESET_BEFORE_HEADERS');
    expect(f.details).toMatchObject({ how: 'rst', bytesWritten: 212, fresh: true });
    expect(f.evidence.join('\n')).toMatch(/RST/);
  });
  it('FIN after the request -> RESET_BEFORE_HEADERS how=fin', () => {
    const f = classifyTransport({ ...base, fact: 'closed', code: 'UND_ERR_SOCKET', codes: ['UND_ERR_SOCKET'] });
    expect(f.details).toMatchObject({ how: 'fin' });
  });
  it('the deadline with nothing back -> HEADERS_TIMEOUT', () => {
    const f = classifyTransport({ ...base, fact: 'aborted', code: 'UND_ERR_ABORTED', timedOut: true, sinceRequestMs: 2000 });
    expect(f.code).toBe('HEADERS_TIMEOUT');
    expect(f.evidence.join('\n')).toMatch(/not a single byte/);
  });
  it('non-HTTP bytes -> HTTP_PROTOCOL_ERROR', () => {
    expect(classifyTransport({ ...base, fact: 'other', code: 'HPE_INVALID_CONSTANT', codes: ['HPE_INVALID_CONSTANT'] }).code).toBe('HTTP_PROTOCOL_ERROR');
  });
  it('a refused reconnect maps to the tcp code', () => {
    expect(classifyTransport({ ...base, fact: 'refused', code: 'ECONNREFUSED', phase: 'connect', sinceRequestMs: undefined }).code).toBe('TCP_REFUSED');
  });
});

describe('clock and key', () => {
  it('CLOCK_SKEW beyond 60 s only', () => {
    expect(clockSkew(new Date(NOW - 30_000).toUTCString(), NOW)).toBeUndefined();
    const f = clockSkew(new Date(NOW - 300_000).toUTCString(), NOW)!;
    expect(f.code).toBe('CLOCK_SKEW');
    expect(f.details).toMatchObject({ skewSeconds: 300 });
    expect(clockSkew('not a date', NOW)).toBeUndefined();
  });
  it('a withheld key turns a 401 into KEY_NOT_SENT_INSECURE', () => {
    const out = classifyExchange({ response: ev('openai.401.missing', { keySent: false }) }, { keyWithheld: true, host: '10.0.0.5', overrideFlag: '--allow-insecure-key' });
    expect(out[0]!.code).toBe('KEY_NOT_SENT_INSECURE');
    expect(out.map((f) => f.code)).not.toContain('AUTH_MISSING');
  });
});
