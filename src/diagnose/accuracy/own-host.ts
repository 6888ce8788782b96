/**
 * Whether a target host is plainly on the user's side (issue 11, cause fields): not a provider's
 * public API name, and either named as a custom endpoint (--provider openai-compatible / generic),
 * localhost, or a loopback / private address. A server there that fails is the user's (or their
 * gateway's) to fix, never "the provider's".
 */
import { isIP } from '../../net/is-ip.js';
import type { ProviderName } from '../../report.js';
import { isNonPublic } from '../../net/ip-class.js';
import { isWellKnownApiHost } from '../well-known-hosts.js';

export function isUsersOwnHost(host: string, provider: ProviderName): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isWellKnownApiHost(h)) return false;
  if (provider === 'openai-compatible' || provider === 'generic') return true;
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isIP(h) !== 0 && isNonPublic(h);
}

/** Codes whose default owner is "your gateway", but which a provider's own front end can cause as well. */
const EDGE_CODES = new Set(['HTTP2_STREAM_ERROR', 'HTTP2_ONLY_SERVER', 'STREAM_STALLED']);

/**
 * A finding of those codes, met on a provider's public name over https with no proxy and no hop
 * named in the headers: nothing of the user's is on the path, so the provider's edge answered
 * (owner provider). Returns the evidence line it adds, or undefined when it leaves the finding alone.
 */
export function ownerFromProviderEdge(
  f: { code: string; origin?: import('../../report.js').Origin; owner?: import('../../report.js').Owner; evidence: string[] },
  o: { host: string; https: boolean; viaProxy: boolean; hops: string[] },
): boolean {
  if (!EDGE_CODES.has(f.code) || f.owner !== undefined) return false;
  if (!o.https || o.viaProxy || o.hops.length > 0 || !isWellKnownApiHost(o.host)) return false;
  f.owner = 'provider';
  f.origin = 'provider-edge';
  f.evidence.push(`${o.host} over https with no proxy and no gateway in the answer's headers: the front end that did this is the provider's own`);
  return true;
}

/**
 * --gateway findings are the gateway operator's; pointed at a provider's own public name, the
 * front end they describe is the provider's (its edge), not a gateway of the user's.
 */
export function gatewayFindingOwner(host: string): { origin: 'provider-edge'; owner: 'provider' } | undefined {
  return isWellKnownApiHost(host) ? { origin: 'provider-edge', owner: 'provider' } : undefined;
}
