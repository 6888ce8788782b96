/**
 * NO_PROXY matching as curl does it (lib/noproxy.c), pure.
 *
 * - entries are separated by commas and/or white space; a lone `*` matches every host;
 * - a name matches itself and every name below it on a label boundary: `example.com` and
 *   `.example.com` both match `example.com` and `api.example.com`, never `badexample.com`
 *   (curl drops the leading dot; `*.example.com`, which Node and Go accept, is read the same way);
 * - IP literals match exactly, or by CIDR (`10.0.0.0/8`, `fd00::/8`) as curl does since 7.86;
 *   IPv6 entries may be written with or without brackets;
 * - `host:port` entries (an extension shared by Go, undici and Node, not by curl) match only that port.
 */
import { isIP } from '../is-ip.js';

/** The entry of the list that covers the target. */
export interface NoProxyMatch {
  /** The entry as written in the list. */
  entry: string;
  /** How it matched. */
  kind: 'wildcard' | 'exact' | 'suffix' | 'cidr';
}

/** Split a NO_PROXY list into its entries. */
export function noProxyEntries(list: string): string[] {
  return list.split(/[\s,]+/).filter((e) => e !== '');
}

function splitEntryPort(entry: string): { host: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?(\/\d+)?$/.exec(entry);
  if (bracket) return { host: bracket[1]! + (bracket[3] ?? ''), ...(bracket[2] ? { port: Number(bracket[2]) } : {}) };
  const colons = entry.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = entry.split(':') as [string, string];
    if (/^\d{1,5}$/.test(port)) return { host, port: Number(port) };
  }
  return { host: entry };
}

/** The address as a bigint and its bit width, or undefined when not an IP literal. */
function ipBits(addr: string): { value: bigint; width: number } | undefined {
  const v = isIP(addr);
  if (v === 4) {
    const parts = addr.split('.').map(Number);
    return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), width: 32 };
  }
  if (v === 6) {
    let a = addr.toLowerCase();
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (v4) {
      const p = v4[1]!.split('.').map(Number) as [number, number, number, number];
      a = a.slice(0, -v4[1]!.length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
    }
    const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, undefined];
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
  }
  return undefined;
}

function ipMatches(entryHost: string, target: string): 'exact' | 'cidr' | undefined {
  const slash = entryHost.indexOf('/');
  const addr = slash >= 0 ? entryHost.slice(0, slash) : entryHost;
  const e = ipBits(addr);
  const t = ipBits(target);
  if (!e || !t || e.width !== t.width) return undefined;
  if (slash < 0) return e.value === t.value ? 'exact' : undefined;
  const bits = Number(entryHost.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > e.width) return undefined;
  const shift = BigInt(e.width - bits);
  return e.value >> shift === t.value >> shift ? 'cidr' : undefined;
}

/** The entry of `list` that covers host:port, or undefined when the proxy applies. */
export function noProxyMatch(list: string, host: string, port: number): NoProxyMatch | undefined {
  const target = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const targetIsIp = isIP(target) !== 0;
  for (const entry of noProxyEntries(list)) {
    if (entry === '*') return { entry, kind: 'wildcard' };
    const { host: rawHost, port: entryPort } = splitEntryPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    const entryHost = rawHost.toLowerCase();
    if (targetIsIp) {
      const how = ipMatches(entryHost, target);
      if (how) return { entry, kind: how };
      continue;
    }
    const name = entryHost.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name === '' || isIP(name.split('/')[0]!) !== 0) continue;
    if (target === name) return { entry, kind: 'exact' };
    if (target.endsWith(`.${name}`)) return { entry, kind: 'suffix' };
  }
  return undefined;
}
