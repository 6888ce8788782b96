/**
 * The dns stage: resolves the first hop (the target, or the forward proxy in front of it).
 * Observes what applications get (the system lookup) and what the DNS servers say when asked
 * directly (A and AAAA to each resolv.conf nameserver, or to each --resolver), in parallel and
 * within the deadline; dns-rules.ts decides. An IP literal or a matching --resolve pin skips DNS.
 *
 * data: { hop, source: 'literal'|'pin'|'system'|'resolver', skipped?, pin?, system?, queries[],
 *         servers[], nameservers[], nameserversFrom, hostsFile, hostsEntries[], searchApplies,
 *         directSkipped?, addresses[{address, family, class}] }
 *
 * Test hooks (environment): UPSTREAM_DOCTOR_HOSTS_FILE and UPSTREAM_DOCTOR_RESOLV_CONF replace the
 * paths of the hosts file and resolv.conf the stage reads (getaddrinfo still reads the real ones).
 */
import { isIP } from '../net/is-ip.js';
import { pinFor } from '../config.js';
import { decideDns, type DnsFacts } from '../diagnose/dns/rules.js';
import type { DnsQueryResult, QueryType } from '../net/dns/query.js';
import { systemLookup } from '../net/dns/system.js';
import { findSearchAnswer } from '../net/dns/search-answer.js';
import { DEFAULT_HOSTS_FILE, hostsEntriesFor, readHosts } from '../net/dns/hosts.js';
import { classifyIp } from '../net/ip-class.js';
import { DEFAULT_RESOLV_CONF, readResolvConf, type ResolvConf } from '../net/dns/resolvconf.js';
import { firstHop, type Hop } from './hop.js';
import type { Endpoint, RunContext, Stage, StageOutcome } from './types.js';

/** glibc asks at most three nameservers; more --resolver entries than this are not useful. */
const MAX_RESOLV_CONF_SERVERS = 3;
const MAX_RESOLVERS = 8;
/** Leave this much of the deadline to build the result. */
const MARGIN_MS = 30;
/** Names resolved on the machine itself (RFC 6761, mDNS): asking a DNS server about them proves nothing. */
const NOT_FOR_DNS = /(^|\.)(localhost|local)$/;

function endpoints(addresses: string[], hop: Hop, source: Endpoint['source']): Endpoint[] {
  return addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4, port: hop.port, source }));
}

function describeAddresses(addresses: string[]) {
  return addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4, class: classifyIp(address) }));
}

function list(addresses: string[]): string {
  return addresses.length > 4 ? `${addresses.slice(0, 4).join(', ')} and ${addresses.length - 4} more` : addresses.join(', ');
}

function searchApplies(host: string, conf: ResolvConf): boolean {
  if (host.endsWith('.') || conf.search.length === 0) return false;
  const ndots = Number(/^ndots:(\d+)$/.exec(conf.options.find((o) => o.startsWith('ndots:')) ?? '')?.[1] ?? 1);
  return host.split('.').length - 1 < ndots;
}

/** No lookup: the hop is an IP address, or --resolve pins it. */
function skipped(ctx: RunContext, hop: Hop): StageOutcome | undefined {
  const base = { hop };
  if (isIP(hop.host)) {
    ctx.state.addresses = endpoints([hop.host], hop, 'literal');
    return { status: 'pass', summary: `${hop.host} is an IP address: no DNS lookup`, data: { ...base, source: 'literal', skipped: 'ip-literal', addresses: describeAddresses([hop.host]) }, findings: [] };
  }
  const pin = pinFor(ctx.config.resolve, hop.host, hop.port);
  if (!pin) return undefined;
  ctx.state.addresses = endpoints(pin.addresses, hop, 'pin');
  return {
    status: 'pass',
    summary: `DNS skipped by --resolve: ${hop.host}:${hop.port} pinned to ${list(pin.addresses)}`,
    data: { ...base, source: 'pin', skipped: '--resolve', pin, addresses: describeAddresses(pin.addresses) },
    findings: [],
  };
}

/** Once the system lookup is done and a server has answered, the silent ones get this long (ms), at least. */
const GRACE_MS = 1500;

/**
 * The system lookup and the direct queries, in parallel. A silent server is not waited on for the
 * whole budget once the system lookup settled and another server answered: it has had its chance.
 */
async function observe(host: string, budget: number, signal: AbortSignal, servers: Array<{ address: string; port: number }>, types: QueryType[]) {
  // dns-packet loads only for a run that asks servers directly, before any clock starts.
  const queryDns = servers.length > 0 ? (await import('../net/dns/query.js')).queryDns : undefined;
  const grace = new AbortController();
  const either = AbortSignal.any([signal, grace.signal]);
  let systemDone = false;
  let slowestAnswer: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const maybeStartGrace = () => {
    if (timer || !systemDone || slowestAnswer === undefined) return;
    timer = setTimeout(() => grace.abort(), Math.max(GRACE_MS, 3 * slowestAnswer));
  };
  const systemP = systemLookup(host, budget, signal).then((r) => {
    systemDone = true;
    maybeStartGrace();
    return r;
  });
  const queryPs = servers.flatMap((s) =>
    types.map((type) =>
      queryDns!({ server: s.address, port: s.port, name: host, type, timeoutMs: budget, signal: either }).then((q) => {
        if (q.outcome === 'answer') slowestAnswer = Math.max(slowestAnswer ?? 0, q.ms);
        maybeStartGrace();
        return q;
      }),
    ),
  );
  try {
    const [system, queries] = await Promise.all([systemP, Promise.all(queryPs)]);
    return { system, queries };
  } finally {
    clearTimeout(timer);
  }
}

export const dnsStage: Stage = {
  id: 'dns',
  shouldRun: () => ({ run: true }),
  async run(ctx, signal, deadline): Promise<StageOutcome> {
    const hop = firstHop(ctx);
    const skip = skipped(ctx, hop);
    if (skip) return skip;

    const hostsFile = ctx.env.UPSTREAM_DOCTOR_HOSTS_FILE || DEFAULT_HOSTS_FILE;
    const [hostsAll, conf] = await Promise.all([readHosts(hostsFile), readResolvConf(ctx.env.UPSTREAM_DOCTOR_RESOLV_CONF || DEFAULT_RESOLV_CONF)]);
    const useResolvers = ctx.config.resolvers.length > 0;
    const fromConf = conf.nameservers.filter((ns) => isIP(ns)).slice(0, MAX_RESOLV_CONF_SERVERS);
    // With no nameserver line, glibc asks the local machine.
    const nameserversFrom = useResolvers ? '--resolver' : fromConf.length > 0 ? 'resolv.conf' : 'default';
    const servers = useResolvers
      ? ctx.config.resolvers.slice(0, MAX_RESOLVERS)
      : (fromConf.length > 0 ? fromConf : ['127.0.0.1']).map((address) => ({ address, port: 53 }));
    // Without resolv.conf only Linux's resolver has a known default (this machine); elsewhere the
    // servers the system asks are unknown here, and asking 127.0.0.1 would blame a server it never uses.
    const noConf = conf.unreadable !== undefined && process.platform !== 'linux' && !useResolvers;
    const directSkipped = (NOT_FOR_DNS.test(hop.host) && !useResolvers) || noConf;

    const budget = Math.max(0, deadline - ctx.now() - MARGIN_MS);
    const types: QueryType[] = ['A', 'AAAA'];
    const { system, queries } = await observe(hop.host, budget, signal, directSkipped ? [] : servers, types);

    const facts: DnsFacts = {
      host: hop.host,
      directFrom: useResolvers ? '--resolver' : 'resolv.conf',
      system,
      queries: queries as DnsQueryResult[],
      hostsEntries: hostsEntriesFor(hostsAll, hop.host),
      hostsFile,
      searchApplies: searchApplies(hop.host, conf),
    };
    // A system answer unlike the direct one, with the search list in play: find the name that answered.
    if (facts.searchApplies && !useResolvers && servers[0] && system.addresses.length > 0) {
      const direct = facts.queries.flatMap((q) => (q.outcome === 'answer' ? q.addresses : []));
      const left = Math.min(2000, deadline - ctx.now() - MARGIN_MS);
      const found = await findSearchAnswer(hop.host, conf.search, system, direct, servers[0], left, signal);
      if (found) facts.searchAnswer = found;
    }
    const decision = decideDns(facts);
    if (decision.addresses.length > 0) ctx.state.addresses = endpoints(decision.addresses, hop, decision.source);

    const who = hop.kind === 'proxy' ? `proxy host ${hop.host}` : hop.host;
    const answering = decision.servers.find((s) => s.kind === 'ok')?.server;
    const via = decision.source === 'resolver' ? (useResolvers ? `--resolver ${answering}` : `DNS server ${answering}; the system lookup had not finished`) : 'system lookup';
    const summary = decision.errorCode
      ? `${who} did not resolve: ${decision.errorCode}${decision.servers.length > 0 ? ` (${decision.servers.map((s) => `${s.server} ${s.rcode ?? s.kind}`).join(', ')})` : ''}`
      : `${who} -> ${list(decision.addresses)} (${via}${decision.source === 'system' ? `, ${system.ms} ms` : ''})`;
    return {
      status: decision.status,
      summary,
      data: {
        hop,
        source: decision.source,
        system,
        queries: facts.queries,
        servers: decision.servers.map((s) => ({ server: s.server, kind: s.kind, rcode: s.rcode, addresses: s.addresses, ms: s.ms })),
        nameservers: servers.map((s) => (isIP(s.address) === 6 ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`)),
        nameserversFrom,
        hostsFile,
        hostsEntries: facts.hostsEntries,
        searchApplies: facts.searchApplies,
        ...(facts.searchAnswer ? { searchAnswer: facts.searchAnswer } : {}),
        ...(directSkipped
          ? { directSkipped: noConf ? 'no resolv.conf: the DNS servers this system asks are not known here (--resolver IP asks one directly)' : 'the name is resolved on this machine, not by DNS servers' }
          : {}),
        addresses: describeAddresses(decision.addresses),
      },
      findings: decision.findings,
    };
  },
};
