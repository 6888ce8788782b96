/**
 * Context for an MTU verdict: the MTU of the local interfaces (tunnels and VPNs with small MTUs
 * are worth naming) and the kernel's route to the endpoint (`ip -o route get`: the device, and a
 * learned path MTU when PMTU discovery has worked). Not a detector on its own. The parsers are
 * pure; the readers never reject.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from '../../safe-io/fs-async.js';
import { toolFailure } from '../../platform/not-measured.js';

export interface IfaceMtu {
  name: string;
  mtu: number;
  /** Looks like a tunnel or VPN (wg, tun, tap, ppp, ipsec, gre, tailscale, zerotier ...). */
  tunnel: boolean;
}

export interface RouteInfo {
  dev?: string;
  /** A route MTU (`mtu N`), learned (with `cache expires`) or configured. */
  mtu?: number;
  /** True when the route entry is a learned exception (`cache expires Ns`). */
  learned: boolean;
  raw: string;
}

const TUNNEL_NAME = /^(wg|tun|tap|ppp|ipsec|vti|gre|gretap|ip6tnl|sit|tailscale|zt|utun|nordlynx|proton|vpn|cscotun|l2tp|ovpn)/i;

export function isTunnelName(name: string): boolean {
  return TUNNEL_NAME.test(name);
}

/** Parse one line of `ip -o route get ADDR`. */
export function parseRouteGet(text: string): RouteInfo {
  const raw = text.replace(/\s+/g, ' ').trim();
  const dev = / dev (\S+)/.exec(` ${raw}`)?.[1];
  const mtuText = / mtu (?:lock )?(\d+)/.exec(` ${raw}`)?.[1];
  return { dev, mtu: mtuText ? Number(mtuText) : undefined, learned: /\bexpires\b/.test(raw), raw };
}

/** The MTU of every interface under /sys/class/net (loopback left out). */
export async function readInterfaces(root = '/sys/class/net'): Promise<IfaceMtu[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: IfaceMtu[] = [];
  for (const name of names.sort()) {
    if (name === 'lo') continue;
    const mtu = Number((await readFile(`${root}/${name}/mtu`, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(mtu) && mtu > 0) out.push({ name, mtu, tunnel: isTunnelName(name) });
  }
  return out;
}

/** `ip -o route get ADDR`; undefined when ip is missing or fails. */
export async function readRoute(address: string, timeoutMs = 1000): Promise<RouteInfo | undefined> {
  return (await readRouteOrReason(address, timeoutMs)).route;
}

/** `ip -o route get ADDR`, or why it could not run (ip missing, not Linux). Never rejects. */
export function readRouteOrReason(address: string, timeoutMs = 1000): Promise<{ route?: RouteInfo; reason?: string }> {
  return new Promise((resolve) => {
    if (process.platform !== 'linux') return resolve({ reason: toolFailure('ip', null) });
    execFile('ip', ['-o', 'route', 'get', address], { timeout: timeoutMs }, (err, stdout) => {
      resolve(err ? { reason: toolFailure('ip', err as { code?: unknown }) } : { route: parseRouteGet(String(stdout)) });
    });
  });
}
