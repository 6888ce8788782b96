/**
 * DNS facts -> findings, the addresses to connect to, and the stage's status (pure, no prose
 * beyond evidence). Decisions on mixed outcomes:
 * - Without --resolver the system lookup decides (it is what applications get); the direct queries
 *   to the resolv.conf servers explain why (SERVFAIL vs silence vs NXDOMAIN vs NODATA).
 * - With --resolver the resolvers decide and the run continues with their addresses; the system
 *   lookup is compared with them.
 * - DNS_MISMATCH fires when the two disagree in kind (one has addresses, the other says the name
 *   or its addresses do not exist; or, without --resolver, one answers only public addresses and
 *   the other only non-public ones), not when two public address sets differ (CDNs rotate them).
 *   A hosts-file pin explains a difference (DNS_HOSTS_OVERRIDE says so), and so may the search
 *   list for short names. A system lookup that merely ran out of time is not a disagreement.
 * - With --resolver, a system lookup that fails where the resolver answers is DNS_SYSTEM_UNRESOLVED,
 *   an error (applications ask the system), in place of DNS_MISMATCH; the run still goes on with
 *   the resolver's addresses so the later stages show whether the rest of the path works.
 * - DNS_PRIVATE_ADDRESS fires for the system's answers only: --resolve and --resolver addresses
 *   are the user's choice.
 */
import type { HostsEntry } from '../../net/dns/hosts.js';
import type { DnsQueryResult } from '../../net/dns/query.js';
import type { SystemLookupResult } from '../../net/dns/system.js';
import type { SearchAnswer } from '../../net/dns/search-answer.js';
import { classifyIp, isNonPublic } from '../../net/ip-class.js';
import type { Finding } from '../../stages/types.js';
import { describeServer, overallVerdict, serverVerdicts, type AnswerKind, type ServerVerdict } from './answers.js';
import { isWellKnownApiHost } from '../well-known-hosts.js';

export interface DnsFacts {
  host: string;
  /** Who decides: the system lookup (`resolv.conf` servers asked for comparison) or `--resolver`. */
  directFrom: 'resolv.conf' | '--resolver';
  /** The system lookup; undefined when it was not run. */
  system?: SystemLookupResult;
  queries: DnsQueryResult[];
  /** Hosts-file lines naming the host, and the file's path. */
  hostsEntries: HostsEntry[];
  hostsFile: string;
  /** True when the resolv.conf search list may apply to the name (fewer dots than ndots). */
  searchApplies?: boolean;
  /** The search-list expansion that answered the system lookup, when one did (`api.openai.com.corp.test`). */
  searchAnswer?: SearchAnswer;
}

export interface DnsDecision {
  status: 'pass' | 'warn' | 'fail';
  findings: Finding[];
  /** The addresses to connect to, in order. */
  addresses: string[];
  /** Where they came from. */
  source: 'system' | 'resolver';
  /** The error code, when the stage fails for want of an address (not set for DNS_SYSTEM_UNRESOLVED, whose addresses the run still uses). */
  errorCode?: string;
  servers: ServerVerdict[];
}

const CODE_OF: Record<Exclude<AnswerKind, 'ok'>, string> = {
  nxdomain: 'DNS_NXDOMAIN',
  nodata: 'DNS_NO_ADDRESS',
  servfail: 'DNS_SERVFAIL',
  noanswer: 'DNS_TIMEOUT',
};

type SystemKind = 'ok' | 'notfound' | 'tempfail' | 'timeout' | 'fail';

function systemKind(s: SystemLookupResult): SystemKind {
  if (s.addresses.length > 0) return 'ok';
  if (s.error === 'ENOTFOUND' || s.error === 'ENODATA') return 'notfound';
  if (s.error === 'EAI_AGAIN') return 'tempfail';
  if (s.error === 'TIMEOUT') return 'timeout';
  return 'fail';
}

/** The error code when the system lookup failed, refined by what the servers said directly. */
function codeForSystemFailure(kind: SystemKind, direct: ServerVerdict | undefined): string {
  const d = direct && direct.kind !== 'ok' ? direct.kind : undefined;
  if (kind === 'notfound') return d === 'nodata' ? 'DNS_NO_ADDRESS' : 'DNS_NXDOMAIN';
  if (kind === 'fail') return d ? (d === 'noanswer' ? 'DNS_SERVFAIL' : CODE_OF[d]) : 'DNS_SERVFAIL';
  // EAI_AGAIN or our own timer: silence unless a server said more.
  return d ? CODE_OF[d] : 'DNS_TIMEOUT';
}

/** What getaddrinfo's errors say about the DNS answer behind them (the rcode itself is not visible). */
const SYSTEM_ERROR_MEANINGS: Record<string, string> = {
  EAI_AGAIN: "a temporary failure: the system's DNS server answered SERVFAIL or REFUSED, or did not answer",
  ENOTFOUND: "the system's resolver says the name does not exist (NXDOMAIN) or has no address",
  EAI_NODATA: 'the name exists but has no address of the family asked',
};

export function describeSystem(s: SystemLookupResult): string {
  if (s.addresses.length > 0) return `the system lookup (getaddrinfo) returned ${s.addresses.map((a) => a.address).join(', ')} in ${s.ms} ms`;
  if (s.error === 'TIMEOUT') return `the system lookup (getaddrinfo) had not answered after ${s.ms} ms`;
  const meaning = SYSTEM_ERROR_MEANINGS[s.error ?? ''];
  return `the system lookup (getaddrinfo) failed with ${s.error} after ${s.ms} ms${meaning ? ` (${meaning})` : ''}`;
}

/** `ip:port` -> what follows `dig @` (`10.0.0.2`, `127.0.0.1 -p 5353`). */
export function digServer(server: string | undefined): string {
  const m = server ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(server) : null;
  if (!m) return '127.0.0.1';
  return m[2] === '53' ? m[1]! : `${m[1]} -p ${m[2]}`;
}

const LOCAL_NAMES = /(^|\.)localhost$/;

function allClass(addrs: string[], nonPublic: boolean): boolean {
  return addrs.length > 0 && addrs.every((a) => isNonPublic(a) === nonPublic);
}

/** Whether the system's answer and the direct answer disagree in kind (see the module comment). */
function disagreement(sys: SystemLookupResult, direct: ServerVerdict | undefined, facts: DnsFacts): boolean {
  // Another name answered the system lookup: that is a disagreement whatever the address classes.
  if (facts.searchAnswer && facts.hostsEntries.length === 0) return true;
  if (!direct) return false;
  const sysAddrs = sys.addresses.map((a) => a.address);
  const sysOk = sysAddrs.length > 0;
  if (sysOk && (direct.kind === 'nxdomain' || direct.kind === 'nodata')) return facts.hostsEntries.length === 0 && !facts.searchApplies;
  if (!sysOk && direct.kind === 'ok') return sys.error !== 'TIMEOUT' || facts.directFrom === '--resolver';
  // With --resolver the user chose where the addresses come from: a different class is reported, not warned.
  if (sysOk && direct.kind === 'ok' && facts.hostsEntries.length === 0 && facts.directFrom === 'resolv.conf') {
    return (allClass(sysAddrs, true) && allClass(direct.addresses, false)) || (allClass(sysAddrs, false) && allClass(direct.addresses, true));
  }
  return false;
}

export function decideDns(facts: DnsFacts): DnsDecision {
  const findings: Finding[] = [];
  const servers = serverVerdicts(facts.queries);
  const direct = overallVerdict(servers);
  const sys = facts.system;
  const wellKnown = isWellKnownApiHost(facts.host);
  const serverEvidence = servers.map((s) => describeServer(s, facts.host));
  const params = { host: facts.host, server: digServer((direct ?? servers[0])?.server) };
  // Servers that stayed silent while another one answered: every lookup waits for them first.
  // Only those before the first answering one cost time (glibc asks them in order, without `options rotate`).
  const firstAnswering = servers.findIndex((s) => s.kind !== 'noanswer');
  const silent = facts.directFrom === 'resolv.conf' && firstAnswering > 0 ? servers.slice(0, firstAnswering) : [];

  const hosts = LOCAL_NAMES.test(facts.host) ? [] : facts.hostsEntries;
  if (hosts.length > 0) {
    findings.push({
      code: 'DNS_HOSTS_OVERRIDE',
      evidence: hosts.map((e) => `${facts.hostsFile} line ${e.line}: ${e.address} ${e.names.join(' ')}`),
      details: { file: facts.hostsFile, entries: hosts },
      params,
    });
  }

  // Who decides, and what they said.
  let addresses: string[] = [];
  let source: DnsDecision['source'] = 'system';
  let errorCode: string | undefined;
  if (facts.directFrom === '--resolver') {
    source = 'resolver';
    if (direct?.kind === 'ok') addresses = direct.addresses;
    else errorCode = direct ? CODE_OF[direct.kind] : 'DNS_TIMEOUT';
  } else if (sys) {
    const kind = systemKind(sys);
    if (kind === 'ok') addresses = sys.addresses.map((a) => a.address);
    else if (kind === 'timeout' && direct?.kind === 'ok' && silent.length > 0) {
      // getaddrinfo is still waiting on a silent nameserver; the next one has the answer, and so will applications, late.
      addresses = direct.addresses;
      source = 'resolver';
    } else errorCode = codeForSystemFailure(kind, direct);
  }

  // A sinkhole: every address is 0.0.0.0 or ::, what DNS filters and blocking hosts files answer for names they block.
  const sinkhole = !errorCode && addresses.length > 0 && addresses.every((a) => classifyIp(a) === 'unspecified');
  if (sinkhole) {
    const pinned = hosts.filter((e) => addresses.includes(e.address));
    findings.push({
      code: 'DNS_BLOCKED',
      evidence: [
        ...(sys ? [describeSystem(sys)] : []),
        ...serverEvidence,
        ...pinned.map((e) => `${facts.hostsFile} line ${e.line} pins ${facts.host} to ${e.address}`),
        `${addresses.join(' and ')} ${addresses.length > 1 ? 'are' : 'is'} not the address of any server: DNS filters and blocking hosts files answer so for names they block (a connection to it reaches this machine itself)`,
      ],
      details: { addresses, by: pinned.length > 0 ? 'hosts-file' : source === 'resolver' && facts.directFrom === '--resolver' ? '--resolver' : 'dns' },
      ...(pinned.length > 0 ? { origin: 'local' as const, owner: 'you' as const } : {}),
      params,
    });
    errorCode = 'DNS_BLOCKED';
    addresses = [];
  }

  if (errorCode && errorCode !== 'DNS_BLOCKED') {
    const evidence = [...(sys ? [describeSystem(sys)] : []), ...serverEvidence];
    if (servers.length === 0 && facts.directFrom === 'resolv.conf') evidence.push('no DNS server was asked directly (resolv.conf lists none that could be queried)');
    const details: Record<string, unknown> = { servers: servers.map((s) => ({ server: s.server, kind: s.kind, rcode: s.rcode, ms: s.ms })) };
    if (errorCode === 'DNS_NXDOMAIN' && wellKnown) {
      evidence.push(
        `${facts.host} is a public API name that exists on the internet: a resolver that calls it nonexistent is filtering it or serving a private (split-horizon) view of DNS; compare with a public resolver: diagnose ${facts.host} --resolver 1.1.1.1`,
      );
      details.wellKnown = true;
      details.filteringSuspected = true;
    }
    if (errorCode === 'DNS_SERVFAIL' && direct?.rcode) details.rcode = direct.rcode;
    if (errorCode === 'DNS_NO_ADDRESS' && direct?.cnames) {
      const target = direct.cnames[direct.cnames.length - 1]!;
      evidence.push(`${facts.host} is an alias (CNAME${direct.cnames.length > 1 ? ' chain' : ''}) of ${direct.cnames.join(' -> ')}, and ${target} has no address${direct.rcode === 'NXDOMAIN' ? ' (it does not exist: NXDOMAIN)' : ''}: a dangling alias`);
      details.cnames = direct.cnames;
      details.danglingTarget = target;
    }
    findings.push({ code: errorCode, evidence, details, params });
  }

  // --resolver answered, the system lookup did not: the run goes on with the resolver's answer,
  // but every application on this machine asks the system, so this is the error to fix.
  const systemBroken = facts.directFrom === '--resolver' && !errorCode && direct?.kind === 'ok' && sys !== undefined && systemKind(sys) !== 'ok';
  if (systemBroken) {
    const kind = systemKind(sys);
    const systemCode = codeForSystemFailure(kind, undefined);
    findings.push({
      code: 'DNS_SYSTEM_UNRESOLVED',
      evidence: [
        describeSystem(sys),
        ...serverEvidence,
        `applications on this machine resolve names through the system lookup, not through --resolver: they cannot reach ${facts.host} until it answers`,
        `the later stages run on the address ${direct.server ?? '--resolver'} gave (${direct.addresses.join(', ')}), to show whether the rest of the path works`,
      ],
      details: { systemError: sys.error, systemCode, systemMs: sys.ms, resolver: direct.server, resolverAddresses: direct.addresses },
      params: { ...params, resolver: digServer(direct.server) },
    });
  }

  if (sys && !systemBroken && disagreement(sys, direct, facts)) {
    findings.push({
      code: 'DNS_MISMATCH',
      evidence: [
        describeSystem(sys),
        ...serverEvidence,
        ...(facts.searchAnswer
          ? [
              `the name that really answered the system lookup is ${facts.searchAnswer.name} (${facts.searchAnswer.addresses.join(', ')}): ${facts.host} has fewer dots than resolv.conf's ndots, ` +
                `so the resolver tried it with the search domain ${facts.searchAnswer.domain} first, and that zone answers for it (a wildcard record)`,
              `applications on this machine connect to ${facts.searchAnswer.name}'s address, not to ${facts.host}'s`,
            ]
          : []),
        ...(facts.directFrom === '--resolver' && sys.addresses.length > 0 && direct?.kind !== 'ok'
          ? [`applications here resolve ${facts.host} through the system lookup, which answers it; only the --resolver asked does not (a split-horizon name the machine's own resolvers serve, or a resolver that filters it): without --resolver the run would go on with the system's answer`]
          : []),
      ],
      details: {
        system: sys.addresses.map((a) => a.address),
        systemError: sys.error,
        direct: direct?.addresses ?? [],
        directKind: direct?.kind,
        ...(facts.searchAnswer ? { answeredName: facts.searchAnswer.name, searchDomain: facts.searchAnswer.domain } : {}),
      },
      params,
    });
  }

  // Only what the system answered: --resolve and --resolver addresses are the user's choice.
  const sysPrivate = sinkhole ? [] : (sys?.addresses.filter((a) => isNonPublic(a.address)) ?? []);
  if (wellKnown && sysPrivate.length > 0) {
    findings.push({
      code: 'DNS_PRIVATE_ADDRESS',
      evidence: sysPrivate.map((a) => `the system lookup answers ${a.address} (${classifyIp(a.address)}) for the public API name ${facts.host}`),
      details: { addresses: sysPrivate.map((a) => ({ address: a.address, class: classifyIp(a.address) })) },
      params,
    });
  }

  if (silent.length > 0 && !errorCode) {
    findings.push({
      code: 'DNS_SERVER_UNRESPONSIVE',
      evidence: [
        ...silent.map((s) => describeServer(s, facts.host)),
        ...servers.filter((s) => s.kind !== 'noanswer').map((s) => describeServer(s, facts.host)),
        ...(sys ? [describeSystem(sys)] : []),
        ...(sys?.error === 'TIMEOUT' ? ['applications get the answer only after the resolver library gives up on the silent server (5 s per try by default)'] : []),
      ],
      details: { silent: silent.map((s) => s.server), answering: servers.filter((s) => s.kind !== 'noanswer').map((s) => s.server), systemMs: sys?.ms, systemError: sys?.error },
      params: { ...params, server: digServer(silent[0]!.server) },
    });
  }

  const status = errorCode || systemBroken ? 'fail' : findings.length > 0 ? 'warn' : 'pass';
  return { status, findings, addresses, source, servers, ...(errorCode ? { errorCode } : {}) };
}
