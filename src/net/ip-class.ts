/**
 * What kind of address an IP is (pure): public, or one of the ranges that never leave a site.
 * Used to tell when a public API name resolves somewhere it cannot really be.
 */
import { isIPv4, isIPv6 } from './is-ip.js';

/** The class of an address; every class except `public` is not reachable on the internet. */
export type IpClass =
  | 'public'
  /** RFC 1918 (10/8, 172.16/12, 192.168/16). */
  | 'private'
  /** 127/8, ::1. */
  | 'loopback'
  /** 169.254/16, fe80::/10. */
  | 'link-local'
  /** RFC 6598 carrier-grade NAT, 100.64/10. */
  | 'cgnat'
  /** IPv6 unique local, fc00::/7. */
  | 'ula'
  /** 0.0.0.0/8, :: (DNS filters often answer 0.0.0.0 for blocked names). */
  | 'unspecified'
  | 'multicast'
  /** Documentation, benchmarking, 240/4 and other ranges not routed on the internet. */
  | 'reserved'
  | 'invalid';

function v4Octets(a: string): number[] | undefined {
  if (!isIPv4(a)) return undefined;
  return a.split('.').map(Number);
}

function classifyV4(o: number[]): IpClass {
  const [a, b, c] = o as [number, number, number, number];
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  if ((a === 192 && b === 0 && (c === 0 || c === 2)) || (a === 198 && (b === 18 || b === 19)) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) {
    return 'reserved';
  }
  return 'public';
}

/** Expand an IPv6 address into its eight 16-bit groups. */
export function v6Groups(address: string): number[] | undefined {
  const a = address.replace(/%.*$/, '');
  if (!isIPv6(a)) return undefined;
  let text = a;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const o = tail[1]!.split('.').map(Number);
    text = text.slice(0, -tail[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - h.length - r.length;
  return [...h, ...Array<string>(fill).fill('0'), ...r].map((g) => parseInt(g, 16));
}

function classifyV6(g: number[]): IpClass {
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) is the IPv4 address in disguise.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return classifyV4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  }
  const first = g[0]!;
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xfe00) === 0xfc00) return 'ula';
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if (first === 0x2001 && g[1] === 0x0db8) return 'reserved';
  // Only 2000::/3 is global unicast today.
  if ((first & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}

export function classifyIp(address: string): IpClass {
  const o = v4Octets(address);
  if (o) return classifyV4(o);
  const g = v6Groups(address);
  if (g) return classifyV6(g);
  return 'invalid';
}

/** True when the address cannot be an internet service's address. */
export function isNonPublic(address: string): boolean {
  return classifyIp(address) !== 'public';
}
