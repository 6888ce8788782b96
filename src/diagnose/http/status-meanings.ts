/**
 * Statuses that mean the same from every hop and in every stage (pure), read before the generic
 * rules (issue 11 item 3):
 * - 407 is a proxy asking for credentials, also when no proxy is configured: then a transparent
 *   (intercepting) proxy on the network answered.
 * - OpenAI's "insufficient permissions ... Missing scopes: X" on a 401 is a restricted key that
 *   works but lacks a scope: FORBIDDEN naming the scope, not a refused key.
 * - nginx's own 503 page, answered at once, is what limit_req and limit_conn send by default:
 *   a gateway rate limit, not a bad gateway.
 */
import type { Finding } from '../../stages/types.js';
import { finding, type ResponseContext } from './response-context.js';

/** nginx's built-in 503 page (any version): the title and the server line. */
const NGINX_503_PAGE = /<title>503 Service Temporarily Unavailable<\/title>[\s\S]*<center>nginx(\/[\d.]+)?<\/center>/i;
/** Longest time nginx takes to reject by limit_req on its own (no upstream involved), in ms. */
const LIMIT_REQ_FAST_MS = 1000;

export function statusMeaning(c: ResponseContext): Finding | undefined {
  const s = c.ev.status;
  if (s === 407) return proxyAuth(c);
  if (s === 401 || s === 403) return missingScope(c);
  if (s === 503) return nginxLimitReq(c);
  return undefined;
}

function proxyAuth(c: ResponseContext): Finding {
  const h = c.ev.headers;
  const scheme = h['proxy-authenticate'];
  const viaConfigured = c.ev.viaProxy === true;
  // The scheme names of each challenge ("Negotiate, Basic realm=..." -> Negotiate, Basic).
  const schemes = scheme ? [...new Set(scheme.split(',').map((p) => p.trim().split(/\s+/)[0]!).filter((w) => w !== '' && !w.includes('=')))] : [];
  const f = finding(
    c,
    'PROXY_AUTH_REQUIRED',
    [
      viaConfigured
        ? 'HTTP 407 Proxy Authentication Required: the configured proxy wants credentials'
        : 'HTTP 407 Proxy Authentication Required although no proxy is configured: a transparent (intercepting) proxy on the network answered in place of the server, and wants credentials',
      ...(scheme ? [`proxy-authenticate: ${scheme.slice(0, 200)}`] : []),
    ],
    { origin: 'forward-proxy', owner: 'network', retry: 'no', details: { transparent: !viaConfigured, schemes, ...(scheme ? { proxyAuthenticate: scheme.slice(0, 200) } : {}) } },
  );
  return { ...f, params: { schemes: schemes.length > 0 ? schemes.join(', ') : 'no scheme (no Proxy-Authenticate header)' } };
}

/** Wordings of "the key works but lacks a scope" (OpenAI's, its variants, RFC 6750's error code). */
const SCOPE_WORDS = /insufficient permissions|missing (?:the )?(?:required )?scopes?(?:\(s\))?\s*:|\b(?:missing|insufficient)_scopes?\b|(?:lacks|does not have|doesn't have|without) (?:the )?(?:required |necessary )?scopes?\b/i;
/** Where the scope names follow: "Missing scopes: a, b", "required scope(s): a". */
const SCOPE_LIST = /scopes?(?:\(s\))?\s*:\s*([a-z0-9_.:,\s-]+?)(?:\.\s|\.?"|\.?$|\n)/i;

function missingScope(c: ResponseContext): Finding | undefined {
  const body = c.ev.body;
  // RFC 6750: WWW-Authenticate: Bearer error="insufficient_scope", scope="a b".
  const wwwAuth = c.ev.headers['www-authenticate'] ?? '';
  const rfcScope = /error="?insufficient_scope"?/i.test(wwwAuth);
  if (!SCOPE_WORDS.test(body) && !rfcScope) return undefined;
  const listed = SCOPE_WORDS.test(body) ? SCOPE_LIST.exec(body)?.[1] : undefined;
  const fromHeader = rfcScope ? /scope="([^"]*)"/i.exec(wwwAuth)?.[1] : undefined;
  const scopes = (listed ?? fromHeader ?? '').split(/[,\s]+/).filter(Boolean);
  const named = scopes.length > 0 ? scopes.join(', ') : 'a scope the message does not name';
  return finding(
    c,
    'FORBIDDEN',
    [
      `the key was recognised but is restricted: it lacks ${scopes.length > 1 ? 'the scopes' : 'the scope'} ${named} for this request (HTTP ${c.ev.status} "insufficient permissions"), so it is not a wrong key`,
      // Chat needs model.request: say chat may still work only when the missing scope is another one.
      scopes.some((x) => /^(?:api\.)?model\.request$/i.test(x))
        ? `chat and completion requests need ${scopes.find((x) => /model\.request$/i.test(x))} themselves, so the application's requests are refused the same way: give the key that scope`
        : scopes.length > 0
          ? `a restricted key is allowed per endpoint: without ${named} it may still be allowed to make chat requests (model.request), so the application can work while this check fails`
          : 'a restricted key is allowed per endpoint: whether chat requests (model.request) still work depends on the scope it lacks',
    ],
    { owner: 'you', retry: 'no', details: { forbiddenBy: 'scope', missingScopes: scopes } },
  );
}

function nginxLimitReq(c: ResponseContext): Finding | undefined {
  if (c.attr.answeredBy !== 'nginx' && !NGINX_503_PAGE.test(c.ev.body)) return undefined;
  if (!NGINX_503_PAGE.test(c.ev.body)) return undefined;
  if (c.ev.elapsedMs > LIMIT_REQ_FAST_MS) return undefined;
  return finding(
    c,
    'RATE_LIMITED',
    [
      `nginx's own 503 page came ${Math.round(c.ev.elapsedMs)} ms after the request, without the upstream's answer: this is what nginx's limit_req (and limit_conn) send by default when they reject a request; nginx answers upstream failures with 502 or 504, not 503`,
      "nginx's error log says 'limiting requests' or 'limiting connections' for each one",
    ],
    { origin: c.attr.origin === 'unknown' ? 'gateway' : c.attr.origin, owner: c.attr.providerSide ? 'provider' : 'gateway', retry: 'yes', details: { rateLimit: 'gateway', limitedBy: 'nginx-limit' } },
  );
}
