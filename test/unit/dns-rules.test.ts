/** The DNS rules, table by table, with no I/O. */
import { describe, expect, it } from 'vitest';
import { decideDns, digServer, type DnsFacts } from '../../src/diagnose/dns/rules.js';
import { overallVerdict, serverVerdicts } from '../../src/diagnose/dns/answers.js';
import type { DnsQueryResult } from '../../src/net/dns/query.js';
import type { SystemLookupResult } from '../../src/net/dns/system.js';

type Q = Partial<DnsQueryResult> & Pick<DnsQueryResult, 'server' | 'type'>;
const q = (x: Q): DnsQueryResult => ({ name: 'h', transport: 'udp', truncated: false, outcome: 'answer', rcode: 'NOERROR', addresses: [], cnames: [], ms: 5, ...x });
/** A and AAAA from one server with the same outcome. */
const both = (server: string, x: Partial<DnsQueryResult>, aaaa: Partial<DnsQueryResult> = x) => [q({ server, type: 'A', ...x }), q({ server, type: 'AAAA', ...aaaa })];
const sys = (addresses: string[], error?: string): SystemLookupResult => ({ addresses: addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })), ms: 7, ...(error ? { error } : {}) });
const S = '10.0.0.2:53';

function facts(over: Partial<DnsFacts>): DnsFacts {
  return { host: 'api.openai.com', directFrom: 'resolv.conf', queries: [], hostsEntries: [], hostsFile: '/etc/hosts', ...over };
}
const codes = (f: DnsFacts) => decideDns(f).findings.map((x) => x.code).sort();

describe('decideDns: which code', () => {
  it.each<[string, Partial<DnsFacts>, string[], 'pass' | 'warn' | 'fail']>([
    ['healthy', { system: sys(['104.18.6.192']), queries: both(S, { addresses: ['104.18.6.192'] }, { addresses: [] }) }, [], 'pass'],
    ['NXDOMAIN everywhere', { system: sys([], 'ENOTFOUND'), queries: both(S, { rcode: 'NXDOMAIN' }) }, ['DNS_NXDOMAIN'], 'fail'],
    ['NODATA', { system: sys([], 'ENOTFOUND'), queries: both(S, {}) }, ['DNS_NO_ADDRESS'], 'fail'],
    ['SERVFAIL', { system: sys([], 'EAI_AGAIN'), queries: both(S, { rcode: 'SERVFAIL' }) }, ['DNS_SERVFAIL'], 'fail'],
    ['REFUSED', { system: sys([], 'EAI_AGAIN'), queries: both(S, { rcode: 'REFUSED' }) }, ['DNS_SERVFAIL'], 'fail'],
    ['EAI_FAIL with no direct answer', { system: sys([], 'EAI_FAIL'), queries: both(S, { outcome: 'timeout', rcode: undefined }) }, ['DNS_SERVFAIL'], 'fail'],
    ['silence', { system: sys([], 'TIMEOUT'), queries: both(S, { outcome: 'timeout', rcode: undefined }) }, ['DNS_TIMEOUT'], 'fail'],
    ['unreachable resolver', { system: sys([], 'EAI_AGAIN'), queries: both(S, { outcome: 'unreachable', rcode: undefined, error: 'ENETUNREACH' }) }, ['DNS_TIMEOUT'], 'fail'],
    ['only bad replies', { system: sys([], 'EAI_AGAIN'), queries: both(S, { outcome: 'invalid', rcode: undefined, dropped: ['id 1 does not match query id 2'] }) }, ['DNS_TIMEOUT'], 'fail'],
    ['EAI_AGAIN and nobody asked', { system: sys([], 'EAI_AGAIN'), queries: [] }, ['DNS_TIMEOUT'], 'fail'],
    ['system fails where the server answers', { system: sys([], 'EAI_AGAIN'), queries: both(S, { addresses: ['104.18.6.192'] }) }, ['DNS_MISMATCH', 'DNS_TIMEOUT'], 'fail'],
    ['system slow while the server answers: no mismatch', { system: sys([], 'TIMEOUT'), queries: both(S, { addresses: ['104.18.6.192'] }) }, ['DNS_TIMEOUT'], 'fail'],
    ['system has it, DNS says NXDOMAIN', { system: sys(['104.18.6.192']), queries: both(S, { rcode: 'NXDOMAIN' }) }, ['DNS_MISMATCH'], 'warn'],
    ['a hosts pin explains the difference', { system: sys(['10.1.1.1']), queries: both(S, { rcode: 'NXDOMAIN' }), hostsEntries: [{ address: '10.1.1.1', names: ['api.openai.com'], line: 3 }] }, ['DNS_HOSTS_OVERRIDE', 'DNS_PRIVATE_ADDRESS'], 'warn'],
    ['search list may explain a short name', { host: 'proxy', system: sys(['10.1.1.1']), queries: both(S, { rcode: 'NXDOMAIN' }), searchApplies: true }, [], 'pass'],
    ['private vs public answers', { host: 'gw.corp.example', system: sys(['10.9.9.9']), queries: both(S, { addresses: ['104.18.6.192'] }) }, ['DNS_MISMATCH'], 'warn'],
    ['different public sets are not a mismatch (CDNs rotate)', { system: sys(['104.18.6.192']), queries: both(S, { addresses: ['104.18.7.192'] }) }, [], 'pass'],
    ['public API name on a private address', { system: sys(['10.20.30.40']), queries: both(S, { addresses: ['10.20.30.40'] }) }, ['DNS_PRIVATE_ADDRESS'], 'warn'],
    // 0.0.0.0 is no server's address: the sinkhole answer of a DNS filter is the failure itself (held-out review).
    ['a DNS filter answering 0.0.0.0', { system: sys(['0.0.0.0']), queries: both(S, { addresses: ['0.0.0.0'] }) }, ['DNS_BLOCKED'], 'fail'],
    ['a private name on a private address is normal', { host: 'llm.corp.example', system: sys(['10.20.30.40']), queries: both(S, { addresses: ['10.20.30.40'] }) }, [], 'pass'],
    ['localhost in the hosts file is not an override', { host: 'localhost', system: sys(['127.0.0.1']), hostsEntries: [{ address: '127.0.0.1', names: ['localhost'], line: 1 }] }, [], 'pass'],
  ])('%s', (_name, over, expected, status) => {
    const f = facts(over);
    expect(codes(f)).toEqual(expected);
    expect(decideDns(f).status).toBe(status);
  });
});

describe('decideDns with --resolver', () => {
  const R = '127.0.0.1:5353';
  // Issue 11 item 7: was a DNS_MISMATCH warning. Applications here ask the system lookup, which
  // fails, so it is an error (exit 10); the run still goes on with the resolver's addresses.
  it('the resolver decides and the run goes on with its addresses; the system failure is an error of its own', () => {
    const d = decideDns(facts({ directFrom: '--resolver', system: sys([], 'ENOTFOUND'), queries: both(R, { addresses: ['104.18.6.192'] }) }));
    expect(d).toMatchObject({ status: 'fail', source: 'resolver', addresses: ['104.18.6.192'] });
    expect(d.errorCode).toBeUndefined();
    expect(d.findings.map((f) => f.code)).toEqual(['DNS_SYSTEM_UNRESOLVED']);
    expect(d.findings[0]!.details).toMatchObject({ systemError: 'ENOTFOUND', systemCode: 'DNS_NXDOMAIN' });
  });
  it('a system lookup that never answers while the resolver does is the same error', () => {
    const d = decideDns(facts({ directFrom: '--resolver', system: sys([], 'TIMEOUT'), queries: both(R, { addresses: ['104.18.6.192'] }) }));
    expect(d.findings.map((f) => f.code)).toEqual(['DNS_SYSTEM_UNRESOLVED']);
    expect(d.findings[0]!.details).toMatchObject({ systemCode: 'DNS_TIMEOUT' });
  });
  it('an error of the resolver is the error, even when the system has the name', () => {
    const d = decideDns(facts({ directFrom: '--resolver', system: sys(['104.18.6.192']), queries: both(R, { rcode: 'NXDOMAIN' }) }));
    expect(d.errorCode).toBe('DNS_NXDOMAIN');
    expect(d.findings.map((f) => f.code).sort()).toEqual(['DNS_MISMATCH', 'DNS_NXDOMAIN']);
  });
  it('the first resolver with addresses wins', () => {
    const d = decideDns(facts({ directFrom: '--resolver', system: sys(['104.18.6.192']), queries: [...both('1.1.1.1:53', { outcome: 'timeout', rcode: undefined }), ...both(R, { addresses: ['104.18.6.193'] })] }));
    expect(d).toMatchObject({ status: 'pass', addresses: ['104.18.6.193'] });
  });
  it('a private address from the resolver is the user\'s choice: no warning', () => {
    const d = decideDns(facts({ directFrom: '--resolver', system: sys(['104.18.6.192']), queries: both(R, { addresses: ['127.0.0.1'] }) }));
    expect(d.findings).toEqual([]);
    expect(d.addresses).toEqual(['127.0.0.1']);
  });
  it('silence from every resolver is a timeout', () => {
    expect(decideDns(facts({ directFrom: '--resolver', system: sys(['104.18.6.192']), queries: both(R, { outcome: 'timeout', rcode: undefined }) })).errorCode).toBe('DNS_TIMEOUT');
  });
});

describe('evidence', () => {
  it('NXDOMAIN of a well-known name says filtering or split horizon and how to compare, with figures', () => {
    const d = decideDns(facts({ system: sys([], 'ENOTFOUND'), queries: both(S, { rcode: 'NXDOMAIN', ms: 12.5 }) }));
    const f = d.findings[0]!;
    expect(f.details).toMatchObject({ wellKnown: true, filteringSuspected: true });
    const text = f.evidence.join('\n');
    expect(text).toMatch(/getaddrinfo\) failed with ENOTFOUND after 7 ms/);
    expect(text).toMatch(/10\.0\.0\.2:53 .*A: NXDOMAIN in 12\.5 ms/);
    expect(text).toMatch(/split-horizon/);
    expect(text).toMatch(/--resolver 1\.1\.1\.1/);
    expect(f.params).toEqual({ host: 'api.openai.com', server: '10.0.0.2' });
  });
  it('an unknown name gets no filtering claim', () => {
    const d = decideDns(facts({ host: 'typo.example', system: sys([], 'ENOTFOUND'), queries: both(S, { rcode: 'NXDOMAIN' }) }));
    expect(d.findings[0]!.details?.filteringSuspected).toBeUndefined();
    expect(d.findings[0]!.evidence.join('\n')).not.toMatch(/split-horizon/);
  });
  it('SERVFAIL carries the rcode; truncation and CNAMEs are described', () => {
    expect(decideDns(facts({ system: sys([], 'EAI_AGAIN'), queries: both(S, { rcode: 'REFUSED' }) })).findings[0]!.details?.rcode).toBe('REFUSED');
    const d = decideDns(facts({ system: sys([], 'EAI_AGAIN'), queries: both(S, { addresses: ['104.18.6.192'], cnames: ['edge.example'], minTtl: 30, truncated: true, transport: 'tcp' }) }));
    expect(d.findings.find((f) => f.code === 'DNS_MISMATCH')!.evidence.join('\n')).toMatch(/via CNAME edge\.example, TTL 30s in 5 ms \(truncated over UDP, asked again over TCP\)/);
  });
  it('the hosts line is quoted', () => {
    const d = decideDns(facts({ system: sys(['10.1.1.1']), hostsEntries: [{ address: '10.1.1.1', names: ['api.openai.com'], line: 3 }] }));
    expect(d.findings.find((f) => f.code === 'DNS_HOSTS_OVERRIDE')!.evidence).toEqual(['/etc/hosts line 3: 10.1.1.1 api.openai.com']);
  });
});

describe('server verdicts', () => {
  it.each<[string, DnsQueryResult[], string]>([
    ['addresses from either family', both(S, { addresses: [] }, { addresses: ['2606:4700::1'] }), 'ok'],
    ['NXDOMAIN beats SERVFAIL', [q({ server: S, type: 'A', rcode: 'SERVFAIL' }), q({ server: S, type: 'AAAA', rcode: 'NXDOMAIN' })], 'nxdomain'],
    ['NODATA needs both answers', [q({ server: S, type: 'A' }), q({ server: S, type: 'AAAA', outcome: 'timeout', rcode: undefined })], 'noanswer'],
    ['NODATA', both(S, {}), 'nodata'],
  ])('%s', (_n, queries, kind) => {
    expect(serverVerdicts(queries)[0]!.kind).toBe(kind);
  });
  it('overall: the first server with addresses, else the most definitive answer', () => {
    const v = serverVerdicts([...both('a:53', { outcome: 'timeout', rcode: undefined }), ...both('b:53', { rcode: 'NXDOMAIN' })]);
    expect(overallVerdict(v)!.server).toBe('b:53');
  });
  it('dig syntax for a server', () => {
    expect(digServer('10.0.0.2:53')).toBe('10.0.0.2');
    expect(digServer('127.0.0.1:5353')).toBe('127.0.0.1 -p 5353');
    expect(digServer('[::1]:53')).toBe('::1');
    expect(digServer(undefined)).toBe('127.0.0.1');
  });
});
