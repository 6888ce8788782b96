/** The tcp rules as tables: attempts in, chosen address and findings out. No sockets. */
import { describe, expect, it } from 'vitest';
import { decideTcp, type TcpHop } from '../../src/diagnose/tcp-rules.js';
import { outcomeOf, type TcpAttempt, type TcpOutcome } from '../../src/net/tcp-probe.js';

const target: TcpHop = { kind: 'target', host: 'api.example.test', port: 443 };
const proxy: TcpHop = { kind: 'proxy', host: 'proxy.corp.test', port: 3128, from: 'HTTPS_PROXY' };

function at(address: string, outcome: TcpOutcome, code?: string, ms = 1.5): TcpAttempt {
  return { address, family: address.includes(':') ? 6 : 4, port: 443, source: 'system', outcome, ms, ...(code ? { code } : {}) };
}

describe('decideTcp: which address, and why', () => {
  const cases: Array<{ name: string; attempts: TcpAttempt[]; chosen?: string; reason: RegExp; codes: string[]; status: string }> = [
    { name: 'one address that works', attempts: [at('192.0.2.1', 'ok')], chosen: '192.0.2.1', reason: /only address/, codes: [], status: 'pass' },
    {
      name: 'both families work: the first in resolved order',
      attempts: [at('2001:db8::1', 'ok'), at('192.0.2.1', 'ok')],
      chosen: '2001:db8::1',
      reason: /first address/,
      codes: [],
      status: 'pass',
    },
    {
      name: 'IPv6 refused, IPv4 works: IPV6_BROKEN, run goes on over IPv4',
      attempts: [at('2001:db8::1', 'refused', 'ECONNREFUSED'), at('192.0.2.1', 'ok')],
      chosen: '192.0.2.1',
      reason: /\[2001:db8::1\]:443 refused; using 192\.0\.2\.1:443 \(IPv4\)/,
      codes: ['IPV6_BROKEN'],
      status: 'warn',
    },
    {
      name: 'IPv6 unreachable after IPv4 in order: still IPV6_BROKEN',
      attempts: [at('192.0.2.1', 'ok'), at('2001:db8::1', 'unreachable', 'ENETUNREACH')],
      chosen: '192.0.2.1',
      reason: /first address/,
      codes: ['IPV6_BROKEN'],
      status: 'warn',
    },
    {
      name: 'one IPv4 of two refused: no code, the other is used',
      attempts: [at('192.0.2.1', 'refused', 'ECONNREFUSED'), at('192.0.2.2', 'ok')],
      chosen: '192.0.2.2',
      reason: /192\.0\.2\.1:443 refused; using 192\.0\.2\.2/,
      codes: [],
      status: 'pass',
    },
    {
      name: 'accepted then reset at once: usable, later stages see the reset',
      attempts: [at('192.0.2.1', 'reset', 'ECONNRESET')],
      chosen: '192.0.2.1',
      reason: /only address/,
      codes: [],
      status: 'pass',
    },
    {
      name: 'an address that connects beats one that resets',
      attempts: [at('192.0.2.1', 'reset', 'ECONNRESET'), at('192.0.2.2', 'ok')],
      chosen: '192.0.2.2',
      reason: /using 192\.0\.2\.2/,
      codes: [],
      status: 'pass',
    },
    { name: 'refused', attempts: [at('192.0.2.1', 'refused', 'ECONNREFUSED')], reason: /no address/, codes: ['TCP_REFUSED'], status: 'fail' },
    { name: 'timeout', attempts: [at('192.0.2.1', 'timeout', 'deadline', 1800)], reason: /no address/, codes: ['TCP_TIMEOUT'], status: 'fail' },
    { name: 'unreachable', attempts: [at('192.0.2.1', 'unreachable', 'EHOSTUNREACH')], reason: /no address/, codes: ['TCP_UNREACHABLE'], status: 'fail' },
    { name: 'an unknown errno', attempts: [at('192.0.2.1', 'error', 'EWHATEVER')], reason: /no address/, codes: ['TCP_UNREACHABLE'], status: 'fail' },
    {
      name: 'mixed failures: one finding per kind, in order',
      attempts: [at('2001:db8::1', 'unreachable', 'ENETUNREACH'), at('192.0.2.1', 'timeout', 'deadline'), at('192.0.2.2', 'timeout', 'deadline')],
      reason: /no address/,
      codes: ['TCP_UNREACHABLE', 'TCP_TIMEOUT'],
      status: 'fail',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideTcp(c.attempts, target);
      expect(d.endpoint?.address).toBe(c.chosen);
      expect(d.reason).toMatch(c.reason);
      expect(d.findings.map((f) => f.code)).toEqual(c.codes);
      expect(d.status).toBe(c.status);
    });
  }

  it('a failure names the address that failed, with its code and time', () => {
    const d = decideTcp([at('192.0.2.1', 'refused', 'ECONNREFUSED', 0.42), at('2001:db8::1', 'refused', 'ECONNREFUSED')], target);
    expect(d.findings).toHaveLength(1);
    const f = d.findings[0]!;
    expect(f.evidence[0]).toBe('connect to 192.0.2.1:443 [IPv4]: refused (ECONNREFUSED) after 0.4 ms');
    expect(f.evidence[1]).toContain('[2001:db8::1]:443 [IPv6]');
    expect(f.details!.addresses).toHaveLength(2);
    expect(f.params).toMatchObject({ host: 'api.example.test', port: 443, address: '192.0.2.1' });
    expect(d.summary).toContain('all 2 addresses refused');
  });

  it('a timeout says how long it waited', () => {
    const d = decideTcp([at('192.0.2.1', 'timeout', 'deadline', 1750.3)], target);
    expect(d.findings[0]!.evidence[0]).toBe('connect to 192.0.2.1:443 [IPv4]: no answer within 1750 ms (deadline)');
  });

  it('an attempt given up after another address connected says so', () => {
    const d = decideTcp([at('2001:db8::1', 'timeout', 'gave-up', 2001), at('192.0.2.1', 'ok')], target);
    expect(d.findings[0]!.evidence[0]).toBe('connect to [2001:db8::1]:443 [IPv6]: no answer within 2001 ms (given up: another address had connected)');
  });

  it('through a forward proxy the failure is PROXY_UNREACHABLE, and the evidence says these are the proxy addresses', () => {
    const d = decideTcp([at('192.0.2.9', 'refused', 'ECONNREFUSED')], proxy);
    expect(d.findings.map((f) => f.code)).toEqual(['PROXY_UNREACHABLE']);
    const f = d.findings[0]!;
    expect(f.stage).toBe('proxy');
    expect(f.details!.reason).toBe('refused');
    expect(f.evidence.at(-1)).toMatch(/forward proxy proxy\.corp\.test:3128 \(chosen by HTTPS_PROXY\)/);
    expect(d.summary).toMatch(/forward proxy/);
  });

  it('IPV6_BROKEN through a proxy also says whose addresses they are', () => {
    const d = decideTcp([at('2001:db8::9', 'timeout', 'deadline'), at('192.0.2.9', 'ok')], proxy);
    expect(d.findings.map((f) => f.code)).toEqual(['IPV6_BROKEN']);
    expect(d.findings[0]!.evidence.at(-1)).toMatch(/forward proxy/);
  });
});

describe('outcomeOf: errors by code, walking .cause', () => {
  const err = (code: string, cause?: unknown) => Object.assign(new Error('x'), { code, ...(cause ? { cause } : {}) });
  const cases: Array<[unknown, TcpOutcome, string | undefined]> = [
    [err('ECONNREFUSED'), 'refused', 'ECONNREFUSED'],
    [err('ETIMEDOUT'), 'timeout', 'ETIMEDOUT'],
    [err('ABORT_ERR'), 'timeout', 'deadline'],
    [err('EHOSTUNREACH'), 'unreachable', 'EHOSTUNREACH'],
    [err('ENETUNREACH'), 'unreachable', 'ENETUNREACH'],
    [err('EPERM'), 'unreachable', 'EPERM'],
    [err('EACCES'), 'unreachable', 'EACCES'],
    [err('ECONNRESET'), 'reset', 'ECONNRESET'],
    [new TypeError('fetch failed', { cause: err('ECONNREFUSED') }), 'refused', 'ECONNREFUSED'],
    [err('EMFILE'), 'error', 'EMFILE'],
  ];
  for (const [e, outcome, code] of cases) {
    it(`${code} -> ${outcome}`, () => {
      expect(outcomeOf(e)).toEqual({ outcome, code });
    });
  }
});
