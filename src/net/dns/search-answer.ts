/**
 * Which name really answered the system lookup when the resolv.conf search list applies: glibc
 * tries `host.<search domain>` before the bare name when the name has fewer dots than `ndots`, so a
 * wildcard in a corporate zone (`*.corp.example`) answers for `api.openai.com.corp.example` and
 * applications connect there. Asks the first nameserver for each expanded name (A and AAAA).
 */
import type { SystemLookupResult } from './system.js';

/** At most this many search domains are tried (glibc uses up to 6). */
const MAX_DOMAINS = 6;

export interface SearchAnswer {
  /** The expanded name whose addresses the system lookup returned. */
  name: string;
  domain: string;
  addresses: string[];
}

export async function findSearchAnswer(
  host: string,
  search: string[],
  system: SystemLookupResult,
  directAddresses: string[],
  server: { address: string; port: number },
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SearchAnswer | undefined> {
  const sys = new Set(system.addresses.map((a) => a.address));
  if (sys.size === 0 || timeoutMs <= 0) return undefined;
  // The same addresses from the bare name: nothing to explain.
  if (directAddresses.some((a) => sys.has(a))) return undefined;
  // dns-packet loads only when there is a search domain to ask about.
  const { queryDns } = await import('./query.js');
  for (const domain of search.slice(0, MAX_DOMAINS)) {
    const name = `${host.replace(/\.$/, '')}.${domain.replace(/^\.|\.$/g, '')}`;
    const answers = await Promise.all(
      (['A', 'AAAA'] as const).map((type) => queryDns({ server: server.address, port: server.port, name, type, timeoutMs, signal })),
    );
    const addresses = answers.flatMap((q) => (q.outcome === 'answer' ? q.addresses : []));
    if (addresses.some((a) => sys.has(a))) return { name, domain, addresses };
    // glibc stops at the first expansion that answers at all
    if (addresses.length > 0) return undefined;
  }
  return undefined;
}
