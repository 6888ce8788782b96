import { describe, expect, it } from 'vitest';
import { parseEnvoyBody, resetFamily, transportFamily } from '../../src/diagnose/http/envoy.js';
import { matchGatewayDefault } from '../../src/diagnose/http/gateway-timeouts.js';
import { parseGoDuration, parseRetryAfter, readRateLimit } from '../../src/diagnose/http/ratelimit.js';
import { scrubMaskedEchoes, scrubEcho } from '../../src/net/http/redact.js';
import { planKeyCheck } from '../../src/net/http/request.js';
import { buildConfig } from '../../src/config.js';
import { Redactor } from '../../src/secret.js';
import type { RunContext } from '../../src/stages/types.js';
import { catalogueEntry, CATALOGUE } from '../../src/diagnose/catalogue/index.js';
import { explain } from '../../src/explain/explain.js';

describe('envoy bodies in all wordings', () => {
  it.each([
    ['upstream connect error or disconnect/reset before headers', undefined, undefined, false],
    ['upstream connect error or disconnect/reset before headers. reset reason: connection failure', 'connect-failure', undefined, false],
    ['upstream connect error or disconnect/reset before headers. reset reason: local connection failure, transport failure reason: delayed connect error: 113', 'connect-failure', 'unreachable', false],
    ['upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused', 'connect-failure', 'refused', true],
    ['upstream connect error or disconnect/reset before headers. reset reason: connection termination', 'termination', undefined, false],
    ['upstream connect error or disconnect/reset before headers. reset reason: overload manager reset', 'overload-manager', undefined, false],
    ['upstream connect error or disconnect/reset before headers. reset reason: remote refused stream reset', 'remote-reset', undefined, false],
    ['reset reason: protocol error', 'protocol-error', undefined, false],
  ] as const)('%s', (body, fam, tf, retried) => {
    const r = parseEnvoyBody(body)!;
    expect(r.kind).toBe('reset-before-headers');
    expect(r.resetFamily).toBe(fam);
    expect(r.transportFamily).toBe(tf);
    expect(r.retried).toBe(retried);
  });
  it('other local replies and non-Envoy bodies', () => {
    expect(parseEnvoyBody('no healthy upstream')?.kind).toBe('no-healthy-upstream');
    expect(parseEnvoyBody('upstream request timeout')?.kind).toBe('upstream-timeout');
    expect(parseEnvoyBody('{"error":{}}')).toBeUndefined();
    expect(resetFamily('something new')).toBe('unknown');
    expect(transportFamily('TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED')).toBe('tls');
  });
});

describe('gateway timeout defaults', () => {
  it.each([
    [15_010, 15],
    [60_200, 60],
    [100_500, 100],
    [120_300, 120],
    [300_400, 300],
    [400_050, 400],
  ])('%i ms -> %i s', (ms, s) => expect(matchGatewayDefault(ms)?.seconds).toBe(s));
  it('no match for odd times, and never before the default', () => {
    expect(matchGatewayDefault(1_000)).toBeUndefined();
    expect(matchGatewayDefault(42_000)).toBeUndefined();
    expect(matchGatewayDefault(14_000)).toBeUndefined();
  });
});

describe('rate-limit headers', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('durations and dates', () => {
    expect(parseGoDuration('6m0s')).toBe(360);
    expect(parseGoDuration('1h2m3.5s')).toBe(3723.5);
    expect(parseGoDuration('20ms')).toBe(0.02);
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30);
  });
  it('the soonest reset of an exhausted limit when no retry-after', () => {
    const r = readRateLimit({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-remaining-tokens': '100' }, now);
    expect(r).toMatchObject({ retryAfterSeconds: 360, exhausted: ['requests'], remaining: ['tokens'] });
    const a = readRateLimit({ 'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': '2030-01-01T00:00:12Z' }, now);
    expect(a.retryAfterSeconds).toBe(12);
  });
});

describe('echoed keys', () => {
  const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123';
  it('masks OpenAI-style masked echoes that show more than the fingerprint', () => {
    expect(scrubMaskedEchoes('Incorrect API key provided: sk-proj-****************0123.', key)).toBe('Incorrect API key provided: [REDACTED].');
    expect(scrubMaskedEchoes('key sk-pro***...z0123 refused', key)).toBe('key [REDACTED] refused');
    expect(scrubMaskedEchoes('nothing here ***', key)).toBe('nothing here ***');
    const r = new Redactor();
    r.add(key);
    expect(scrubEcho(`got ${key}`, r, key)).not.toContain('AbCdEf');
  });
});

function ctxFor(target: string, address: string, extra: string[] = []): RunContext {
  const config = buildConfig(target, { provider: 'openai-compatible', ...(extra.includes('--allow-insecure-key') ? { allowInsecureKey: true } : {}) });
  return { config, env: {}, apiKey: 'sk-abcdefghijklmnop', redactor: new Redactor(), state: { endpoint: { address, family: 4, port: config.target.port, source: 'pin' } }, now: () => 0, results: {} };
}

describe('the key over plain http', () => {
  it('is withheld unless both the host and the address are this machine', () => {
    expect(planKeyCheck(ctxFor('http://127.0.0.1:8000/v1', '127.0.0.1')).keySent).toBe(true);
    expect(planKeyCheck(ctxFor('http://localhost:8000/v1', '127.0.0.1')).keySent).toBe(true);
    expect(planKeyCheck(ctxFor('http://localhost:8000/v1', '10.1.2.3')).keyWithheld).toBe('insecure');
    expect(planKeyCheck(ctxFor('http://10.1.2.3:8000/v1', '10.1.2.3')).keyWithheld).toBe('insecure');
    expect(planKeyCheck(ctxFor('https://10.1.2.3:8000/v1', '10.1.2.3')).keySent).toBe(true);
    expect(planKeyCheck(ctxFor('http://10.1.2.3:8000/v1', '10.1.2.3', ['--allow-insecure-key'])).keySent).toBe(true);
  });
  it('never puts the key anywhere but the auth header', () => {
    const p = planKeyCheck(ctxFor('http://127.0.0.1:8000/v1', '127.0.0.1'));
    expect(p.authHeaderNames).toEqual(['authorization']);
    expect(p.spec.path).not.toContain('sk-');
  });
});

describe('catalogue', () => {
  const CONTRACT_HTTP = ['RESET_BEFORE_HEADERS', 'HEADERS_TIMEOUT', 'UPSTREAM_RESET_REPORTED', 'GATEWAY_TIMEOUT', 'BAD_GATEWAY', 'AUTH_MISSING', 'AUTH_INVALID', 'FORBIDDEN', 'REGION_BLOCKED', 'NOT_FOUND', 'REQUEST_TOO_LARGE', 'RATE_LIMITED', 'QUOTA_EXCEEDED', 'SERVER_ERROR', 'OVERLOADED', 'CLOCK_SKEW'];
  it.each([...CONTRACT_HTTP, 'KEY_NOT_SENT_INSECURE', 'HTTP_REDIRECT', 'HTTP_ERROR_STATUS', 'HTTP_TRANSPORT_ERROR', 'HTTP_PROTOCOL_ERROR'])('%s has prose, steps and an --explain page', (code) => {
    const e = catalogueEntry(code)!;
    expect(e.stage).toBe('http');
    expect(e.explanation).not.toBe('TODO');
    expect(e.explanation.length).toBeGreaterThan(80);
    expect(e.steps.length).toBeGreaterThan(0);
    const text = explain(code, false)!;
    expect(text).toContain(e.title);
    expect(text).toContain('What to do');
  });
  it('exit codes follow the contract', () => {
    const exits: Record<string, number> = { RESET_BEFORE_HEADERS: 14, HEADERS_TIMEOUT: 14, UPSTREAM_RESET_REPORTED: 17, GATEWAY_TIMEOUT: 17, BAD_GATEWAY: 17, AUTH_MISSING: 15, AUTH_INVALID: 15, FORBIDDEN: 15, REGION_BLOCKED: 15, NOT_FOUND: 17, REQUEST_TOO_LARGE: 17, RATE_LIMITED: 16, QUOTA_EXCEEDED: 16, SERVER_ERROR: 17, OVERLOADED: 17, CLOCK_SKEW: 0 };
    for (const [c, x] of Object.entries(exits)) expect(catalogueEntry(c)!.exitCode, c).toBe(x);
    expect(new Set(CATALOGUE.map((e) => e.code)).size).toBe(CATALOGUE.length);
  });
});
