/**
 * Whether a target host is plainly on the user's side (issue 11, cause fields): not a provider's
 * public API name, and either named as a custom endpoint (--provider openai-compatible / generic),
 * localhost, or a loopback / private address. A server there that fails is the user's (or their
 * gateway's) to fix, never "the provider's".
 */
import { isIP } from 'node:net';
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
