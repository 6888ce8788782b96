import * as net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIP, isIPv4, isIPv6 } from '../../src/net/is-ip.js';
import { classifyIp, isNonPublic, v6Groups } from '../../src/net/ip-class.js';

describe('classifyIp', () => {
  it.each([
    ['104.18.6.192', 'public'],
    ['8.8.8.8', 'public'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['127.0.0.53', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00::1', 'ula'],
    ['fc12:3456::1', 'ula'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700::6810:6c0', 'public'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['not-an-ip', 'invalid'],
  ])('%s is %s', (address, cls) => {
    expect(classifyIp(address)).toBe(cls);
  });

  it('isNonPublic is true for everything but public', () => {
    expect(isNonPublic('10.0.0.1')).toBe(true);
    expect(isNonPublic('1.1.1.1')).toBe(false);
  });

  it('expands IPv6 groups', () => {
    expect(v6Groups('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(v6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(v6Groups('1.2.3.4')).toBeUndefined();
  });
});

describe("is-ip: node:net's answers, without Node's IPv6 pattern for host names", () => {
  const ipish = fc.oneof(
    fc.string(),
    fc.ipV4(),
    fc.ipV6(),
    fc.ipV4Extended(),
    fc.tuple(fc.ipV6(), fc.stringMatching(/^%[a-z0-9]{1,4}$/)).map(([a, z]) => a + z),
    fc.tuple(fc.domain(), fc.nat(65535)).map(([h, p]) => `${h}:${p}`),
    fc.array(fc.constantFrom(':', '::', '1', 'ff', '.', '0', 'g'), { maxLength: 12 }).map((a) => a.join('')),
  );
  it('property: isIP, isIPv4 and isIPv6 agree with node:net on any string', () => {
    fc.assert(
      fc.property(ipish, (s) => {
        expect(isIP(s)).toBe(net.isIP(s));
        expect(isIPv4(s)).toBe(net.isIPv4(s));
        expect(isIPv6(s)).toBe(net.isIPv6(s));
      }),
      { numRuns: 5000 },
    );
  });
  it.each(['::', '::1', '1::', 'fe80::1%eth0', '::ffff:127.0.0.1', '2001:db8:0:0:0:0:0:1'])('%s is IPv6', (s) => expect(isIP(s)).toBe(6));
  it.each(['localhost', 'localhost:8443', 'api.openai.com:443', ':', 'a:b', ''])('%s is no IP', (s) => expect(isIP(s)).toBe(0));
  it('no module of src/ takes isIP, isIPv4 or isIPv6 from node:net but is-ip itself', () => {
    const offenders = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && f !== join('net', 'is-ip.ts'))
      .filter((f) => /import \{[^}]*\bisIP(v4|v6)?\b[^}]*\} from 'node:net'/.test(readFileSync(join('src', f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
