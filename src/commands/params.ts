/**
 * The run's context as command prefixes the catalogue's remediation commands start with, so a
 * pasted command tests what the run tested: `{curl}`, `{sclient}`, `{diagnose}` carry the pins
 * (--resolve, --connect-to), --ca, the proxy, client certificates and -H headers; `{keyHeaders}`
 * the provider's auth headers with the key as the variable the run read. Secrets are never values
 * here: keys and proxy passwords appear as shell variables.
 */
import { isIP } from '../net/is-ip.js';
import { DEFAULT_KEY_ENV, pinFor, type Config } from '../config.js';
import { connectTarget, connectToText, type ExtraHeader } from '../curlopts/options.js';
import { chooseProxy, proxyCredentials } from '../net/proxy/env.js';
import { profileFor, providerContext } from '../providers/index.js';
import { formatHost } from '../target.js';
import { urlKeys } from '../redact/url-key.js';
import { dq, sq, variableName } from './shell.js';

/** The proxy of the run as the commands need it. */
export interface CommandProxy {
  url: URL;
  /** The variable or option that chose it (`HTTPS_PROXY`, `--proxy`). */
  from: string;
  /** Without credentials. */
  display: string;
}

/** The proxy the env stage would choose (for printing commands without running the stages). */
export function proxyOf(config: Config, env: Record<string, string | undefined>): CommandProxy | undefined {
  const t = config.target;
  return chooseProxy({ scheme: t.scheme, host: t.host, port: t.port, explicit: config.proxy, ignoreEnv: config.noProxy }, env).proxy;
}

/** The shell expression of the key: the variable the run read, or the file's contents. */
export function keyExpression(config: Config): string | undefined {
  const k = config.keySource;
  if (k.kind === 'env') return `$${k.variable}`;
  if (k.kind === 'file') return `$(cat ${sq(k.path)})`;
  if (k.kind === 'stdin') return '$API_KEY';
  const d = DEFAULT_KEY_ENV[config.provider];
  return d ? `$${d}` : undefined;
}

/** The key's variable name for prose (`OPENAI_API_KEY`), when the key comes from one. */
export function keyVariable(config: Config): string {
  const k = config.keySource;
  if (k.kind === 'env') return k.variable;
  return DEFAULT_KEY_ENV[config.provider] ?? 'API_KEY';
}

/** A -H header as a shell word: secret values become a variable named after the header. */
export function headerWord(h: ExtraHeader): string {
  if (!h.secret) return sq(`${h.name}: ${h.value}`);
  const scheme = /^(\S+)\s+\S/.exec(h.value)?.[1];
  return dq(`${h.name}: ${scheme && /^[A-Za-z]+$/.test(scheme) ? `${scheme} ` : ''}$${variableName(h.name)}`);
}

/** The names a query string gives the provider's own key (`?key=` of Gemini's examples). */
const KEY_PARAM = /^(key|api[-_]?key|x-goog-api-key)$/i;

/**
 * A URL as a shell word whose credential query parameters are variables: the provider's key as
 * the variable the run reads it from, any other (`subscription-key`, `sig`) named after itself.
 * A printed `?key=[REDACTED]` would send a wrong key; the value itself is never printed.
 */
export function urlWord(config: Config, url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return sq(url);
  const lit = (text: string): string => text.replace(/(["\\`$])/g, '\\$1');
  let secret = false;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const found = part.includes('=') ? urlKeys(part)[0] : undefined;
      if (!found) return lit(part);
      secret = true;
      const variable = KEY_PARAM.test(found.name) ? (keyExpression(config) ?? '$API_KEY') : `$${variableName(found.name)}`;
      return `${lit(part.slice(0, part.indexOf('=') + 1))}${variable}`;
    });
  return secret ? `"${lit(url.slice(0, q + 1))}${parts.join('&')}"` : sq(url);
}

/** The provider's auth headers (and required base headers) as curl -H words, the key a variable. */
export function keyHeaderWords(config: Config): string[] {
  const profile = profileFor(config.provider);
  const key = keyExpression(config);
  const out: string[] = [];
  for (const [n, v] of Object.entries(profile.baseHeaders ?? {})) out.push('-H', sq(`${n}: ${v}`));
  if (key !== undefined) for (const [n, v] of Object.entries(profile.authHeaders(key))) out.push('-H', dq(`${n}: ${v}`));
  return out;
}

function proxyHostPort(u: URL): string {
  const port = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
  return `${u.hostname}:${port}`;
}

/** `-x` for curl: the variable the proxy came from, or the display URL with credentials as variables. */
function curlProxyWords(p: CommandProxy): string[] {
  if (p.from !== '--proxy') return ['-x', dq(`$${p.from}`)];
  const words = ['-x', sq(p.display)];
  if (proxyCredentials(p.url)) words.push('--proxy-user', dq('$PROXY_USER:$PROXY_PASS'));
  return words;
}

/** The --resolve pin in force for the host and port actually dialled (after --connect-to). */
function dialled(config: Config): { host: string; port: number; address?: string } {
  const t = config.target;
  const c = connectTarget(config.connectTo, t.host, t.port);
  const pin = pinFor(config.resolve, c.host, c.port);
  return { host: c.host, port: c.port, ...(pin ? { address: pin.addresses[0]! } : {}) };
}

/** The URL of the provider's key-check request (`https://api.openai.com/v1/models`). */
export function checkUrl(config: Config): string {
  const t = config.target;
  const req = profileFor(config.provider).keyCheck(providerContext(t, config.model));
  return `${t.scheme}://${formatHost(t.host)}${t.port === (t.scheme === 'https' ? 443 : 80) ? '' : `:${t.port}`}${req.path}`;
}

/** `curl` with the run's options (no URL, no verb flags). */
export function curlWords(config: Config, proxy: CommandProxy | undefined): string[] {
  const w = ['curl'];
  for (const p of config.resolve) w.push('--resolve', sq(`${p.host}:${p.port}:${p.addresses.map((a) => (isIP(a) === 6 ? `[${a}]` : a)).join(',')}`));
  for (const c of config.connectTo ?? []) w.push('--connect-to', sq(connectToText(c)));
  if (config.caFile !== undefined) w.push('--cacert', sq(config.caFile));
  if (config.clientCertFile !== undefined) w.push('--cert', sq(config.clientCertFile));
  if (config.clientKeyFile !== undefined) w.push('--key', sq(config.clientKeyFile));
  if (proxy) w.push(...curlProxyWords(proxy));
  else if (config.noProxy || config.proxy === '') w.push('--noproxy', sq('*'));
  for (const h of config.headers ?? []) w.push('-H', headerWord(h));
  return w;
}

/** `openssl s_client` with -connect, -servername, -CAfile, -proxy and the client certificate. */
export function sclientWords(config: Config, proxy: CommandProxy | undefined): string[] {
  const t = config.target;
  const d = dialled(config);
  const w = ['openssl', 's_client'];
  if (proxy) {
    // Through the proxy the name is resolved there: CONNECT to the (connect-to) host and port.
    w.push('-connect', sq(`${formatHost(d.host)}:${d.port}`), '-proxy', sq(proxyHostPort(proxy.url)));
    if (proxyCredentials(proxy.url)) w.push('-proxy_user', dq('$PROXY_USER'), '-proxy_pass', 'env:PROXY_PASS');
  } else w.push('-connect', sq(`${formatHost(d.address ?? d.host)}:${d.port}`));
  if (!isIP(t.host)) w.push('-servername', sq(t.host));
  if (config.caFile !== undefined) w.push('-CAfile', sq(config.caFile));
  if (config.clientCertFile !== undefined) w.push('-cert', sq(config.clientCertFile));
  if (config.clientKeyFile !== undefined) w.push('-key', sq(config.clientKeyFile));
  return w;
}

/** `diagnose <target>` with the options that shape the path (not the output ones). */
export function diagnoseWords(config: Config, proxy: CommandProxy | undefined): string[] {
  const w = ['diagnose', urlWord(config, config.target.input)];
  if (config.providerExplicit) w.push('--provider', config.provider);
  const k = config.keySource;
  if (k.kind === 'env' && k.explicit) w.push('--api-key-env', k.variable);
  if (k.kind === 'file') w.push('--api-key-file', sq(k.path));
  if (k.kind === 'stdin') w.push('--api-key-file', '-');
  for (const r of config.resolvers) w.push('--resolver', sq(isIP(r.address) === 6 ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`));
  for (const p of config.resolve) w.push('--resolve', sq(`${p.host}:${p.port}:${p.addresses.map((a) => (isIP(a) === 6 ? `[${a}]` : a)).join(',')}`));
  for (const c of config.connectTo ?? []) w.push('--connect-to', sq(connectToText(c)));
  if (config.caFile !== undefined) w.push('--ca', sq(config.caFile));
  if (config.clientCertFile !== undefined) w.push('--cert', sq(config.clientCertFile));
  if (config.clientKeyFile !== undefined) w.push('--key', sq(config.clientKeyFile));
  if (proxy) {
    if (proxy.from !== '--proxy') w.push('--proxy', dq(`$${proxy.from}`));
    else if (proxyCredentials(proxy.url)) {
      const u = new URL(proxy.display);
      w.push('--proxy', dq(`${u.protocol}//$PROXY_USER:$PROXY_PASS@${u.host}`));
    } else w.push('--proxy', sq(proxy.display));
  } else if (config.noProxy) w.push('--no-proxy');
  for (const h of config.headers ?? []) w.push('-H', headerWord(h));
  if (config.timeoutMs !== 10_000) w.push('--timeout', `${config.timeoutMs}ms`);
  if (config.model !== undefined) w.push('--model', sq(config.model));
  if (config.allowInsecureKey) w.push('--allow-insecure-key');
  if (config.http2) w.push('--http2');
  return w;
}

/**
 * Placeholder values for the catalogue's commands: `{curl}`, `{sclient}`, `{diagnose}`,
 * `{keyHeaders}`, `{keyVar}` (with `$`), `{keyEnv}` (the name), `{target}`, `{proxyArg}`.
 */
export function commandParams(config: Config, proxy: CommandProxy | undefined): Record<string, string> {
  const t = config.target;
  const d = dialled(config);
  const sclient = sclientWords(config, proxy);
  const sni = sclient.indexOf('-servername');
  const noSni = sni >= 0 ? [...sclient.slice(0, sni), ...sclient.slice(sni + 2)] : sclient;
  const diagnose = diagnoseWords(config, proxy);
  const hop = proxy ? proxyHostPort(proxy.url).replace(/:(\d+)$/, ' $1').split(' ') : [d.address ?? d.host, String(d.port)];
  const proxyUrl = proxy ? new URL(proxy.display) : undefined;
  return {
    checkUrl: sq(checkUrl(config)),
    curlVia: ['curl', ...(proxy ? curlProxyWords(proxy) : [])].join(' '),
    sclientNoSni: noSni.join(' '),
    diagnoseOpts: diagnose.slice(2).join(' '),
    dialHost: hop[0]!.replace(/^\[(.*)\]$/, '$1'),
    dialPort: hop[1]!,
    proxyVar: proxy && proxy.from !== '--proxy' ? proxy.from : t.scheme === 'https' ? 'HTTPS_PROXY' : 'http_proxy',
    proxyCredUrl: proxyUrl ? `${proxyUrl.protocol}//$PROXY_USER:$PROXY_PASS@${proxyUrl.host}` : 'http://$PROXY_USER:$PROXY_PASS@$PROXY_HOST:$PROXY_PORT',
    azureResource: sq(t.host.split('.')[0]!),
    target: sq(config.target.input),
    curl: curlWords(config, proxy).join(' '),
    sclient: sclientWords(config, proxy).join(' '),
    diagnose: diagnoseWords(config, proxy).join(' '),
    keyHeaders: keyHeaderWords(config).join(' '),
    keyVar: keyExpression(config) ?? '$API_KEY',
    keyEnv: keyVariable(config),
  };
}
