/**
 * Which forward proxy a request to the target would use, decided the way curl decides it (pure).
 *
 * Variables, as curl reads them: for an https target `https_proxy`, then `HTTPS_PROXY`; for an
 * http target only `http_proxy` (curl never reads upper-case HTTP_PROXY: under CGI that name is set
 * from a request header, so a client could choose the proxy); then `all_proxy`, then `ALL_PROXY`.
 * An empty variable counts as unset. `no_proxy` is read before `NO_PROXY`.
 */
import { isIP } from '../is-ip.js';
import { noProxyEntries, noProxyMatch, type NoProxyMatch } from './no-proxy.js';

export { noProxyMatch, type NoProxyMatch } from './no-proxy.js';

/** The six proxy variables (both cases) plus the two NO_PROXY spellings, in the order listed in reports. */
export const PROXY_VARIABLES = [
  'https_proxy',
  'HTTPS_PROXY',
  'http_proxy',
  'HTTP_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'no_proxy',
  'NO_PROXY',
] as const;

/** A proxy URL that parsed, or why it did not. */
export type ParsedProxy = { ok: true; url: URL } | { ok: false; problem: string };

/** The proxy URL without user and password, safe to print. */
export function displayProxy(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  // Keep what the user typed recognisable: no trailing slash for a bare origin.
  return u.pathname === '/' && u.search === '' ? `${u.protocol}//${u.host}` : u.href;
}

/**
 * Parse a proxy as curl takes it: a missing scheme means http://. Only http:// and https:// proxies
 * are probed; the problem text never repeats the value (it may hold a password).
 */
export function parseProxyUrl(text: string): ParsedProxy {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'is empty' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // An unencoded @ : / # ? or % in a password is the usual reason; say so without echoing it.
    if (trimmed.includes('@')) {
      return { ok: false, problem: 'is not a URL: a user name or password holding @ : / # ? or % must be percent-encoded (%40 %3A %2F %23 %3F %25)' };
    }
    return { ok: false, problem: 'is not a URL (write http://proxy.example:3128)' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, problem: `uses ${url.protocol.replace(/:$/, '')}://, which this tool does not probe (http:// and https:// proxies only)` };
  }
  if (url.hostname === '') return { ok: false, problem: 'has no host (write http://proxy.example:3128)' };
  return { ok: true, url };
}

/** The port a proxy URL points at (curl's default for a proxy without a port is 1080; for
 * http:// we follow what every Node agent does, 80, and 443 for https://). */
export function proxyPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** The proxy's credentials, decoded; undefined when the URL has none. */
export function proxyCredentials(url: URL): { user: string; password: string; basic: string } | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = dec(url.username);
  const password = dec(url.password);
  return { user, password, basic: Buffer.from(`${user}:${password}`).toString('base64') };
}

/** What was asked of the decision. */
export interface ProxyQuery {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** `--proxy` as typed; '' means "explicitly no proxy". */
  explicit?: string;
  /** `--no-proxy`. */
  ignoreEnv: boolean;
}

/** How the run reaches the target, and why. */
export interface ProxyDecision {
  /** The proxy to use, when one applies. */
  proxy?: { url: URL; from: string; display: string };
  /** Why: `--proxy`, `--no-proxy`, `no proxy variable set`, `NO_PROXY covers the target` ... */
  reason: string;
  /** The variable (or option) that won; absent when nothing was set. */
  from?: string;
  /** Variables read in order, with whether each was set (values never here: they may hold passwords). */
  considered: Array<{ name: string; set: boolean }>;
  /** The NO_PROXY entry that covers the target, even when --proxy overrides it. */
  noProxy?: NoProxyMatch & { variable: string };
  /** The winning value did not parse: why (the run then goes direct). */
  invalid?: { from: string; problem: string };
  /**
   * An https target with only http_proxy / HTTP_PROXY set: curl and Python go direct (as this run
   * does), while undici's EnvHttpProxyAgent falls back to it; names the variable.
   */
  httpProxyOnly?: string;
}

const envValue = (env: Record<string, string | undefined>, name: string): string | undefined => {
  const v = env[name];
  return v !== undefined && v.trim() !== '' ? v : undefined;
};

/** The NO_PROXY list in force (lower case first, as curl), or undefined. */
export function noProxyList(env: Record<string, string | undefined>): { variable: string; value: string } | undefined {
  for (const name of ['no_proxy', 'NO_PROXY']) {
    const value = envValue(env, name);
    if (value !== undefined) return { variable: name, value };
  }
  return undefined;
}

/** The proxy variables curl reads for a scheme, in order. */
export function proxyVariablesFor(scheme: 'http' | 'https'): string[] {
  return scheme === 'https' ? ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] : ['http_proxy', 'all_proxy', 'ALL_PROXY'];
}

/** Decide the proxy for the target. An explicit `--proxy` wins over NO_PROXY: the user asked to test it. */
export function chooseProxy(q: ProxyQuery, env: Record<string, string | undefined>): ProxyDecision {
  const np = noProxyList(env);
  const covered = np ? noProxyMatch(np.value, q.host, q.port) : undefined;
  const noProxy = covered && np ? { ...covered, variable: np.variable } : undefined;

  if (q.explicit !== undefined) {
    if (q.explicit.trim() === '') return { reason: 'direct: --proxy "" turns proxies off', from: '--proxy', considered: [] };
    const parsed = parseProxyUrl(q.explicit);
    if (!parsed.ok) return { reason: `direct: --proxy ${parsed.problem}`, from: '--proxy', considered: [], invalid: { from: '--proxy', problem: parsed.problem } };
    return {
      proxy: { url: parsed.url, from: '--proxy', display: displayProxy(parsed.url) },
      reason: 'proxy: given with --proxy',
      from: '--proxy',
      considered: [],
      ...(noProxy ? { noProxy } : {}),
    };
  }
  if (q.ignoreEnv) return { reason: 'direct: --no-proxy ignores the proxy variables', considered: [] };

  const considered: ProxyDecision['considered'] = [];
  let winner: { name: string; value: string } | undefined;
  for (const name of proxyVariablesFor(q.scheme)) {
    const value = envValue(env, name);
    considered.push({ name, set: value !== undefined });
    if (value !== undefined && !winner) winner = { name, value };
  }
  if (!winner) {
    const ignored = q.scheme === 'http' && envValue(env, 'HTTP_PROXY') !== undefined;
    const httpOnly = q.scheme === 'https' ? ['http_proxy', 'HTTP_PROXY'].find((n) => envValue(env, n) !== undefined) : undefined;
    return {
      reason: ignored
        ? 'direct: only HTTP_PROXY is set, which curl ignores for http:// targets'
        : httpOnly
          ? `direct: only ${httpOnly} is set, which curl uses for http:// targets only`
          : 'direct: no proxy variable applies to the target',
      considered,
      ...(noProxy ? { noProxy } : {}),
      ...(httpOnly && !noProxy ? { httpProxyOnly: httpOnly } : {}),
    };
  }
  if (noProxy) {
    return { reason: `direct: ${noProxy.variable} covers the target (entry "${noProxy.entry}")`, from: winner.name, considered, noProxy };
  }
  const parsed = parseProxyUrl(winner.value);
  if (!parsed.ok) {
    return { reason: `direct: ${winner.name} ${parsed.problem}`, from: winner.name, considered, invalid: { from: winner.name, problem: parsed.problem } };
  }
  return {
    proxy: { url: parsed.url, from: winner.name, display: displayProxy(parsed.url) },
    reason: `proxy: from ${winner.name}${considered[0]!.name !== winner.name ? ` (${considered.filter((c) => !c.set).map((c) => c.name).join(', ')} unset)` : ''}`,
    from: winner.name,
    considered,
  };
}

/**
 * What a variable means, for comparing the two spellings: a proxy URL as parsed (so `http://p:3128`
 * and `http://p:3128/`, or an explicit default port, are the same proxy), a NO_PROXY list as the set
 * of its entries (order, case and a leading dot change nothing for curl).
 */
function meaning(name: string, value: string): string {
  if (name === 'no_proxy') {
    const entries = noProxyEntries(value.toLowerCase()).map((e) => e.replace(/^\*?\./, '').replace(/\.$/, ''));
    return [...new Set(entries)].sort().join(',');
  }
  const p = parseProxyUrl(value);
  return p.ok ? p.url.href : value.trim();
}

/** Pairs of the same variable in both cases whose values mean different things. */
export function caseConflicts(env: Record<string, string | undefined>): Array<{ lower: string; upper: string }> {
  const out: Array<{ lower: string; upper: string }> = [];
  for (const lower of ['https_proxy', 'http_proxy', 'all_proxy', 'no_proxy']) {
    const upper = lower.toUpperCase();
    const a = envValue(env, lower);
    const b = envValue(env, upper);
    if (a !== undefined && b !== undefined && meaning(lower, a) !== meaning(lower, b)) out.push({ lower, upper });
  }
  return out;
}

/** True for hosts that people routinely list in NO_PROXY: loopback, private ranges, single labels. */
export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal')) return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (v === 6) return h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  return !h.includes('.');
}
