/**
 * Issue 11 item 9: a reported cause must be the cause. For representative findings, the "where"
 * (origin), "owner" and "retry helps" fields the user reads must follow from the evidence: a 503
 * the provider's edge wrote is the provider's, an intermediary the user runs is the gateway's, a
 * refusal that retrying cannot change says so. Each row runs the real rules, then compose() (the
 * catalogue defaults the rules did not override), and pins the three fields.
 */
import { describe, expect, it } from 'vitest';
import { CANNED, type CannedName } from '../../fixtures/http-bodies.js';
import { compose } from '../../src/diagnose/compose.js';
import { classifyResponse, type ResponseEvidence } from '../../src/diagnose/http/response-rules.js';
import { errorEventAdvice } from '../../src/diagnose/stream/rules.js';
import { decideDns } from '../../src/diagnose/dns/rules.js';
import type { ProviderName } from '../../src/report.js';
import type { Finding } from '../../src/stages/types.js';

const NOW = Date.parse('2026-11-21T10:00:00Z');

function ev(name: CannedName, o: Partial<ResponseEvidence> = {}): ResponseEvidence {
  const c = CANNED[name];
  return { status: c.status, headers: c.headers, body: c.body, host: 'relay.internal', provider: 'generic' as ProviderName, https: true, keySent: true, elapsedMs: 120, nowMs: NOW, ...o };
}
function raw(status: number, headers: Record<string, string>, body: string, o: Partial<ResponseEvidence> = {}): ResponseEvidence {
  return { status, headers, body, host: 'relay.internal', provider: 'generic' as ProviderName, https: true, keySent: true, elapsedMs: 80, nowMs: NOW, ...o };
}
/** The diagnosis as the user reads it: the rules' finding through the catalogue. */
function read(f: Finding | undefined, stage: 'http' | 'stream' | 'dns' = 'http') {
  if (!f) throw new Error('no finding');
  const d = compose([{ ...f, stage }]).diagnoses[0]!;
  return { code: d.code, origin: d.origin, owner: d.owner, retry: d.retry };
}

const CF_503 = '<!DOCTYPE html><html><head><title>api.openai.com | 503: Service temporarily unavailable</title></head><body><div id="cf-error-details">Error 503</div></body></html>';
const NGINX_503 = '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';
const SCOPES = JSON.stringify({ error: { message: 'You have insufficient permissions for this operation. Missing scopes: model.request. Check that you have the correct role.', type: 'invalid_request_error', param: null, code: null } });

type Row = [string, () => Finding | undefined, { code: string; origin: string; owner: string; retry: string }];

const ROWS: Row[] = [
  // Who wrote a 5xx decides who owns it.
  ['a 503 the provider\'s Cloudflare edge wrote at api.openai.com is the provider\'s', () => classifyResponse(raw(503, { server: 'cloudflare', 'cf-ray': '8f00aa-FRA', 'content-type': 'text/html' }, CF_503, { host: 'api.openai.com', provider: 'openai' })), { code: 'BAD_GATEWAY', origin: 'provider-edge', owner: 'provider', retry: 'yes' }],
  ['the provider\'s own 503 (overloaded JSON) is the provider\'s, and retrying helps', () => classifyResponse(ev('openai.503.overloaded', { host: 'api.openai.com', provider: 'openai' })), { code: 'OVERLOADED', origin: 'provider', owner: 'provider', retry: 'yes' }],
  ['a 502 of the nginx the user runs is the gateway\'s', () => classifyResponse(ev('nginx.502')), { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', retry: 'once' }],
  ['a 504 of the user\'s HAProxy is the gateway\'s', () => classifyResponse(ev('haproxy.504')), { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', retry: 'no' }],
  ['nginx\'s fast 503 page is the gateway\'s own rate limit, and retrying later helps', () => classifyResponse(raw(503, { server: 'nginx/1.22.1', 'content-type': 'text/html' }, NGINX_503)), { code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', retry: 'yes' }],
  ['a 429 the user\'s HAProxy writes is the gateway\'s limit', () => classifyResponse(ev('haproxy.429')), { code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', retry: 'yes' }],
  ['the provider\'s 500 is the provider\'s', () => classifyResponse(ev('openai.500', { host: 'api.openai.com', provider: 'openai' })), { code: 'SERVER_ERROR', origin: 'provider', owner: 'provider', retry: 'yes' }],
  ['Anthropic\'s 529 is the provider\'s, retry helps', () => classifyResponse(ev('anthropic.529', { host: 'api.anthropic.com', provider: 'anthropic' })), { code: 'OVERLOADED', origin: 'provider', owner: 'provider', retry: 'yes' }],
  // Refusals that retrying cannot change.
  ['an exhausted quota (429) is yours and retrying does not help', () => classifyResponse(ev('openai.429.quota', { host: 'api.openai.com', provider: 'openai' })), { code: 'QUOTA_EXCEEDED', origin: 'provider', owner: 'you', retry: 'no' }],
  ['a rate limit (429 with headers) is yours to pace, retry helps', () => classifyResponse(ev('openai.429.rate', { host: 'api.openai.com', provider: 'openai' })), { code: 'RATE_LIMITED', origin: 'provider', owner: 'you', retry: 'yes' }],
  ['a refused key is yours, no retry', () => classifyResponse(ev('openai.401.invalid', { host: 'api.openai.com', provider: 'openai' })), { code: 'AUTH_INVALID', origin: 'provider', owner: 'you', retry: 'no' }],
  ['a key without a scope is yours, no retry', () => classifyResponse(raw(401, { 'content-type': 'application/json' }, SCOPES, { host: 'api.openai.com', provider: 'openai' })), { code: 'FORBIDDEN', origin: 'provider', owner: 'you', retry: 'no' }],
  ['an unknown model is yours, no retry', () => classifyResponse(ev('openai.404.model', { host: 'api.openai.com', provider: 'openai' })), { code: 'NOT_FOUND', origin: 'provider', owner: 'you', retry: 'no' }],
  // A body limit: the gateway's when its own page says so, yours when the API refuses the size.
  ['nginx\'s own 413 page is the gateway operator\'s limit to raise', () => classifyResponse(ev('nginx.413')), { code: 'REQUEST_TOO_LARGE', origin: 'gateway', owner: 'gateway', retry: 'no' }],
  ['the API\'s own 413 is yours (send less)', () => classifyResponse(ev('anthropic.413', { host: 'api.anthropic.com', provider: 'anthropic' })), { code: 'REQUEST_TOO_LARGE', origin: 'provider', owner: 'you', retry: 'no' }],
  // Hops of the network.
  ['a squid 403 is the forward proxy\'s, the network team\'s', () => classifyResponse(ev('squid.403')), { code: 'FORBIDDEN', origin: 'forward-proxy', owner: 'network', retry: 'no' }],
  ['a 407 with no proxy configured is a transparent proxy\'s, the network team\'s', () => classifyResponse(raw(407, { 'proxy-authenticate': 'Basic realm="corp"', 'content-type': 'text/html' }, '<html><title>407</title></html>')), { code: 'PROXY_AUTH_REQUIRED', origin: 'forward-proxy', owner: 'network', retry: 'no' }],
  ['a web filter\'s HTML 403 is the network\'s, not the key\'s', () => classifyResponse(raw(403, { 'content-type': 'text/html' }, '<html><head><title>Blocked by Web Filter</title></head></html>')), { code: 'FORBIDDEN', origin: 'network', owner: 'network', retry: 'no' }],
  // In-stream errors.
  ['an overloaded error event is the provider\'s, retry helps', () => ({ code: 'STREAM_ERROR_EVENT', evidence: ['e'], ...errorEventAdvice({ type: 'overloaded_error' }) }), { code: 'STREAM_ERROR_EVENT', origin: 'provider', owner: 'provider', retry: 'yes' }],
  ['an invalid-request error event is yours, no retry', () => ({ code: 'STREAM_ERROR_EVENT', evidence: ['e'], ...errorEventAdvice({ type: 'invalid_request_error', code: 'context_length_exceeded' }) }), { code: 'STREAM_ERROR_EVENT', origin: 'provider', owner: 'you', retry: 'no' }],
  // DNS: applications here cannot resolve, whatever --resolver says.
  [
    'a system lookup that fails where --resolver answers is this machine\'s to fix',
    () =>
      decideDns({
        host: 'llm.corp.test',
        directFrom: '--resolver',
        system: { addresses: [], error: 'ENOTFOUND', ms: 3 },
        queries: ['A', 'AAAA'].map((type) => ({ server: '10.0.0.53:53', name: 'llm.corp.test', type, transport: 'udp', truncated: false, outcome: 'answer', rcode: 'NOERROR', addresses: type === 'A' ? ['10.1.2.3'] : [], cnames: [], ms: 2 })) as never,
        hostsEntries: [],
        hostsFile: '/etc/hosts',
      }).findings[0],
    { code: 'DNS_SYSTEM_UNRESOLVED', origin: 'local', owner: 'you', retry: 'no' },
  ],
];

describe('origin, owner and retry follow the evidence', () => {
  it.each(ROWS)('%s', (_name, make, want) => {
    const stage = want.code.startsWith('DNS') ? 'dns' : want.code.startsWith('STREAM') ? 'stream' : 'http';
    expect(read(make(), stage)).toEqual(want);
  });
});

// Second held-out run (issue 11, class 9): the same three fields for the findings of the features
// merged since (TLS dates by host, HTTP/2, unsigned 5xx of the user's own server, scope wordings,
// --gateway on a provider's name, key findings).
import { decideTls, type TlsFacts } from '../../src/diagnose/tls/rules.js';
import type { CertInfo } from '../../src/net/tls/cert.js';
import { gatewayFindingOwner, isUsersOwnHost, ownerFromProviderEdge } from '../../src/diagnose/accuracy/own-host.js';
import { h2Finding } from '../../src/diagnose/http/h2-rules.js';

const T = Date.parse('2026-11-21T10:00:00Z');
const c2 = (over: Partial<CertInfo> = {}): CertInfo => ({
  subject: 'CN=x', issuer: 'CN=Issuing CA', sans: ['DNS:x'], validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', sha256: 'AA', serialNumber: '01', selfSigned: false, ca: false, ...over,
});
function expiredInter(host: string, provider: ProviderName, serverDate: TlsFacts['serverDate'] = { date: 'now', ms: T }): Finding {
  const inter = c2({ subject: 'CN=Issuing CA', issuer: 'CN=Root', ca: true, validFrom: '2019-01-01T00:00:00.000Z', validTo: '2020-01-01T00:00:00.000Z' });
  const root = c2({ subject: 'CN=Root', issuer: 'CN=Root', ca: true, selfSigned: true, validTo: '2040-01-01T00:00:00.000Z' });
  const f: TlsFacts = { host, port: 443, provider, nowMs: T, extraCa: true, viaProxy: false, serverDate, handshake: { kind: 'ok', ms: 5, bytesWritten: 1, bytesRead: 1, hostname: { ok: true }, chainError: 'CERT_HAS_EXPIRED', chain: [c2(), inter, root] } };
  return decideTls(f).find((x) => x.code === 'TLS_CERT_EXPIRED')!;
}
const readTls = (f: Finding) => {
  const d = compose([{ ...f, stage: 'tls' }]).diagnoses[0]!;
  return { code: d.code, origin: d.origin, owner: d.owner, retry: d.retry };
};

describe('second held-out run: cause fields of later features', () => {
  it('an expired intermediate on the path: the provider\'s only on a provider\'s public name', () => {
    expect(readTls(expiredInter('api.openai.com', 'openai'))).toEqual({ code: 'TLS_CERT_EXPIRED', origin: 'unknown', owner: 'provider', retry: 'no' });
    for (const [host, provider] of [['localhost', 'openai'], ['10.1.2.3', 'openai'], ['llm.corp.example', 'openai-compatible'], ['gw.example.com', 'anthropic']] as const) {
      expect(readTls(expiredInter(host, provider)).owner, host).toBe('gateway');
    }
    // No server Date: a provider's name keeps the catalogue default; a name of the user's side is theirs.
    expect(readTls(expiredInter('localhost', 'openai', { error: 'no Date' })).owner).toBe('gateway');
  });

  it('an unsigned 503 (no API body, no hop) from the user\'s own host is not the provider\'s; from a provider\'s name it is', () => {
    expect(read(classifyResponse(raw(503, {}, '', { host: '127.0.0.1', provider: 'openai-compatible' })))).toMatchObject({ code: 'OVERLOADED', owner: 'gateway' });
    expect(read(classifyResponse(raw(503, {}, '', { host: 'api.openai.com', provider: 'openai' })))).toMatchObject({ code: 'OVERLOADED', owner: 'provider' });
    expect(read(classifyResponse(raw(500, {}, '', { host: 'llm.internal', provider: 'generic' })))).toMatchObject({ code: 'SERVER_ERROR', owner: 'gateway' });
    expect(read(classifyResponse(raw(502, {}, '', { host: 'llm.internal', provider: 'generic' }))).owner).not.toBe('provider');
    expect(isUsersOwnHost('api.openai.com', 'openai-compatible')).toBe(false);
    expect(isUsersOwnHost('[::1]', 'openai')).toBe(true);
  });

  it('scope refusals in other wordings: yours, no retry', () => {
    const body = JSON.stringify({ error: { message: 'The API key is missing the required scope(s): api.responses.write', type: 'invalid_request_error', code: 'missing_scope' } });
    expect(read(classifyResponse(raw(401, { 'content-type': 'application/json' }, body, { host: 'api.openai.com', provider: 'openai' })))).toEqual({ code: 'FORBIDDEN', origin: 'provider', owner: 'you', retry: 'no' });
    const rfc = classifyResponse(raw(403, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="chat:write"' }, ''));
    expect(rfc!.details).toMatchObject({ forbiddenBy: 'scope', missingScopes: ['chat:write'] });
  });

  it('HTTP/2 refusals: the gateway\'s by default, the provider edge\'s on its own name with nothing between; retry from the code', () => {
    const wire = { bytesWritten: 1, bytesRead: 1 };
    const refused = () => h2Finding({ frame: 'RST_STREAM', code: 7, name: 'REFUSED_STREAM' }, wire, {});
    expect(read(refused())).toEqual({ code: 'HTTP2_STREAM_ERROR', origin: 'unknown', owner: 'gateway', retry: 'yes' });
    const onEdge = refused();
    expect(ownerFromProviderEdge(onEdge, { host: 'api.openai.com', https: true, viaProxy: false, hops: [] })).toBe(true);
    expect(read(onEdge)).toEqual({ code: 'HTTP2_STREAM_ERROR', origin: 'provider-edge', owner: 'provider', retry: 'yes' });
    // An nginx in the headers, a proxy, plain http or a custom name: nothing says it is the provider's.
    for (const o of [{ hops: ['nginx'] }, { viaProxy: true }, { https: false }, { host: 'llm.corp.example' }]) {
      const f = refused();
      expect(ownerFromProviderEdge(f, { host: 'api.openai.com', https: true, viaProxy: false, hops: [], ...o })).toBe(false);
      expect(read(f).owner).toBe('gateway');
    }
    const calm = h2Finding({ frame: 'GOAWAY', code: 11, name: 'ENHANCE_YOUR_CALM' }, wire, {});
    expect(read(calm).retry).toBe('no');
    const cancel = h2Finding({ frame: 'RST_STREAM', code: 8, name: 'CANCEL', inferred: 'bare close' }, wire, {});
    expect(read(cancel)).toMatchObject({ retry: 'once' });
  });

  it('a stall straight from a provider\'s name is the provider\'s; behind any hop, the gateway\'s', () => {
    const stall = (): Finding => ({ code: 'STREAM_STALLED', evidence: ['headers, then nothing'] });
    const f = stall();
    ownerFromProviderEdge(f, { host: 'api.anthropic.com', https: true, viaProxy: false, hops: [] });
    expect(read(f, 'stream')).toEqual({ code: 'STREAM_STALLED', origin: 'provider-edge', owner: 'provider', retry: 'once' });
    const g = stall();
    ownerFromProviderEdge(g, { host: 'api.anthropic.com', https: true, viaProxy: false, hops: ['envoy'] });
    expect(read(g, 'stream')).toMatchObject({ origin: 'unknown', owner: 'gateway' });
    // A keep-alive comment stream already named the producer: left alone.
    const kept: Finding = { code: 'STREAM_STALLED', evidence: ['x'], origin: 'provider', owner: 'provider' };
    expect(ownerFromProviderEdge(kept, { host: 'api.anthropic.com', https: true, viaProxy: false, hops: [] })).toBe(false);
  });

  it('--gateway findings on a provider\'s public name describe the provider\'s edge', () => {
    expect(gatewayFindingOwner('api.openai.com')).toEqual({ origin: 'provider-edge', owner: 'provider' });
    expect(gatewayFindingOwner('localhost')).toBeUndefined();
    expect(gatewayFindingOwner('gw.corp.example')).toBeUndefined();
    const hdr = compose([{ code: 'SECURITY_HEADERS_MISSING', evidence: ['x'], stage: 'http' }]).diagnoses[0]!;
    expect({ origin: hdr.origin, owner: hdr.owner, retry: hdr.retry }).toEqual({ origin: 'gateway', owner: 'gateway', retry: 'no' });
  });

  it('key findings are this machine\'s, and retrying never helps', () => {
    for (const code of ['KEY_NOT_GIVEN', 'KEY_IN_URL', 'API_KEY_FORMAT']) {
      const d = compose([{ code, evidence: ['x'], stage: 'env' }]).diagnoses[0]!;
      expect({ origin: d.origin, owner: d.owner, retry: d.retry }, code).toEqual({ origin: 'local', owner: 'you', retry: 'no' });
    }
  });
});
