/**
 * Direct DNS queries -> one verdict per server and one for all of them (pure).
 * A server's A and AAAA answers are combined: addresses from either make it `ok`.
 */
import type { DnsQueryResult } from '../../net/dns/query.js';

/** What one server (or all of them together) said about the name. */
export type AnswerKind = 'ok' | 'nxdomain' | 'servfail' | 'nodata' | 'noanswer';

export interface ServerVerdict {
  server: string;
  kind: AnswerKind;
  /** The rcode behind `servfail` (SERVFAIL, REFUSED, NOTIMP ...). */
  rcode?: string;
  /** Addresses, A first then AAAA. */
  addresses: string[];
  /** The slowest of the server's queries, in milliseconds. */
  ms: number;
  /** The CNAME chain the server gave for the name (targets, in order), when it is an alias. */
  cnames?: string[];
  queries: DnsQueryResult[];
}

/** Definitive answers beat failures, failures beat silence. */
const RANK: Record<AnswerKind, number> = { ok: 0, nxdomain: 1, servfail: 2, nodata: 3, noanswer: 4 };

function verdictOfServer(server: string, queries: DnsQueryResult[]): ServerVerdict {
  const ordered = [...queries].sort((a, b) => (a.type === b.type ? 0 : a.type === 'A' ? -1 : 1));
  const addresses = [...new Set(ordered.flatMap((q) => q.addresses))];
  const ms = Math.max(0, ...queries.map((q) => q.ms));
  const cnames = ordered.find((q) => q.cnames.length > 0)?.cnames;
  const base = { server, addresses, ms, queries, ...(cnames ? { cnames } : {}) };
  if (addresses.length > 0) return { ...base, kind: 'ok' };
  const answered = queries.filter((q) => q.outcome === 'answer');
  // NXDOMAIN next to a CNAME is about the alias's target (RFC 6604): the name itself exists, its target does not.
  if (cnames && answered.length > 0 && answered.every((q) => q.rcode === 'NXDOMAIN' || q.rcode === 'NOERROR')) return { ...base, kind: 'nodata', rcode: answered[0]!.rcode };
  if (answered.some((q) => q.rcode === 'NXDOMAIN')) return { ...base, kind: 'nxdomain', rcode: 'NXDOMAIN' };
  const failed = answered.find((q) => q.rcode !== 'NOERROR');
  if (failed) return { ...base, kind: 'servfail', rcode: failed.rcode };
  // NODATA only when every query came back NOERROR and empty; a silent AAAA leaves it open.
  if (answered.length > 0 && answered.length === queries.length) return { ...base, kind: 'nodata', rcode: 'NOERROR' };
  return { ...base, kind: 'noanswer' };
}

/** One verdict per server, in the order the servers were first asked. */
export function serverVerdicts(queries: DnsQueryResult[]): ServerVerdict[] {
  const byServer = new Map<string, DnsQueryResult[]>();
  for (const q of queries) byServer.set(q.server, [...(byServer.get(q.server) ?? []), q]);
  return [...byServer].map(([server, qs]) => verdictOfServer(server, qs));
}

/** The best verdict across servers: the first that gave addresses, else the most definitive answer. */
export function overallVerdict(servers: ServerVerdict[]): ServerVerdict | undefined {
  const ok = servers.find((s) => s.kind === 'ok');
  if (ok) return ok;
  return [...servers].sort((a, b) => RANK[a.kind] - RANK[b.kind])[0];
}

/** One line of evidence for a server's verdict, with figures. */
export function describeServer(v: ServerVerdict, name: string): string {
  const per = v.queries
    .map((q) => {
      const what =
        q.outcome === 'answer'
          ? q.addresses.length > 0
            ? `${q.addresses.join(', ')}${q.cnames.length > 0 ? ` via CNAME ${q.cnames.join(' -> ')}` : ''}${q.minTtl !== undefined ? `, TTL ${q.minTtl}s` : ''}`
            : `${q.rcode === 'NOERROR' ? 'NOERROR, no records (NODATA)' : q.rcode}${q.cnames.length > 0 ? ` after CNAME ${q.cnames.join(' -> ')}` : ''}`
          : q.outcome === 'timeout'
            ? 'no answer'
            : q.outcome === 'unreachable'
              ? `unreachable (${q.error})`
              : `only unusable replies (${q.dropped?.[0] ?? q.error ?? 'closed'})`;
      return `${q.type}: ${what} in ${q.ms} ms${q.truncated ? ' (truncated over UDP, asked again over TCP)' : ''}`;
    })
    .join('; ');
  return `DNS server ${v.server} for ${name}: ${per}`;
}
