/**
 * Who answered (pure): an intermediary's own reply (Envoy, nginx, HAProxy, Cloudflare, AWS ELB,
 * Google Front End, Squid, Kong, Caddy, AWS API Gateway, Akamai, Varnish/Fastly, Traefik) or the API behind them; and whether that intermediary belongs to the
 * provider (its edge) or to the user's side (a gateway). Attribution comes before interpretation:
 * an Envoy reset page next to `cf-ray` and the provider's request-id headers is the provider's
 * own Envoy, not the user's mesh.
 */
import type { Origin, ProviderName } from '../../report.js';
import { parseAnyError, parseJson } from '../../providers/errors.js';
import { bodySignature, headerSignatures, isProviderHost, PASS_THROUGH, providerMarkers, type Intermediary } from './intermediary-signatures.js';

export type { Intermediary } from './intermediary-signatures.js';
export { bodySignature, headerSignatures, isProviderHost, providerMarkers } from './intermediary-signatures.js';

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

/** A JSON error body in one of the API families' shapes (a provider, or an API server like vLLM). */
function apiErrorBody(body: string): boolean {
  const e = parseAnyError(body);
  return e !== undefined && (e.code !== undefined || e.type !== undefined || e.message !== undefined);
}

/**
 * API gateways (Kong, AWS API Gateway) write their own replies as a bare `{"message": ...}`;
 * the APIs behind them answer in their own error shapes. AWS API Gateway also names its own
 * errors in x-amzn-ErrorType.
 */
function gatewayJson(r: ResponseFacts, seen: Intermediary[]): Intermediary | undefined {
  const gw = seen.find((h) => h === 'kong' || h === 'aws-apigateway');
  if (!gw) return undefined;
  if (gw === 'aws-apigateway' && r.headers['x-amzn-errortype'] !== undefined) return gw;
  const v = parseJson(r.body);
  const bare = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>).message === 'string' && !('error' in v);
  return bare ? gw : undefined;
}

/**
 * A 502/503/504 HTML page (an error_page of nginx with proxy_intercept_errors, a maintenance page)
 * with the headers of one reverse proxy only: API servers do not answer in HTML, so that proxy
 * served it. Hops that overwrite Server or pass origin pages through are not taken.
 */
function gatewayPage(r: ResponseFacts, seen: Intermediary[]): Intermediary | undefined {
  if (r.status < 502 || r.status > 504) return undefined;
  const html = /text\/html/i.test(r.headers['content-type'] ?? '') || /^\s*<(!doctype|html)/i.test(r.body);
  const own = seen.filter((h) => !PASS_THROUGH.includes(h));
  return html && own.length === 1 ? own[0] : undefined;
}

export function attribute(r: ResponseFacts): Attribution {
  const evidence: string[] = [];
  const seen = headerSignatures(r.headers);
  const markers = providerMarkers(r.headers);
  const page = bodySignature(r.body, r.headers);
  const providerHost = isProviderHost(r.host);

  let answeredBy: Attribution['answeredBy'];
  let gw: Intermediary | undefined;
  if (page) {
    answeredBy = page;
    evidence.push(`the body is ${page}'s own error page`);
  } else if (markers.length === 0 && r.status >= 400 && (gw = gatewayJson(r, seen))) {
    answeredBy = gw;
    evidence.push(`a bare {"message"} JSON body beside ${gw}'s headers and nothing from an API: ${gw} wrote the reply itself`);
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
  } else if (markers.length === 0 && (gw = gatewayPage(r, seen))) {
    answeredBy = gw;
    evidence.push(`an HTML ${r.status} page (no API writes those) with only ${gw}'s headers: ${gw} served its own error page`);
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
