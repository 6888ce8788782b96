/** The gateway checks' decisions, pure: redirect, headers, CORS, body ladder, WebSocket, burst, MTU 413s, own host, options. */
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { parseBurst, parseOrigin } from '../../src/config-gateway.js';
import { judgePreflight } from '../../src/diagnose/gateway/cors.js';
import { mtuBodyLimitFindings } from '../../src/diagnose/gateway/mtu-body.js';
import { bodyFindings, burstFindings, corsFindings, gatewayFindings, headerFindings, redirectFindings, websocketFindings } from '../../src/diagnose/gateway/rules.js';
import { catalogueEntry } from '../../src/diagnose/catalogue/index.js';
import { evidentlyOwnHost, probeNotice } from '../../src/net/gateway/own-host.js';
import type { BodyCheck, GatewaySection } from '../../src/net/gateway/section.js';

const ans = (status: number, headers: Record<string, string> = {}) => ({ status, headers });
const codes = (f: Array<{ code: string }>) => f.map((x) => x.code);

describe('redirect', () => {
  it.each([
    [301, ['REDIRECT_DROPS_METHOD']],
    [302, ['REDIRECT_DROPS_METHOD']],
    [303, ['REDIRECT_DROPS_METHOD']],
    [307, []],
    [308, []],
    [200, []],
  ])('%i -> %j', (status, expected) => {
    expect(codes(redirectFindings({ url: 'http://gw/v1/models', reply: ans(status, { location: 'https://gw/v1/models' }), location: 'https://gw/v1/models' }))).toEqual(expected);
  });
  it('no listener on the http port is no finding', () => {
    expect(redirectFindings({ url: 'http://gw/', reply: { failure: 'refused' } })).toEqual([]);
  });
});

describe('HSTS and security headers', () => {
  const all = { 'strict-transport-security': 'max-age=31536000', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'content-security-policy': "default-src 'self'" };
  it('all present on every answer: nothing', () => {
    expect(headerFindings({ probes: [{ path: '/a', reply: ans(401, all) }, { path: '/b', reply: ans(404, all) }] }, { scheme: 'https' })).toEqual([]);
  });
  it('present on the 204, missing on the 401: both codes, onErrorsOnly', () => {
    const f = headerFindings({ probes: [{ path: '/a', reply: ans(204, all), method: 'OPTIONS' }, { path: '/b', reply: ans(401, {}) }] }, { scheme: 'https' });
    expect(codes(f)).toEqual(['HSTS_MISSING', 'SECURITY_HEADERS_MISSING']);
    expect(f[0]!.details).toMatchObject({ statuses: [401], onErrorsOnly: true });
    expect(f[1]!.details).toMatchObject({ onErrorsOnly: true, byStatus: { 401: ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy'] } });
  });
  it('max-age=0 is no HSTS; plain http is not asked for HSTS', () => {
    const h = { ...all, 'strict-transport-security': 'max-age=0' };
    expect(codes(headerFindings({ probes: [{ path: '/', reply: ans(200, h) }] }, { scheme: 'https' }))).toEqual(['HSTS_MISSING']);
    expect(codes(headerFindings({ probes: [{ path: '/', reply: ans(200, h) }] }, { scheme: 'http' }))).toEqual([]);
  });
  it('no answer at all: no finding', () => {
    expect(headerFindings({ probes: [{ path: '/', reply: { failure: 'timeout' } }] }, { scheme: 'https' })).toEqual([]);
  });
});

describe('CORS preflight (Fetch standard, reduced)', () => {
  const o = 'https://app.example.com';
  const req = ['authorization', 'content-type'];
  const ok = { 'access-control-allow-origin': o, 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'Authorization, Content-Type' };
  it.each([
    ['a 204 allowing all', 204, ok, { ok: true }],
    ['a 401', 401, ok, { ok: false, reason: 'status' }],
    ['no ACAO', 204, { ...ok, 'access-control-allow-origin': undefined }, { ok: false, reason: 'no-allow-origin' }],
    ['another origin', 204, { ...ok, 'access-control-allow-origin': 'https://other.example.com' }, { ok: false, reason: 'other-origin' }],
    ['* origin', 204, { ...ok, 'access-control-allow-origin': '*' }, { ok: true }],
    ['methods without POST', 204, { ...ok, 'access-control-allow-methods': 'GET' }, { ok: false, reason: 'method' }],
    ['no methods header (POST is safelisted)', 204, { ...ok, 'access-control-allow-methods': undefined }, { ok: true }],
    ['headers without authorization', 204, { ...ok, 'access-control-allow-headers': 'Content-Type' }, { ok: false, reason: 'headers', missingHeaders: ['authorization'] }],
    ['* headers do not cover authorization', 204, { ...ok, 'access-control-allow-headers': '*' }, { ok: false, reason: 'headers', missingHeaders: ['authorization'] }],
    ['* plus authorization', 204, { ...ok, 'access-control-allow-headers': '*, authorization' }, { ok: true }],
  ])('%s', (_name, status, headers, expected) => {
    const h = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(judgePreflight(status, h, o, req)).toEqual(expected);
  });

  it('a passing preflight and an error answer without ACAO -> CORS_MISSING_ON_ERRORS', () => {
    const f = corsFindings({ origin: o, requestHeaders: req, preflight: { path: '/v1/chat/completions', reply: ans(204, ok) }, error: { path: '/v1/models', reply: ans(401, {}) } });
    expect(codes(f)).toEqual(['CORS_MISSING_ON_ERRORS']);
    expect(f[0]!.details).toEqual({ origin: o, status: 401 });
  });
  it('a refused preflight is reported alone, not also as missing on errors', () => {
    const f = corsFindings({ origin: o, requestHeaders: req, preflight: { path: '/p', reply: ans(405, {}) }, error: { path: '/v1/models', reply: ans(401, {}) } });
    expect(codes(f)).toEqual(['CORS_PREFLIGHT_REJECTED']);
  });
});

describe('body ladder', () => {
  const ladder = (rungs: BodyCheck['rungs']): BodyCheck => {
    const acc = rungs.filter((r) => r.result === 'accepted').map((r) => r.bytes);
    return { path: '/v1/chat/completions', rungs, ladderMaxBytes: 10_485_760, ...(acc.length ? { largestAcceptedBytes: Math.max(...acc) } : {}) };
  };
  it('all accepted: nothing', () => {
    expect(bodyFindings(ladder([{ bytes: 65536, result: 'accepted', status: 401, bodyBytesWritten: 65536 }]))).toEqual([]);
  });
  it('413 at 4 MiB after 1 MiB passed: BODY_LIMIT_LOW with largestAcceptedBytes', () => {
    const f = bodyFindings(ladder([
      { bytes: 65536, result: 'accepted', status: 401, bodyBytesWritten: 65536 },
      { bytes: 1048576, result: 'accepted', status: 401, bodyBytesWritten: 1048576 },
      { bytes: 4194304, result: 'refused', status: 413, bodyBytesWritten: 65536 },
    ]));
    expect(f).toMatchObject([{ code: 'BODY_LIMIT_LOW', details: { largestAcceptedBytes: 1048576, refusedBytes: 4194304, refusedBy: 413 } }]);
    expect(f[0]!.evidence[0]).toMatch(/1 MiB body was accepted; a 4 MiB POST .* 413/);
  });
  it('a reset after smaller bodies passed counts; a timeout or a first-rung cut does not', () => {
    const ok = { bytes: 65536, result: 'accepted' as const, status: 401, bodyBytesWritten: 65536 };
    expect(codes(bodyFindings(ladder([ok, { bytes: 1048576, result: 'cut', failure: 'reset', bodyBytesWritten: 300000 }])))).toEqual(['BODY_LIMIT_LOW']);
    expect(bodyFindings(ladder([ok, { bytes: 1048576, result: 'cut', failure: 'timeout', bodyBytesWritten: 300000 }]))).toEqual([]);
    expect(bodyFindings(ladder([{ bytes: 65536, result: 'cut', failure: 'reset', bodyBytesWritten: 0 }]))).toEqual([]);
  });
  it('the MTU ladder: 413 from some size up -> BODY_LIMIT_LOW; no 413 -> nothing', () => {
    const f = mtuBodyLimitFindings([{ bodyBytes: 400, status: 200 }, { bodyBytes: 8000, status: 200 }, { bodyBytes: 65000, status: 413 }, { bodyBytes: 65000, status: 413 }]);
    expect(f).toMatchObject([{ code: 'BODY_LIMIT_LOW', stage: 'http', details: { largestAcceptedBytes: 8000, refusedBytes: 65000 } }]);
    expect(mtuBodyLimitFindings([{ bodyBytes: 400, status: 401 }, { bodyBytes: 65000 }])).toEqual([]);
  });
});

describe('WebSocket', () => {
  const base = { url: 'wss://gw/ws/', keySent: true };
  it('refused with 426 / no answer -> WEBSOCKET_UPGRADE_FAILED; 401 without key -> nothing (cannot tell)', () => {
    expect(codes(websocketFindings({ ...base, outcome: 'refused', status: 426 }))).toEqual(['WEBSOCKET_UPGRADE_FAILED']);
    expect(codes(websocketFindings({ ...base, outcome: 'failed', failure: 'ECONNRESET' }))).toEqual(['WEBSOCKET_UPGRADE_FAILED']);
    expect(websocketFindings({ ...base, keySent: false, outcome: 'refused', status: 401 })).toEqual([]);
    expect(codes(websocketFindings({ ...base, keySent: true, outcome: 'refused', status: 401 }))).toEqual(['WEBSOCKET_UPGRADE_FAILED']);
  });
  it('101 then closed while idle -> WEBSOCKET_IDLE_CLOSED; survived -> nothing', () => {
    expect(websocketFindings({ ...base, outcome: 'upgraded', status: 101, idle: { targetSeconds: 65, closedAfterSeconds: 60.02, closeCode: 1006 } })).toMatchObject([{ code: 'WEBSOCKET_IDLE_CLOSED', details: { idleSeconds: 60.02, closeCode: 1006 } }]);
    expect(websocketFindings({ ...base, outcome: 'upgraded', status: 101, idle: { targetSeconds: 65 } })).toEqual([]);
  });
});

describe('rate-limit burst', () => {
  it('503 after successes -> RATE_LIMIT_WRONG_STATUS (nginx); 429 -> nothing; no limit -> nothing', () => {
    expect(burstFindings({ requests: 30, path: '/v1/models', durationMs: 100, statuses: { 401: 21, 503: 9 }, limited: { status: 503, index: 21, server: 'nginx/1.22.1' } })).toMatchObject([{ code: 'RATE_LIMIT_WRONG_STATUS', details: { status: 503, intermediary: 'nginx' } }]);
    expect(burstFindings({ requests: 30, path: '/', durationMs: 100, statuses: { 401: 21, 429: 9 }, limited: { status: 429, index: 21, retryAfter: '1' } })).toEqual([]);
    expect(burstFindings({ requests: 30, path: '/', durationMs: 100, statuses: { 401: 30 } })).toEqual([]);
  });
  it('429 without Retry-After -> RATE_LIMIT_NO_RETRY_AFTER (the status is right, the header missing)', () => {
    const f = burstFindings({ requests: 30, path: '/v1/models', durationMs: 100, statuses: { 401: 21, 429: 9 }, limited: { status: 429, index: 21, server: 'nginx/1.22.1' } });
    expect(f).toMatchObject([{ code: 'RATE_LIMIT_NO_RETRY_AFTER', details: { status: 429, retryAfter: null, intermediary: 'nginx' } }]);
    expect(f[0]!.evidence[0]).toContain('from request 22 on: 429 (server nginx/1.22.1), but without a Retry-After header');
  });
});

describe('gatewayFindings', () => {
  it('skipped checks give nothing; every finding is an http-stage code with a catalogue entry', () => {
    const skipped = { skipped: 'x' };
    const s: GatewaySection = {
      redirect: { url: 'http://gw/', reply: ans(301) },
      headers: { probes: [{ path: '/', reply: ans(401) }] },
      cors: { origin: 'https://a.example', requestHeaders: ['authorization'], preflight: { path: '/', reply: ans(403) } },
      body: skipped, websocket: { url: 'wss://gw/', keySent: false, outcome: 'refused', status: 400 }, burst: skipped, durationMs: 1,
    };
    const f = gatewayFindings(s, { scheme: 'https' });
    expect(codes(f).sort()).toEqual(['CORS_PREFLIGHT_REJECTED', 'HSTS_MISSING', 'REDIRECT_DROPS_METHOD', 'SECURITY_HEADERS_MISSING', 'WEBSOCKET_UPGRADE_FAILED']);
    for (const x of f) {
      expect(x.stage).toBe('http');
      expect(catalogueEntry(x.code)).toMatchObject({ stage: 'http', owner: 'gateway' });
    }
  });
});

describe('options and the note before probing', () => {
  it('origins as browsers send them', () => {
    expect(parseOrigin('https://App.Example.com')).toBe('https://app.example.com');
    expect(parseOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
    for (const bad of ['garbage', 'app.example.com', 'https://a.example/x', 'https://a.example?q', 'javascript:alert(1)', 'https://', 'null']) expect(() => parseOrigin(bad)).toThrow(/not an origin/);
  });
  it('--burst 1..50', () => {
    expect(parseBurst('1')).toBe(1);
    expect(parseBurst('50')).toBe(50);
    for (const bad of ['0', '51', '1e3', '', ' ', '-1', '2.5']) expect(() => parseBurst(bad)).toThrow(/--burst/);
  });
  it('evidently own: loopback, private literals, --resolve pins to them; a public name is not', () => {
    const own = (t: string, resolve: string[] = []) => evidentlyOwnHost(buildConfig(t, { resolve }));
    expect(own('localhost:8443')).toBe(true);
    expect(own('https://127.0.0.1:8443')).toBe(true);
    expect(own('[::1]:443')).toBe(true);
    expect(own('10.1.2.3')).toBe(true);
    expect(own('gw.internal.example', ['gw.internal.example:443:192.168.1.5'])).toBe(true);
    expect(own('gw.example.com')).toBe(false);
    expect(own('gw.example.com', ['gw.example.com:443:8.8.8.8'])).toBe(false);
    expect(own('8.8.8.8')).toBe(false);
    expect(probeNotice(buildConfig('gw.example.com', { gateway: true }))).toMatch(/--gateway probes gw\.example\.com/);
    expect(probeNotice(buildConfig('gw.example.com', {}))).toBeUndefined();
    expect(probeNotice(buildConfig('127.0.0.1', { gateway: true, mtu: true }))).toBeUndefined();
  });
  it('defaults: http port 80, 65 s idle; companions need --gateway', () => {
    expect(buildConfig('gw.example.com', { gateway: true }).gateway).toEqual({ httpPort: 80, wsIdleMs: 65_000 });
    expect(() => buildConfig('gw.example.com', { burst: '5' })).toThrow(/--burst needs --gateway/);
  });
});
