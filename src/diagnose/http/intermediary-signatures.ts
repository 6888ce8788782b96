/**
 * Traces of intermediaries in one HTTP response (pure): the error pages they write themselves,
 * the headers they add, and the headers only the providers' API tiers send. Each pattern names a
 * product family by the structure of what it writes, not by one version's exact page.
 */

export type Intermediary =
  | 'envoy'
  | 'nginx'
  | 'haproxy'
  | 'cloudflare'
  | 'aws-elb'
  | 'google-frontend'
  | 'squid'
  | 'kong'
  | 'caddy'
  | 'aws-apigateway'
  | 'akamai'
  | 'varnish'
  | 'traefik'
  | 'unknown';

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
  if (/^\s*(no healthy upstream|upstream request timeout|upstream max stream duration reached|maintenance mode|local_rate_limited)\s*$/i.test(b)) return 'envoy';
  if (/<hr><center>(nginx|openresty|tengine)[^<]*<\/center>/i.test(b)) return 'nginx';
  if (/^<html><body><h1>\d{3} [^<]*<\/h1>/i.test(b.trimStart())) return 'haproxy';
  if (/cf-error-details|cf-wrapper|cloudflare ray id|cf_gateway_timeout|used cloudflare to restrict access/i.test(b)) return 'cloudflare';
  if (/^\s*error code: (10\d\d|52\d)\s*$/i.test(b)) return 'cloudflare';
  if (/Error \d{3} \(Server Error\)!!1|That(\u2019|')s an error\.|Please try again in 30 seconds/i.test(b)) return 'google-frontend';
  if (headers['x-squid-error'] !== undefined || /generated .* by .*\(squid\//i.test(b)) return 'squid';
  // Varnish (and Fastly, built on it) sign their synthetic pages "Guru Meditation".
  if (/guru medi(t)?ation|varnish cache server/i.test(b)) return 'varnish';
  // Akamai's edge pages carry an HTML-escaped "Reference #<ids>" and a link to errors.edgesuite.net.
  if (/Reference&#32;&#35;[0-9a-f]+&#46;|errors(&#46;|\.)edgesuite(&#46;|\.)net/i.test(b)) return 'akamai';
  // Traefik's load balancer answers "no available server" (Go's http.Error, so a trailing newline)
  // when every server failed its health check; its proxy's error handler writes the bare status
  // text ("Bad Gateway", "Gateway Timeout") with no newline, which Go's server labels
  // text/plain; charset=utf-8. Go's own ReverseProxy writes an empty body, http.Error adds "\n".
  if (/^no available server\n?$/.test(b)) return 'traefik';
  if (/^(Bad Gateway|Gateway Timeout)$/.test(b) && /^text\/plain; charset=utf-8$/i.test(headers['content-type'] ?? '')) return 'traefik';
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
  const names = Object.keys(headers);
  if (/envoy/.test(server) || names.some((h) => h.startsWith('x-envoy-'))) found.add('envoy');
  if (/^(nginx|openresty|tengine)/.test(server)) found.add('nginx');
  if (/haproxy/.test(server)) found.add('haproxy');
  if (server === 'cloudflare' || headers['cf-ray'] !== undefined || headers['cf-cache-status'] !== undefined) found.add('cloudflare');
  if (server.startsWith('awselb') || headers['x-amzn-trace-id'] !== undefined) found.add('aws-elb');
  if (/google frontend|^gfe\/|^esf$/.test(server) || /\bgoogle\b/.test(via)) found.add('google-frontend');
  if (/squid/.test(server) || /squid/.test(via) || headers['x-squid-error'] !== undefined) found.add('squid');
  if (/^kong\b/.test(server) || /\bkong\//.test(via) || names.some((h) => h.startsWith('x-kong-'))) found.add('kong');
  if (/^caddy\b/.test(server)) found.add('caddy');
  if (headers['x-amz-apigw-id'] !== undefined) found.add('aws-apigateway');
  if (/akamaighost/.test(server)) found.add('akamai');
  if (/varnish/.test(via) || headers['x-varnish'] !== undefined || /^cache-[a-z0-9-]+/.test(headers['x-served-by'] ?? '')) found.add('varnish');
  return [...found];
}

/**
 * Hops that replace the upstream's Server header or pass its pages through (so a page with only
 * their headers may still be the origin's): not taken as the writer of an unsigned page.
 */
export const PASS_THROUGH: readonly Intermediary[] = ['cloudflare', 'google-frontend', 'aws-elb', 'unknown'];

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
