/**
 * Who answered (pure): an intermediary's own reply (Envoy, nginx, HAProxy, Cloudflare, AWS ELB,
 * Google Front End, Squid) or the API behind them; and whether that intermediary belongs to the
 * provider (its edge) or to the user's side (a gateway). Attribution comes before interpretation:
 * an Envoy reset page next to `cf-ray` and the provider's request-id headers is the provider's
 * own Envoy, not the user's mesh.
 */
import type { Origin, ProviderName } from '../report.js';
import { parseAnyError } from '../providers/errors.js';

export type Intermediary = 'envoy' | 'nginx' | 'haproxy' | 'cloudflare' | 'aws-elb' | 'google-frontend' | 'squid' | 'unknown';

/** One HTTP response, as far as attribution needs it. Header names lower-case. */
export interface ResponseFacts {
  status: number;
  headers: Record<string, string>;
  /** The start of the body (a few KiB are plenty). */
  body: string;
  host: string;
  provider: ProviderName;
  /** True when the response came over https (so it was written by whoever holds the host's certificate). */
  https: boolean;
}

export interface Attribution {
  /** The hop that wrote this response: an intermediary's own page, the provider's API, or unknown. */
  answeredBy: Intermediary | 'provider';
  /** Intermediaries whose traces appear in the headers (present on the path). */
  seen: Intermediary[];
  /** True when what answered belongs to the provider (its edge or its API). */
  providerSide: boolean;
  origin: Origin;
  /** Why, in plain words. */
  evidence: string[];
}

/** Hosts of the providers' public APIs. */
export function isProviderHost(host: string): boolean {
  return (
    host === 'api.openai.com' ||
    host === 'api.anthropic.com' ||
    host === 'generativelanguage.googleapis.com' ||
    host.endsWith('.openai.azure.com') ||
    host.endsWith('.cognitiveservices.azure.com') ||
    host.endsWith('.services.ai.azure.com')
  );
}

/** A body that an intermediary writes itself (its error page). */
export function bodySignature(body: string, headers: Record<string, string>): Intermediary | undefined {
  const b = body.slice(0, 8192);
  const server = (headers.server ?? '').toLowerCase();
  if (/upstream connect error or disconnect\/reset before headers|^\s*(retried and the latest )?reset reason: /i.test(b)) return 'envoy';
  if (/^\s*(no healthy upstream|upstream request timeout|upstream max stream duration reached|maintenance mode)\s*$/i.test(b)) return 'envoy';
  if (/<hr><center>(nginx|openresty|tengine)[^<]*<\/center>/i.test(b)) return 'nginx';
  if (/^<html><body><h1>\d{3} [^<]*<\/h1>/i.test(b.trimStart())) return 'haproxy';
  if (/cf-error-details|cf-wrapper|cloudflare ray id|cf_gateway_timeout|used cloudflare to restrict access/i.test(b)) return 'cloudflare';
  if (/^\s*error code: (10\d\d|52\d)\s*$/i.test(b)) return 'cloudflare';
  if (/Error \d{3} \(Server Error\)!!1|That(’|')s an error\.|Please try again in 30 seconds/i.test(b)) return 'google-frontend';
  if (headers['x-squid-error'] !== undefined || /generated .* by .*\(squid\//i.test(b)) return 'squid';
  // AWS ALB writes the nginx-looking page without the nginx footer (and says awselb); the same
  // page with no ALB header is nginx with its footer removed (ingress-nginx, custom builds).
  if (/<center><h1>\d{3} [^<]*<\/h1><\/center>/i.test(b)) return server.startsWith('awselb') ? 'aws-elb' : 'nginx';
  // nginx writes its pages with CRLF line ends (ALB with LF): enough when only the head survives.
  if (/^<html>\r\n<head><title>\d{3} [^<]*<\/title><\/head>/i.test(b.trimStart())) return 'nginx';
  return undefined;
}

/** Intermediaries whose traces appear in the headers. */
export function headerSignatures(headers: Record<string, string>): Intermediary[] {
  const found = new Set<Intermediary>();
  const server = (headers.server ?? '').toLowerCase();
  const via = (headers.via ?? '').toLowerCase();
  if (/envoy/.test(server) || Object.keys(headers).some((h) => h.startsWith('x-envoy-'))) found.add('envoy');
  if (/^(nginx|openresty|tengine)/.test(server)) found.add('nginx');
  if (/haproxy/.test(server)) found.add('haproxy');
  if (server === 'cloudflare' || headers['cf-ray'] !== undefined || headers['cf-cache-status'] !== undefined) found.add('cloudflare');
  if (server.startsWith('awselb') || headers['x-amzn-trace-id'] !== undefined) found.add('aws-elb');
  if (/google frontend|^gfe\/|^esf$/.test(server) || /\bgoogle\b/.test(via)) found.add('google-frontend');
  if (/squid/.test(server) || /squid/.test(via) || headers['x-squid-error'] !== undefined) found.add('squid');
  return [...found];
}

/** Headers only the providers' API tiers send (request ids, processing times, rate-limit families). */
export function providerMarkers(headers: Record<string, string>): string[] {
  const names = Object.keys(headers);
  const out: string[] = [];
  for (const h of ['openai-processing-ms', 'openai-organization', 'openai-version', 'openai-project', 'anthropic-organization-id', 'apim-request-id', 'x-ms-region', 'x-goog-request-id']) {
    if (headers[h] !== undefined) out.push(h);
  }
  if (/^req_/.test(headers['request-id'] ?? '')) out.push('request-id');
  if (names.some((h) => h.startsWith('anthropic-ratelimit-'))) out.push('anthropic-ratelimit-*');
  return out;
}

/** A JSON error body in one of the API families' shapes (a provider, or an API server like vLLM). */
function apiErrorBody(body: string): boolean {
  const e = parseAnyError(body);
  return e !== undefined && (e.code !== undefined || e.type !== undefined || e.message !== undefined);
}

export function attribute(r: ResponseFacts): Attribution {
  const evidence: string[] = [];
  const seen = headerSignatures(r.headers);
  const markers = providerMarkers(r.headers);
  const page = bodySignature(r.body, r.headers);
  const providerHost = isProviderHost(r.host);

  let answeredBy: Attribution['answeredBy'];
  if (page) {
    answeredBy = page;
    evidence.push(`the body is ${page}'s own error page`);
  } else if (apiErrorBody(r.body) || markers.length > 0 || (r.status >= 200 && r.status < 300)) {
    // Cloudflare surfaces a 524 as JSON through the provider's API format: the page test above caught it.
    answeredBy = 'provider';
    if (markers.length > 0) evidence.push(`provider headers present: ${markers.join(', ')}`);
    else if (r.status >= 300 || r.status < 200) evidence.push('the body is an API error in JSON, written by the API server');
  } else if (seen.includes('envoy') && r.headers['x-envoy-upstream-service-time'] === undefined && r.status >= 400) {
    // Envoy adds x-envoy-upstream-service-time only when the upstream sent headers: without it, Envoy wrote this itself.
    answeredBy = 'envoy';
    evidence.push('Envoy headers without x-envoy-upstream-service-time: Envoy wrote the reply itself');
  } else if (seen.length === 1 && r.status >= 400 && r.body.trim() === '') {
    answeredBy = seen[0]!;
    evidence.push(`an empty ${r.status} with ${seen[0]}'s headers and nothing from an API`);
  } else {
    answeredBy = 'unknown';
  }
  if (seen.length > 0) evidence.push(`hops seen in the headers: ${seen.join(', ')}`);

  // Whoever answered over verified https at the provider's own host name holds the provider's
  // certificate; provider request ids, cf-ray or Google's via header say the same from headers.
  const edgeHints: string[] = [];
  if (providerHost && r.https) edgeHints.push(`${r.host} over https is the provider's own host`);
  if (markers.length > 0) edgeHints.push('provider request headers');
  if (providerHost && (r.headers['cf-ray'] !== undefined || /\bgoogle\b/.test((r.headers.via ?? '').toLowerCase()))) edgeHints.push('provider edge headers (cf-ray / via google)');
  const providerSide = answeredBy === 'provider' || (answeredBy !== 'squid' && edgeHints.length > 0);

  let origin: Origin;
  if (answeredBy === 'squid') origin = 'forward-proxy';
  else if (answeredBy === 'provider') origin = 'provider';
  else if (providerSide) {
    origin = 'provider-edge';
    evidence.push(`the provider's edge answered (${edgeHints.join('; ')})`);
  } else if (answeredBy === 'unknown') origin = 'unknown';
  else {
    origin = 'gateway';
    evidence.push(`${answeredBy} is on your side of the provider: nothing ties it to the provider`);
  }
  return { answeredBy, seen, providerSide, origin, evidence };
}
