/**
 * Responses an intermediary wrote about its upstream (pure): Envoy's reset and timeout replies,
 * 502/503/504 pages of nginx, HAProxy, ALB, Google's front end, and Cloudflare's 52x. Their
 * owner is whoever runs that hop: the gateway's operator, or the provider for its own edge.
 */
import type { Retry } from '../../report.js';
import type { Finding } from '../../stages/types.js';
import type { EnvoyReply, ResetFamily } from './envoy.js';
import { timingEvidence } from './gateway-timeouts.js';
import { timeoutHops } from './timeout-hops.js';
import { finding, ownerOf, type ResponseContext } from './response-context.js';

/** What each reset family means, whether retrying helps, and the access-log response flags that mark it. */
const RESET_MEANING: Record<ResetFamily, { line: string; retry: Retry; flags: string }> = {
  'connect-failure': { line: 'the intermediary could not open a connection to its upstream (nothing listening, host down or restarting)', retry: 'yes', flags: 'UF' },
  'connect-timeout': { line: "the intermediary's connection attempt to its upstream timed out (upstream overloaded, blackholed SYN, or a stall in upstream TLS)", retry: 'yes', flags: 'UF' },
  termination: { line: 'an established upstream connection closed before the response headers: typically a keep-alive race, the upstream closing an idle pooled connection just as the intermediary reused it', retry: 'once', flags: 'UC' },
  overflow: { line: "a circuit breaker of the intermediary tripped (too many pending requests or connections): it is shedding load", retry: 'yes', flags: 'UO' },
  'overload-manager': { line: "the intermediary itself ran short of memory or CPU and shed the request (Envoy's overload manager)", retry: 'yes', flags: 'OM' },
  'remote-reset': { line: 'the upstream reset the stream (HTTP/2 RST_STREAM or refused stream)', retry: 'once', flags: 'UR' },
  'local-reset': { line: 'the intermediary reset the stream itself', retry: 'once', flags: 'LR' },
  'protocol-error': { line: 'the upstream answered with something that is not valid HTTP for the intermediary (HTTP/1 vs HTTP/2 mismatch, bad headers)', retry: 'no', flags: 'UPE' },
  'connect-request': { line: 'a CONNECT request through the intermediary failed', retry: 'yes', flags: 'UF' },
  unknown: { line: 'the reset reason is not one the tool knows; the intermediary access log has the response flags', retry: 'once', flags: 'UF|UC|UO|UR|LR|UPE' },
};

const TRANSPORT_LINE: Record<NonNullable<EnvoyReply['transportFamily']>, string> = {
  refused: 'the upstream refused the connection (errno 111, connection refused)',
  unreachable: 'the upstream was unreachable (no route to host)',
  timeout: 'the connection to the upstream timed out',
  reset: 'the upstream reset the connection',
  tls: 'TLS between the intermediary and its upstream failed (certificate verification, SNI or protocol)',
  other: 'see the transport failure reason',
};

function envoyFinding(c: ResponseContext, e: EnvoyReply): Finding {
  const fam = e.resetFamily ?? 'unknown';
  // resetFamily is always set (`unknown` for an older build's bare sentence): the catalogue picks its steps by it.
  const details: Record<string, unknown> = { intermediary: 'envoy', resetReason: e.resetReason ?? 'unknown', resetFamily: fam, retried: e.retried };
  if (e.transportFailureReason) details.transportFailureReason = e.transportFailureReason;
  if (e.transportFamily) details.transportFamily = e.transportFamily;
  const meaning = RESET_MEANING[fam];
  const extra = [e.resetReason ? `reset reason "${e.resetReason}": ${meaning.line}` : 'no reset reason in the body (an older Envoy build): the access log has the response flags'];
  if (e.transportFailureReason && e.transportFamily) extra.push(`transport failure reason "${e.transportFailureReason}": ${TRANSPORT_LINE[e.transportFamily]}`);
  if (e.retried) extra.push('the intermediary already retried; this is the latest attempt');
  const retry: Retry = e.transportFamily === 'tls' ? 'no' : meaning.retry;
  // URX: Envoy gave up after its retries; the flag of the last attempt's failure comes beside it.
  const envoyFlags = e.retried ? `${meaning.flags}|URX` : meaning.flags;
  return { ...finding(c, 'UPSTREAM_RESET_REPORTED', extra, { details, owner: ownerOf(c.attr.origin), retry }), params: { envoyFlags } };
}

function timeoutFinding(c: ResponseContext, hop: string, envoyReply?: EnvoyReply['kind']): Finding {
  c = gatewayStatus(c);
  const extra = [timingEvidence(c.ev.elapsedMs, `${hop} gave up`)];
  const ust = Number(c.ev.headers['x-envoy-upstream-service-time']);
  if (Number.isFinite(ust) && ust > 0) extra.push(timingEvidence(ust, 'x-envoy-upstream-service-time says the upstream was waited on'));
  // Which hop's settings the steps should name: the writer, else the hop whose default matches.
  const th = timeoutHops(envoyReply ? 'envoy' : c.attr.answeredBy, c.attr.seen, c.ev.elapsedMs);
  const details: Record<string, unknown> = { elapsedMs: Math.round(c.ev.elapsedMs), timeoutHops: th.hops, timeoutHopBasis: th.basis };
  if (envoyReply) details.envoyReply = envoyReply;
  return finding(c, 'GATEWAY_TIMEOUT', extra, { owner: ownerOf(c.attr.origin), details });
}

const CLOUDFLARE_52X: Record<number, string> = {
  520: 'Cloudflare got an empty or unknown answer from the origin',
  521: 'the origin refused Cloudflare\'s connection (down, or blocking Cloudflare)',
  522: 'Cloudflare\'s connection to the origin timed out',
  523: 'Cloudflare cannot route to the origin',
  525: 'the TLS handshake between Cloudflare and the origin failed',
  526: 'the origin\'s certificate is invalid for Cloudflare',
};

/** Wordings of hops that gave up waiting (Varnish/Fastly, Kong, AWS API Gateway, Akamai, Traefik). */
const TIMED_OUT = /cf_gateway_timeout|gateway time-?out|first byte timeout|between bytes timeout|upstream (server )?(is )?timing out|endpoint request timed out|did not receive a timely response/;

export function intermediaryRules(c: ResponseContext, envoy: EnvoyReply | undefined): Finding | undefined {
  const s = c.ev.status;
  const hop = c.attr.answeredBy === 'provider' ? "the provider's edge" : c.attr.answeredBy === 'unknown' ? 'an intermediary' : c.attr.answeredBy;
  if (envoy) {
    if (envoy.kind === 'reset-before-headers') return envoyFinding(c, envoy);
    if (envoy.kind === 'upstream-timeout' || envoy.kind === 'max-stream-duration') return timeoutFinding(c, 'Envoy', envoy.kind);
    return finding(c, 'BAD_GATEWAY', [envoy.kind === 'maintenance' ? 'Envoy says the upstream cluster is in maintenance mode' : 'Envoy has no healthy upstream host to send the request to'], {
      owner: ownerOf(c.attr.origin),
      retry: 'yes',
      details: { envoyReply: envoy.kind },
    });
  }
  const byHop = c.attr.answeredBy !== 'provider' && c.attr.answeredBy !== 'unknown';
  if (s === 504 || s === 524 || (s >= 500 && TIMED_OUT.test(c.text))) return timeoutFinding(c, hop);
  if (s === 502 || (s >= 520 && s <= 526)) {
    const extra = [CLOUDFLARE_52X[s] ?? `${hop} got no valid answer from its upstream`];
    const g = gatewayStatus(c);
    return finding(g, 'BAD_GATEWAY', extra, { owner: ownerOf(g.attr.origin), retry: s === 525 || s === 526 ? 'no' : undefined });
  }
  if (s === 503 && byHop) {
    const extra = [`${hop} has no upstream able to take the request`];
    if (c.attr.answeredBy === 'nginx') extra.push("nginx also answers 503 when its limit_req or limit_conn rejects a request: look for 'limiting requests' or 'limiting connections' in its error log");
    if (c.attr.answeredBy === 'haproxy') extra.push('HAProxy also answers 503 when a request waited in the queue longer than timeout queue (every server at maxconn)');
    if (c.attr.answeredBy === 'traefik') extra.push("Traefik's \"no available server\": every server of the service failed its health check");
    return finding(c, 'BAD_GATEWAY', extra, { owner: ownerOf(c.attr.origin), retry: 'yes' });
  }
  return undefined;
}

/**
 * 502, 504 and Cloudflare's 52x are gateway statuses by definition: whoever wrote one is a proxy
 * between you and the API, even when its product cannot be told. An unattributed one is taken as
 * the gateway's (the provider's edge only with evidence for it).
 */
function gatewayStatus(c: ResponseContext): ResponseContext {
  if (c.attr.origin !== 'unknown') return c;
  const line = `a ${c.ev.status} is a gateway's answer about its upstream: a proxy between you and the API wrote it, though its product could not be told`;
  return { ...c, attr: { ...c.attr, origin: 'gateway' }, base: [...c.base, line] };
}
