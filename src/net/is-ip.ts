/**
 * node:net's isIP, isIPv4 and isIPv6, with the same answers, but a host name never reaches Node's
 * IPv6 pattern: V8 spends about 4 ms compiling that pattern the first time it runs (a third of
 * what reading the options costs), and every IPv6 form has two colons at least ("::" is the
 * shortest), which no host name and no host:port has.
 */
import { isIPv4 as nodeIsIPv4, isIPv6 as nodeIsIPv6 } from 'node:net';

export function isIPv4(input: string): boolean {
  return nodeIsIPv4(input);
}

export function isIPv6(input: string): boolean {
  const text = `${input}`;
  const first = text.indexOf(':');
  return first >= 0 && text.indexOf(':', first + 1) > first && nodeIsIPv6(input);
}

export function isIP(input: string): 0 | 4 | 6 {
  return isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0;
}
