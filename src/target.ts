/** Parse the `<target>` argument into scheme, host, port and base path (pure). */
import { isIP } from './net/is-ip.js';
import { UsageError } from './errors.js';

export interface Target {
  input: string;
  scheme: 'http' | 'https';
  /** Lower-case host name or IP literal, without brackets. */
  host: string;
  port: number;
  /** API base path without a trailing slash ('' for none), e.g. `/v1`. */
  basePath: string;
  /** Query string of the target URL without '?' ('' for none); Azure's api-version may live here. */
  query: string;
  /** Normalised URL: scheme://host[:port]/basePath (for a ws:// or wss:// target, that URL with its path and query). */
  url: string;
  /**
   * A `ws://` or `wss://` target: the WebSocket endpoint the `--gateway` upgrade check opens. The
   * other stages treat the target as http/https on the same host and port, at the API root
   * (basePath ''), since the WebSocket path itself answers nothing but upgrades.
   */
  websocket?: { scheme: 'ws' | 'wss'; path: string };
}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.replace(/\.$/, '').split('.');
  return labels.every((l) => HOST_LABEL.test(l));
}

export function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`${what}: port "${text}" is not a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new UsageError(`${what}: port ${port} is out of range (1 to 65535)`);
  return port;
}

/** Split `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal. */
export function splitHostPort(text: string, what: string): { host: string; port?: number } {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) throw new UsageError(`${what}: "${text}" opens "[" without closing it (write [::1]:8443)`);
    const host = text.slice(1, end);
    if (isIP(host) !== 6) throw new UsageError(`${what}: "${host}" inside brackets is not an IPv6 address`);
    const rest = text.slice(end + 1);
    if (rest === '') return { host };
    if (!rest.startsWith(':')) throw new UsageError(`${what}: unexpected "${rest}" after "]" (write [::1]:8443)`);
    return { host, port: parsePort(rest.slice(1), what) };
  }
  if (isIP(text) === 6) return { host: text };
  const colon = text.lastIndexOf(':');
  if (colon >= 0) {
    if (text.indexOf(':') !== colon) {
      throw new UsageError(`${what}: "${text}" looks like an IPv6 address with a port: put it in brackets, as [::1]:8443`);
    }
    return { host: text.slice(0, colon), port: parsePort(text.slice(colon + 1), what) };
  }
  return { host: text };
}

function checkHost(host: string, what: string): string {
  const h = host.toLowerCase();
  if (h === '') throw new UsageError(`${what}: the host is missing (try api.openai.com)`);
  if (h.includes('%')) throw new UsageError(`${what}: "${host}" has an IPv6 zone index (%...), which is not supported; give a routable address`);
  if (isIP(h)) return h;
  // A name whose last label is a number is read as an IPv4 address by URL parsers (1.2.3 becomes
  // 1.2.0.3): accept only the canonical dotted quad, so what we probe is what the user typed.
  if (/^(0x[0-9a-f]*|\d+)$/i.test(h.replace(/\.$/, '').split('.').pop() ?? '')) {
    throw new UsageError(`${what}: "${host}" is neither a host name nor an IPv4 address in dotted form (like 127.0.0.1)`);
  }
  if (!isHostName(h)) throw new UsageError(`${what}: "${host}" is not a valid host name (letters, digits, '-' and '.'; try api.openai.com)`);
  return h.replace(/\.$/, '');
}

export function formatHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

export function buildUrl(scheme: string, host: string, port: number, basePath: string): string {
  const defaultPort = scheme === 'https' ? 443 : 80;
  const portPart = port === defaultPort ? '' : `:${port}`;
  return `${scheme}://${formatHost(host)}${portPart}${basePath === '' ? '/' : basePath}`;
}

export function parseTarget(input: string): Target {
  const what = 'target';
  const text = input.trim();
  if (text === '') throw new UsageError('target: empty; give a host, host:port or URL, e.g. api.openai.com');
  if (/\s/.test(text)) throw new UsageError(`target: "${input}" contains spaces; give a host, host:port or URL, e.g. api.openai.com`);

  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (schemeMatch) {
    const typed = schemeMatch[1]!.toLowerCase();
    if (typed !== 'http' && typed !== 'https' && typed !== 'ws' && typed !== 'wss') {
      throw new UsageError(`target: scheme "${typed}" is not supported; use https:// (or http:// for a local server, wss:// for a WebSocket endpoint)`);
    }
    const ws = typed === 'ws' || typed === 'wss' ? typed : undefined;
    const scheme = typed === 'wss' ? 'https' : typed === 'ws' ? 'http' : typed;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`target: "${input}" is not a valid URL (try https://api.openai.com/v1)`);
    }
    if (url.password !== '' || url.username !== '') {
      throw new UsageError('target: the URL carries credentials; remove them and give the key with --api-key-env or --api-key-file');
    }
    // Re-validate the authority ourselves: URL accepts things like "https://:443".
    const authority = text.slice(schemeMatch[0].length).split(/[/?#]/, 1)[0]!;
    const { host, port } = splitHostPort(authority, what);
    const h = checkHost(host, what);
    const p = port ?? (scheme === 'https' ? 443 : 80);
    const basePath = url.pathname.replace(/\/+$/, '');
    if (ws) {
      const path = `${url.pathname}${url.search}`;
      return { input, scheme, host: h, port: p, basePath: '', query: '', url: `${ws}://${formatHost(h)}${p === (ws === 'wss' ? 443 : 80) ? '' : `:${p}`}${path}`, websocket: { scheme: ws, path } };
    }
    return {
      input,
      scheme,
      host: h,
      port: p,
      basePath,
      query: url.search.replace(/^\?/, ''),
      url: buildUrl(scheme, h, p, basePath),
    };
  }
  if (text.includes('://') || /^[a-zA-Z][a-zA-Z0-9+.-]*:\/(?!\/)/.test(text)) {
    throw new UsageError(`target: "${input}" is not a valid URL (try https://api.openai.com/v1)`);
  }

  // host, host:port, [v6]:port, optionally followed by a base path (as curl accepts).
  const slash = text.startsWith('[') ? text.indexOf('/', text.indexOf(']')) : text.indexOf('/');
  const authority = slash >= 0 ? text.slice(0, slash) : text;
  const pathPart = slash >= 0 ? text.slice(slash) : '';
  if (/[?#]/.test(pathPart)) throw new UsageError(`target: "${input}": give a full URL (https://...) to pass a query string`);
  const { host, port } = splitHostPort(authority, what);
  const h = checkHost(host, what);
  const p = port ?? 443;
  // Normalise the path the way the URL form does (dot segments, percent-encoding).
  const basePath = pathPart === '' ? '' : new URL(`https://placeholder${pathPart}`).pathname.replace(/\/+$/, '');
  return { input, scheme: 'https', host: h, port: p, basePath, query: '', url: buildUrl('https', h, p, basePath) };
}

/** True for loopback names and addresses (where plain http with a key is acceptable). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}
