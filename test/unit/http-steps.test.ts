/**
 * Remediation that fits the evidence: for real answers (canned and held-out bodies), the rules'
 * details pick the catalogue's steps. Each row says which steps must appear and which must not,
 * so a family's advice never leaks into another's report. Pure: no I/O.
 */
import { describe, expect, it } from 'vitest';
import { CANNED } from '../../fixtures/http-bodies.js';
import { HELDOUT } from '../../fixtures/http-heldout.js';
import type { Canned } from '../../fixtures/http-bodies.js';
import { toDiagnosis } from '../../src/diagnose/compose.js';
import { classifyResponse, type ResponseEvidence } from '../../src/diagnose/http/response-rules.js';
import type { Diagnosis, ProviderName } from '../../src/report.js';
import { timeoutHops } from '../../src/diagnose/http/timeout-hops.js';

const ALL: Record<string, Canned> = { ...CANNED, ...HELDOUT };

function diagnose(name: string, o: Partial<ResponseEvidence> = {}): Diagnosis {
  const c = ALL[name]!;
  const ev: ResponseEvidence = { status: c.status, headers: c.headers, body: c.body, host: 'relay.internal', provider: 'openai-compatible' as ProviderName, https: true, keySent: true, elapsedMs: 120, nowMs: Date.parse('2030-01-01T00:00:00Z'), ...o };
  const f = classifyResponse(ev);
  if (!f) throw new Error(`${name}: no finding`);
  const base = { host: ev.host, port: 443, hostPort: `${ev.host}:443`, url: `https://${ev.host}/v1`, provider: ev.provider, sniArg: '' };
  return toDiagnosis({ ...f, stage: 'http' }, base);
}

const stepsText = (d: Diagnosis) => d.remediation.map((r) => `[${r.who}] ${r.text} ${r.command ?? ''}`).join('\n');

// Markers of each Envoy family's own steps.
const ENVOY = {
  retry: /Retry with exponential backoff/,
  log: /access log by its response flag/,
  connect: /For a connection failure/,
  connectTimeout: /For a connection timeout/,
  termination: /For connection termination \(a keep-alive race\)/,
  retryOn: /For connection termination or a remote reset/,
  overflowYou: /\[you\] For overflow/,
  overflow: /\[gateway\] For overflow/,
  overload: /For the overload manager/,
  protocol: /For a protocol error/,
  remote: /For a remote reset:/,
  local: /For a local reset/,
  tls: /For a TLS transport failure/,
  provider: /\[provider\]/,
};
type Marker = keyof typeof ENVOY;
const FAMILY_MARKERS: Marker[] = ['connect', 'connectTimeout', 'termination', 'retryOn', 'overflowYou', 'overflow', 'overload', 'protocol', 'remote', 'local', 'tls'];

// name, markers that must appear (all others of FAMILY_MARKERS must not), the response flags grepped, evidence overrides
const ENVOY_TABLE: Array<[string, Marker[], string | undefined, Partial<ResponseEvidence>?]> = [
  ['envoy.reset.remote-refused', ['retry', 'log', 'connect'], 'UF|URX'],
  ['envoy.reset.cf-111', ['retry', 'log', 'connect'], 'UF'],
  ['envoy.503.unreach', ['retry', 'log', 'connect'], 'UF|URX'],
  ['envoy.reset.timeout', ['retry', 'log', 'connectTimeout'], 'UF'],
  ['envoy.reset.termination', ['retry', 'log', 'termination', 'retryOn'], 'UC'],
  ['envoy.reset.overflow', ['retry', 'log', 'overflowYou', 'overflow'], 'UO'],
  ['envoy.503.overload-mgr', ['retry', 'log', 'overload'], 'OM'],
  ['envoy.reset.protocol', ['log', 'protocol'], 'UPE'],
  ['envoy.503.refusedstream', ['retry', 'log', 'remote', 'retryOn'], 'UR'],
  ['envoy.503.localreset', ['retry', 'log', 'local'], 'LR'],
  ['envoy.reset.tls', ['log', 'connect', 'tls'], 'UF'],
  // An older build's bare sentence: no family, so only the general steps and every flag.
  ['envoy.reset.legacy', ['retry', 'log'], 'UF|UC|UO|UR|LR|UPE'],
  // The provider's own Envoy: nothing of the mesh's configuration applies.
  ['envoy.503.openai-edge', ['retry', 'provider'], undefined, { host: 'api.openai.com', provider: 'openai' }],
  ['anthropic.edge.envoy', ['retry', 'overflowYou', 'provider'], undefined, { host: 'api.anthropic.com', provider: 'anthropic' }],
];

describe('UPSTREAM_RESET_REPORTED: the steps of the reset family only', () => {
  it.each(ENVOY_TABLE)('%s', (name, want, flags, o) => {
    const d = diagnose(name, o);
    expect(d.code).toBe('UPSTREAM_RESET_REPORTED');
    const text = stepsText(d);
    for (const m of want) expect(text, `${name} lacks ${m}`).toMatch(ENVOY[m]);
    for (const m of FAMILY_MARKERS.filter((x) => !want.includes(x))) expect(text, `${name} has ${m}`).not.toMatch(ENVOY[m]);
    if (!want.includes('retry')) expect(text).not.toMatch(ENVOY.retry);
    if (!want.includes('provider')) expect(text).not.toMatch(ENVOY.provider);
    if (flags) expect(d.remediation.find((r) => ENVOY.log.test(r.text))!.command).toContain(`grep -E " (${flags}) "`);
    else expect(text).not.toMatch(ENVOY.log);
    expect(text).not.toMatch(/\{[a-zA-Z]+\}/);
  });
});

// name, must match, must not match, evidence overrides
const OTHER: Array<[string, string, RegExp[], RegExp[], Partial<ResponseEvidence>?]> = [
  // GATEWAY_TIMEOUT: the configuration of the hop that gave up, by its page or by the default it matched.
  ['nginx.504', 'GATEWAY_TIMEOUT', [/nginx: raise/, /streaming/], [/Envoy or Istio/, /HAProxy/, /AWS ALB/, /Kong/, /Traefik/, /\[provider\]/]],
  ['haproxy.504', 'GATEWAY_TIMEOUT', [/HAProxy: raise/], [/nginx: raise/, /Envoy or Istio/, /AWS ALB/]],
  ['alb.504', 'GATEWAY_TIMEOUT', [/AWS ALB: raise/], [/nginx: raise/, /HAProxy/, /Envoy/]],
  ['envoy.timeout', 'GATEWAY_TIMEOUT', [/Envoy or Istio: raise the route timeout/], [/nginx: raise/, /max_stream_duration/, /HAProxy/]],
  ['istio.504.ut', 'GATEWAY_TIMEOUT', [/Envoy or Istio: raise the route timeout/], [/nginx: raise/, /HAProxy/]],
  ['kong.504', 'GATEWAY_TIMEOUT', [/Kong: raise the read timeout/], [/nginx: raise/, /HAProxy/, /Envoy/]],
  ['traefik.504', 'GATEWAY_TIMEOUT', [/Traefik: check the servers transport/], [/nginx: raise/, /HAProxy/, /Envoy/]],
  ['apigw.504', 'GATEWAY_TIMEOUT', [/AWS API Gateway: integrations stop at 29 s/], [/nginx: raise/, /AWS ALB/]],
  ['cf.524.html', 'GATEWAY_TIMEOUT', [/Cloudflare in front of your own gateway/], [/nginx: raise/, /HAProxy/], { elapsedMs: 100_400 }],
  // No product could be told: the elapsed time picks the candidates (60 s: nginx, ALB, Kong).
  ['traefik.504', 'GATEWAY_TIMEOUT', [/nginx: raise/, /AWS ALB: raise/, /Kong: raise/], [/HAProxy/, /Envoy/, /Traefik/], { headers: {}, body: '', elapsedMs: 60_200 }],
  // No product, no known default: the common products' steps, as before.
  ['traefik.504', 'GATEWAY_TIMEOUT', [/nginx: raise/, /Envoy or Istio/, /HAProxy/, /AWS ALB/], [/Kong/, /Traefik/], { headers: {}, body: '', elapsedMs: 7_000 }],
  // BAD_GATEWAY: who wrote it decides where to look.
  ['nginx.502', 'BAD_GATEWAY', [/nginx: its error log/, /proxy_ssl_server_name/], [/HAProxy/, /Envoy/, /Traefik/, /\[provider\]/]],
  ['haproxy.502', 'BAD_GATEWAY', [/show servers state/], [/nginx/, /Envoy/]],
  ['envoy.no-healthy', 'BAD_GATEWAY', [/Envoy: see which hosts/], [/nginx/, /HAProxy/]],
  ['traefik.502', 'BAD_GATEWAY', [/Traefik: check the service's servers/], [/nginx/, /HAProxy/, /Envoy/]],
  ['alb.502', 'BAD_GATEWAY', [/describe-target-health/], [/nginx/, /HAProxy/]],
  ['cf.525', 'BAD_GATEWAY', [/Cloudflare in front of your origin/], [/Retry once/, /nginx/]],
  ['gfe.502', 'BAD_GATEWAY', [/\[provider\]/], [/nginx/, /\[gateway\]/], { host: 'generativelanguage.googleapis.com', provider: 'gemini' }],
  // FORBIDDEN: who refused.
  ['anthropic.403', 'FORBIDDEN', [/permissions of the key/, /egress address/], [/\[network\]/, /\[gateway\]/, /Run again with the key/]],
  ['haproxy.403.deny', 'FORBIDDEN', [/Your gateway refused the request itself/], [/permissions of the key/, /egress address/, /\[network\]/]],
  ['squid.403', 'FORBIDDEN', [/\[network\]/], [/permissions of the key/, /\[gateway\]/]],
  ['cf.1020', 'FORBIDDEN', [/Your gateway refused/], [/permissions of the key/]],
  ['anthropic.403', 'FORBIDDEN', [/Run again with the key/], [/permissions of the key/], { keySent: false }],
  // NOT_FOUND: path or model.
  ['compat.404.path', 'NOT_FOUND', [/Check the base path/, /has a route for this path/], [/List what the server offers/, /deployment list/]],
  ['vllm.404.model', 'NOT_FOUND', [/List what the server offers/], [/Check the base path/, /has a route/, /deployment list/]],
  ['azure.404.deployment', 'NOT_FOUND', [/az cognitiveservices account deployment list/], [/Check the base path/], { host: 'res.openai.azure.com', provider: 'azure-openai' }],
  // RATE_LIMITED and QUOTA_EXCEEDED: which limit.
  ['openai.429.rate', 'RATE_LIMITED', [/Retry after the delay/, /Spread the load/, /higher tier/], [/\[gateway\]/, /smaller than the per-minute/]],
  ['nginx.429', 'RATE_LIMITED', [/Your gateway answered the 429/], [/higher tier/]],
  ['gemini.429.day', 'QUOTA_EXCEEDED', [/per-day quota is used up/], [/allowance for this model or deployment is zero/]],
  ['azure.429.zero', 'QUOTA_EXCEEDED', [/allowance for this model or deployment is zero/], [/per-day/]],
  ['openai.429.quota', 'QUOTA_EXCEEDED', [/billing/], [/per-day/, /is zero/]],
  // AUTH_MISSING: none sent, lost on the way, or a login of the endpoint's own.
  ['openai.401.missing', 'AUTH_MISSING', [/Give the key/], [/login of its own/, /forwards the Authorization/], { keySent: false }],
  ['openrouter.401.nocreds', 'AUTH_MISSING', [/provider profile/, /forwards the Authorization/], [/Give the key/, /login of its own/]],
  ['basic.401.nginx', 'AUTH_MISSING', [/login of its own/], [/Give the key/, /forwards the Authorization/]],
];

describe('other http codes: steps that follow the details', () => {
  it.each(OTHER)('%s -> %s', (name, code, must, mustNot, o) => {
    const d = diagnose(name, o);
    expect(d.code).toBe(code);
    const text = stepsText(d);
    expect(d.remediation.length, text).toBeGreaterThan(0);
    for (const r of must) expect(text, name).toMatch(r);
    for (const r of mustNot) expect(text, name).not.toMatch(r);
  });
});

describe('timeoutHops: which hop gave up', () => {
  const T: Array<[string, string, string[], number, string[], string]> = [
    ['the writer wins over any default', 'nginx', ['nginx'], 15_100, ['nginx'], 'writer'],
    ['a matched default, narrowed to the hops on the path', 'unknown', ['kong', 'cloudflare'], 60_300, ['kong'], 'default'],
    ['a matched default with nothing on the path: all its products', 'unknown', [], 60_300, ['nginx', 'aws-elb', 'kong'], 'default'],
    ["Envoy's 15 s route timeout", 'unknown', [], 15_200, ['envoy'], 'default'],
    ['no default: the hops seen in the headers', 'unknown', ['haproxy'], 7_000, ['haproxy'], 'headers'],
    ['pass-through hops alone do not name the hop', 'unknown', ['cloudflare', 'google-frontend'], 7_000, ['unknown'], 'none'],
    ['nothing at all', 'unknown', [], 7_000, ['unknown'], 'none'],
    ["the provider's answer: only timing can tell", 'provider', [], 100_300, ['cloudflare'], 'default'],
  ];
  it.each(T)('%s', (_n, answeredBy, seen, ms, hops, basis) => {
    expect(timeoutHops(answeredBy, seen, ms)).toEqual({ hops, basis });
  });
});
