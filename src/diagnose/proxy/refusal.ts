/**
 * A proxy that answered CONNECT with something other than 2xx -> one finding (pure).
 *
 * Attribution first: the status and the proxy's own words say which kind of "no" it is, and the
 * kind decides retry and owner.
 * - `auth`: 407 (PROXY_AUTH_REQUIRED), with the schemes offered and whether ours could ever work;
 * - `redirect`: 3xx, a sign-in or acceptance page instead of a tunnel;
 * - `unsupported`: 400/405/501 from something that does not build tunnels (a web server at the
 *   proxy address, a reverse proxy);
 * - `upstream`: the proxy tried and could not reach the target itself (5xx, or Squid's
 *   ERR_CONNECT_FAIL / ERR_DNS_FAIL / ERR_CANNOT_FORWARD ...): worth retrying;
 * - `policy`: 403 and everything else: a rule, which retrying does not change.
 */
import type { Owner, Retry } from '../../report.js';
import type { Finding } from '../../stages/types.js';
import { bodyGist, proxyIntermediary } from './products.js';

/** A non-2xx answer to CONNECT, as the proxy stage observed it. */
export interface ProxyAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  rawHeaders: Array<[string, string]>;
  body?: string;
  connectMs: number;
  credentialsSent: boolean;
}

/** What the tunnel was for: the target's port and scheme change how a refusal reads. */
export interface TunnelTarget {
  authority: string;
  port: number;
  scheme: 'http' | 'https';
}

export type RefusalKind = 'auth' | 'redirect' | 'unsupported' | 'upstream' | 'policy';

/** Squid error pages that mean Squid could not reach the target itself, not that a rule said no. */
const SQUID_UPSTREAM = new Set([
  'ERR_CONNECT_FAIL', 'ERR_DNS_FAIL', 'ERR_CANNOT_FORWARD', 'ERR_READ_TIMEOUT', 'ERR_GATEWAY_FAILURE', 'ERR_SOCKET_FAILURE',
  'ERR_READ_ERROR', 'ERR_WRITE_ERROR', 'ERR_ZERO_SIZE_OBJECT', 'ERR_LIFETIME_EXP', 'ERR_SHUTTING_DOWN', 'ERR_SECURE_CONNECT_FAIL',
]);

/** What Squid's error names say, in a few words. */
const SQUID_MEANING: Record<string, string> = {
  ERR_ACCESS_DENIED: 'an http_access rule of Squid denied this request (a policy, not a failure)',
  ERR_CACHE_ACCESS_DENIED: 'Squid wants the client to authenticate first',
  ERR_FORWARDING_DENIED: 'Squid is not allowed to forward this request (cache peer or never_direct rules)',
  ERR_CONNECT_FAIL: 'Squid could not open a connection to the target itself',
  ERR_DNS_FAIL: "Squid could not resolve the target's name with its own DNS",
  ERR_CANNOT_FORWARD: "Squid found no way to reach the target: no address for the name (Squid's DNS failed) or no allowed path",
  ERR_READ_TIMEOUT: 'the target stopped answering Squid',
  ERR_SECURE_CONNECT_FAIL: 'Squid could not establish TLS with the target',
  ERR_GATEWAY_FAILURE: 'Squid reports a failure between itself and the target',
};

/** Linux errno numbers Squid appends to ERR_CONNECT_FAIL (`ERR_CONNECT_FAIL 111`). */
const ERRNO: Record<number, string> = {
  101: 'ENETUNREACH, network unreachable from the proxy',
  104: 'ECONNRESET, reset by the target',
  110: 'ETIMEDOUT, no answer from the target',
  111: 'ECONNREFUSED, the target refused the connection',
  113: 'EHOSTUNREACH, no route from the proxy to the target',
};

function squidParts(value: string | undefined): { name: string; errno?: number } | undefined {
  const m = /^(ERR_[A-Z_]+)(?:\s+(\d+))?/.exec(value ?? '');
  return m ? { name: m[1]!, ...(m[2] && m[2] !== '0' ? { errno: Number(m[2]) } : {}) } : undefined;
}

/** The authentication schemes of Proxy-Authenticate challenges (`Basic realm="x"`, `NTLM`, `Negotiate`). */
export function authSchemes(rawHeaders: Array<[string, string]>): string[] {
  const out: string[] = [];
  for (const [name, value] of rawHeaders) {
    if (name.toLowerCase() !== 'proxy-authenticate') continue;
    // A scheme is a token at the start or after a comma that is not itself `param=value`.
    const re = /(?:^|,)\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?!\s*=)(?=\s|,|$)/g;
    for (const m of value.matchAll(re)) if (!out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** Products that are forward proxies (a 400 from them is about the request, not a missing CONNECT). */
const FORWARD_PROXIES = new Set(['squid', 'tinyproxy', 'zscaler', 'bluecoat', 'mcafee-web-gateway', 'fortigate', 'privoxy']);

/** Which kind of "no" this is (see the file comment). */
export function refusalKind(status: number, squidError: string | undefined, intermediary: string): RefusalKind {
  if (status === 407) return 'auth';
  const squid = squidParts(squidError);
  if (squid && SQUID_UPSTREAM.has(squid.name)) return 'upstream';
  if (status >= 300 && status < 400) return 'redirect';
  // A forward proxy that names itself and says 400 is refusing our request; anything else that
  // cannot take CONNECT is not a forward proxy at all.
  if (status === 405 || status === 501 || (status === 400 && !squid && !FORWARD_PROXIES.has(intermediary))) return 'unsupported';
  if (status >= 500 && status !== 505) return 'upstream';
  return 'policy';
}

const RETRY: Record<RefusalKind, Retry> = { auth: 'no', redirect: 'no', unsupported: 'no', upstream: 'yes', policy: 'no' };
const OWNER: Record<RefusalKind, Owner> = { auth: 'you', redirect: 'network', unsupported: 'you', upstream: 'network', policy: 'network' };

function kindLines(kind: RefusalKind, o: ProxyAnswer, t: TunnelTarget): string[] {
  switch (kind) {
    case 'redirect':
      return [`instead of a tunnel it redirects${o.headers['location'] ? ` to ${o.headers['location'].slice(0, 200)}` : ''}: a sign-in or acceptance page of the proxy, which programs cannot follow`];
    case 'unsupported':
      return [`${o.status} to CONNECT: what listens at the proxy address does not build tunnels (a web server or reverse proxy, not a forward proxy)`];
    case 'upstream':
      return [`the proxy itself could not reach ${t.authority}: this is not a rule against it, and may pass later or via another proxy`];
    case 'policy': {
      const out: string[] = [];
      if (o.status === 403 && t.port !== 443) out.push(`the tunnel was asked for port ${t.port}, not 443: many proxies allow CONNECT only to port 443 (Squid's stock SSL_ports rule, tinyproxy's ConnectPort)`);
      return out;
    }
    default:
      return [];
  }
}

function authLines(o: ProxyAnswer, schemes: string[]): string[] {
  const out = [schemes.length ? `it offers: ${schemes.join(', ')}` : 'it names no authentication scheme (no Proxy-Authenticate header)'];
  if (!o.credentialsSent) return out;
  const basic = schemes.some((s) => s.toLowerCase() === 'basic');
  if (basic || schemes.length === 0) out.push('Basic credentials from the proxy URL were sent and refused (wrong user or password, or an account the proxy does not allow)');
  else out.push(`Basic credentials from the proxy URL were sent, but this proxy does not accept Basic (only ${schemes.join(', ')}): the password may be right, the client must speak ${schemes.join(' or ')}`);
  return out;
}

export function judgeAnswer(o: ProxyAnswer, t: TunnelTarget): Finding {
  const intermediary = proxyIntermediary(o.headers);
  const squidError = o.headers['x-squid-error'];
  const squid = squidParts(squidError);
  const kind = refusalKind(o.status, squidError, intermediary);
  const gist = bodyGist(o.body);
  const evidence = [`the proxy answered CONNECT ${t.authority} with ${o.status}${o.statusText ? ` ${o.statusText}` : ''} after ${Math.round(o.connectMs)} ms`];
  const schemes = kind === 'auth' ? authSchemes(o.rawHeaders) : [];
  if (kind === 'auth') evidence.push(...authLines(o, schemes));
  if (squidError) {
    evidence.push(`X-Squid-Error: ${squidError}`);
    const meaning = squid ? SQUID_MEANING[squid.name] : undefined;
    const errno = squid?.errno !== undefined ? ERRNO[squid.errno] ?? `errno ${squid.errno}` : undefined;
    const said = [meaning, errno].filter(Boolean).join('; ');
    if (said) evidence.push(`that is: ${said}`);
  }
  evidence.push(...kindLines(kind, o, t));
  if (o.headers['via']) evidence.push(`Via: ${o.headers['via']}`);
  if (o.headers['server']) evidence.push(`Server: ${o.headers['server']}`);
  if (gist) evidence.push(`the proxy's page says: ${gist}`);
  if (t.scheme === 'http' && kind !== 'auth' && kind !== 'upstream') {
    evidence.push('the target is plain http://: curl and Python send such requests to the proxy as they are (no CONNECT) and may get through where a tunnel is refused; Node (undici) tunnels like this check');
  }
  const details: Record<string, unknown> = {
    status: o.status,
    statusText: o.statusText,
    refusal: kind,
    intermediary,
    targetPort: t.port,
    ...(squidError ? { squidError } : {}),
    ...(squid?.errno !== undefined ? { upstreamErrno: squid.errno } : {}),
    ...(o.headers['via'] ? { via: o.headers['via'] } : {}),
    ...(o.headers['server'] ? { server: o.headers['server'] } : {}),
    ...(o.headers['location'] ? { location: o.headers['location'].slice(0, 500) } : {}),
  };
  if (kind === 'auth') {
    const basicOffered = schemes.some((s) => s.toLowerCase() === 'basic');
    return {
      code: 'PROXY_AUTH_REQUIRED',
      evidence,
      details: { ...details, schemes, credentialsSent: o.credentialsSent, basicOffered },
      params: { schemes: schemes.join(', ') || 'none named' },
    };
  }
  return { code: 'PROXY_REFUSED', evidence, details, retry: RETRY[kind], owner: OWNER[kind], params: { status: o.status } };
}
