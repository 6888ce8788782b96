/** The dns-packet client against the DNS fixture on loopback: every way a server can answer or fail. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { queryDns } from '../../src/net/dns/query.js';

let dns: DnsFixture;

beforeAll(async () => {
  dns = await startDnsServer({
    names: {
      'ok.test': { kind: 'answer', a: ['203.0.113.7', '203.0.113.8'], aaaa: ['2001:db8::7'], ttl: 42 },
      'chain.test': { kind: 'answer', cname: ['edge.cdn.test', 'pop.cdn.test'], a: ['198.51.100.1'], ttl: 30 },
      'nx.test': { kind: 'nxdomain' },
      'fail.test': { kind: 'servfail' },
      'refused.test': { kind: 'refused' },
      'empty.test': { kind: 'nodata' },
      'big.test': { kind: 'truncate', a: ['192.0.2.1', '192.0.2.2'] },
      'quiet.test': { kind: 'silent' },
      'liar.test': { kind: 'wrong-id', a: ['192.0.2.66'] },
      'other.test': { kind: 'wrong-question' },
    },
  });
});
afterAll(async () => {
  await dns?.close();
});

const ask = (name: string, type: 'A' | 'AAAA' = 'A', timeoutMs = 3000) => queryDns({ server: '127.0.0.1', port: dns.port, name, type, timeoutMs });

describe('queryDns against a real DNS server', () => {
  it('returns addresses, TTL and timing for an answer', async () => {
    const r = await ask('ok.test');
    expect(r).toMatchObject({ outcome: 'answer', rcode: 'NOERROR', addresses: ['203.0.113.7', '203.0.113.8'], minTtl: 42, transport: 'udp', truncated: false });
    expect(r.server).toBe(`127.0.0.1:${dns.port}`);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect((await ask('ok.test', 'AAAA')).addresses).toEqual(['2001:db8::7']);
  });

  it('follows the CNAME chain', async () => {
    const r = await ask('chain.test');
    expect(r.cnames).toEqual(['edge.cdn.test', 'pop.cdn.test']);
    expect(r.addresses).toEqual(['198.51.100.1']);
  });

  it.each([
    ['nx.test', 'NXDOMAIN'],
    ['fail.test', 'SERVFAIL'],
    ['refused.test', 'REFUSED'],
    ['empty.test', 'NOERROR'],
  ])('reports the rcode of %s', async (name, rcode) => {
    const r = await ask(name);
    expect(r).toMatchObject({ outcome: 'answer', rcode, addresses: [] });
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const r = await ask('big.test');
    expect(r).toMatchObject({ outcome: 'answer', transport: 'tcp', truncated: true, addresses: ['192.0.2.1', '192.0.2.2'] });
    expect(dns.log.filter((q) => q.name === 'big.test').map((q) => q.transport)).toEqual(['udp', 'tcp']);
  });

  it('times out on a silent server, within its budget', async () => {
    const r = await ask('quiet.test', 'A', 600);
    expect(r.outcome).toBe('timeout');
    expect(r.addresses).toEqual([]);
  });

  it('drops replies with a wrong id or question and says so', async () => {
    const liar = await ask('liar.test', 'A', 600);
    expect(liar.outcome).toBe('invalid');
    expect(liar.addresses).toEqual([]);
    expect(liar.dropped?.[0]).toMatch(/does not match query id/);
    const other = await ask('other.test', 'A', 600);
    expect(other.outcome).toBe('invalid');
    expect(other.dropped?.[0]).toMatch(/question/);
  });

  it('reports a closed port as unreachable', async () => {
    const closed = await startDnsServer();
    const port = closed.port;
    await closed.close();
    const r = await queryDns({ server: '127.0.0.1', port, name: 'ok.test', type: 'A', timeoutMs: 2000 });
    expect(r.outcome).toBe('unreachable');
    expect(r.error).toBe('ECONNREFUSED');
  });

  it('stops at once when the signal aborts', async () => {
    const ac = new AbortController();
    const q = queryDns({ server: '127.0.0.1', port: dns.port, name: 'quiet.test', type: 'A', timeoutMs: 60_000, signal: ac.signal });
    ac.abort();
    expect((await q).outcome).toBe('timeout');
  });
});
