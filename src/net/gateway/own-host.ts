/**
 * Is the target a host the user evidently runs? Loopback names and addresses, private and other
 * non-public address literals, and names pinned with `--resolve` to such an address. Anything
 * else may be someone else's server: `--gateway` and `--mtu` probes leave 4xx lines (oversize
 * bodies, preflights, unauthenticated requests) in its logs, so the CLI says so first. Pure.
 */
import { isIP } from '../is-ip.js';
import { pinFor, type Config } from '../../config.js';
import { isLoopbackHost } from '../../target.js';
import { isNonPublic } from '../ip-class.js';

export function evidentlyOwnHost(config: Config): boolean {
  const { host, port } = config.target;
  if (isLoopbackHost(host)) return true;
  if (isIP(host)) return isNonPublic(host);
  const pin = pinFor(config.resolve, host, port);
  return !!pin && pin.addresses.length > 0 && pin.addresses.every((a) => isNonPublic(a));
}

/** The stderr note before probes that leave traces in someone's logs, or undefined when none is due. */
export function probeNotice(config: Config): string | undefined {
  const what = [config.gateway ? '--gateway' : '', config.mtu ? '--mtu' : ''].filter(Boolean).join(' and ');
  if (!what || evidentlyOwnHost(config)) return undefined;
  return `diagnose: note: ${what} probes ${config.target.host} with requests its operator will see as 4xx lines in the logs (no key, oversize bodies, preflights); run them against a gateway you operate`;
}
