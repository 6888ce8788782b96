/**
 * Held-out DNS and TCP scenarios in a test-made network namespace, with real dnsmasq as the
 * resolver (not the project's own DNS fixture): a sinkhole (address=/name/0.0.0.0), names it says
 * NXDOMAIN for, a CNAME chain and a dangling CNAME, TTL 0, IPv6-only and dual-stack names where
 * only IPv6 SYNs get RST, a private split-horizon answer, and a dead first nameserver. A second
 * namespace uses the DNS fixture for shapes dnsmasq will not make (SERVFAIL for AAAA only,
 * :: and 0.0.0.0 together). The CLI is built fresh and run inside; nothing leaves the namespaces.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../fixtures/built-cli.js';
import { dnsmasqPath, startDnsmasq, type DnsmasqFixture } from '../../fixtures/dnsmasq.js';
import { startDnsServerInNetns, type NetnsDnsFixture } from '../../fixtures/dns-server-netns.js';
import { createNetns, netnsUnavailable, type Netns } from '../../fixtures/netns.js';
import type { Report } from '../../src/report.js';

const skipReason = netnsUnavailable() ?? (dnsmasqPath() ? undefined : 'dnsmasq is not installed (apt-get install dnsmasq-base)');
const PORT = 8080;

let bin: string;
let ns: Netns | undefined;
let ns2: Netns | undefined;
let dnsmasq: DnsmasqFixture | undefined;
let fixture: NetnsDnsFixture | undefined;
const children: ChildProcess[] = [];

async function diagnose(where: Netns, args: string[]): Promise<{ code: number; report: Report }> {
  const r = await where.exec([process.execPath, bin, ...args, '--json', '--no-proxy'], { timeoutMs: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' } });
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}`);
  }
}
const stage = (r: Report, id: string) => r.stages.find((s) => s.id === id)!;
const codes = (r: Report) => r.diagnoses.map((d) => d.code);
const diag = (r: Report, code: string) => r.diagnoses.find((d) => d.code === code)!;

describe.skipIf(skipReason !== undefined)(`held-out dns/tcp with real dnsmasq${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    bin = await buildCli('upstream-doctor-heldout-dns');
    ns = await createNetns({ prefix: 'hodns', etc: { 'resolv.conf': 'nameserver 127.0.0.1\n', hosts: '127.0.0.1 localhost\n' } });
    dnsmasq = await startDnsmasq(ns, [
      'address=/api.openai.com/0.0.0.0',
      'address=/api.anthropic.com/',
      'host-record=llm.corp.test,127.0.0.1',
      'cname=api.corp.test,edge.corp.test',
      'host-record=edge.corp.test,127.0.0.1',
      'cname=dangling.corp.test,nowhere.corp.test',
      'host-record=ttl0.corp.test,127.0.0.1,0',
      'host-record=v6.corp.test,::1',
      'host-record=dual.corp.test,127.0.0.1,::1',
      'address=/api.mistral.ai/10.10.10.10',
    ]);
    // One HTTP server on both loopbacks; IPv6 SYNs to it get RST from the packet filter.
    const code = `const h=require('http');let n=0;for(const a of ['127.0.0.1','::1'])h.createServer((q,r)=>r.end('ok')).listen(${PORT},a,()=>{if(++n===2)console.log('up')})`;
    const server = ns.spawn([process.execPath, '-e', code]);
    children.push(server);
    await once(server.stdout!, 'data');
    const rule = await ns.exec(['ip6tables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(PORT), '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    if (rule.code !== 0) throw new Error(`ip6tables: ${rule.stderr}`);

    ns2 = await createNetns({ prefix: 'hodns2', etc: { 'resolv.conf': 'nameserver 127.0.0.1\n', hosts: '127.0.0.1 localhost\n' } });
    fixture = await startDnsServerInNetns(ns2, {
      port: 53,
      names: {
        'aonly.corp.test/A': { kind: 'answer', a: ['127.0.0.1'] },
        'aonly.corp.test/AAAA': { kind: 'servfail' },
        'api.groq.com': { kind: 'answer', a: ['0.0.0.0'], aaaa: ['::'] },
      },
    });
    const server2 = ns2.spawn([process.execPath, '-e', `require('http').createServer((q,r)=>r.end('ok')).listen(${PORT},'127.0.0.1',()=>console.log('up'))`]);
    children.push(server2);
    await once(server2.stdout!, 'data');
  }, 240_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill();
    await dnsmasq?.close().catch(() => undefined);
    await fixture?.close().catch(() => undefined);
    await ns?.destroy();
    await ns2?.destroy();
  });

  it('a sinkhole (address=/api.openai.com/0.0.0.0) is DNS_BLOCKED, exit 10, and nothing connects to 0.0.0.0', async () => {
    const { code, report } = await diagnose(ns!, ['api.openai.com', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_BLOCKED');
    expect(codes(report)).not.toContain('TCP_REFUSED');
    expect(stage(report, 'tcp').status).toBe('skip');
    expect(diag(report, 'DNS_BLOCKED').evidence.join('\n')).toMatch(/0\.0\.0\.0/);
    expect(dnsmasq!.log()).toMatch(/api\.openai\.com/);
  });

  it('0.0.0.0 and :: together (fixture resolver) are one block too', async () => {
    const { code, report } = await diagnose(ns2!, ['api.groq.com', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_BLOCKED');
    expect(diag(report, 'DNS_BLOCKED').details.addresses).toEqual(['0.0.0.0', '::']);
    expect(codes(report)).not.toContain('DNS_PRIVATE_ADDRESS');
  });

  it('dnsmasq NXDOMAIN for a public API name: DNS_NXDOMAIN with the filtering reading', async () => {
    const { code, report } = await diagnose(ns!, ['api.anthropic.com', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(diag(report, 'DNS_NXDOMAIN').details).toMatchObject({ wellKnown: true, filteringSuspected: true });
  });

  it('a CNAME chain to a local name resolves and passes', async () => {
    const { code, report } = await diagnose(ns!, [`http://api.corp.test:${PORT}`, '--timeout', '3s']);
    expect(code).toBe(0);
    const queries = stage(report, 'dns').data.queries as Array<{ type: string; cnames: string[] }>;
    expect(queries.find((q) => q.type === 'A')!.cnames).toEqual(['edge.corp.test']);
  });

  it('a dangling CNAME is DNS_NO_ADDRESS naming the missing target, not a misspelt name', async () => {
    const { code, report } = await diagnose(ns!, [`http://dangling.corp.test:${PORT}`, '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_NO_ADDRESS');
    expect(diag(report, 'DNS_NO_ADDRESS').details.danglingTarget).toBe('nowhere.corp.test');
  });

  it('TTL 0 is reported and is no failure', async () => {
    const { code, report } = await diagnose(ns!, [`http://ttl0.corp.test:${PORT}`, '--timeout', '3s']);
    expect(code).toBe(0);
    const a = (stage(report, 'dns').data.queries as Array<{ type: string; minTtl?: number }>).find((q) => q.type === 'A')!;
    expect(a.minTtl).toBe(0);
  });

  it('an IPv6-only name whose IPv6 SYNs get RST: TCP_REFUSED naming [::1], no IPv6_BROKEN (there is no IPv4 to compare)', async () => {
    const { code, report } = await diagnose(ns!, [`http://v6.corp.test:${PORT}`, '--timeout', '3s']);
    expect(code).toBe(11);
    expect(codes(report)).toEqual(['TCP_REFUSED']);
    expect(diag(report, 'TCP_REFUSED').evidence[0]).toMatch(/\[::1\]:8080 \[IPv6\]: refused/);
  });

  it('dual-stack, RST only for IPv6: IPV6_BROKEN warning, the run goes on over IPv4', async () => {
    const { code, report } = await diagnose(ns!, [`http://dual.corp.test:${PORT}`, '--timeout', '3s']);
    expect(code).toBe(0);
    expect(codes(report)).toEqual(['IPV6_BROKEN']);
    expect((stage(report, 'tcp').data.chosen as { address: string }).address).toBe('127.0.0.1');
    expect(stage(report, 'http').status).toBe('pass');
  });

  it('a private split-horizon answer for a public API name: DNS_PRIVATE_ADDRESS beside the TCP failure it leads to', async () => {
    const { code, report } = await diagnose(ns!, ['api.mistral.ai', '--timeout', '3s']);
    expect(code).toBe(11);
    expect(codes(report)).toEqual(['TCP_UNREACHABLE', 'DNS_PRIVATE_ADDRESS']);
  });

  it('SERVFAIL for AAAA only, A answered: the name works', async () => {
    const { code, report } = await diagnose(ns2!, [`http://aonly.corp.test:${PORT}`, '--timeout', '3s']);
    expect(code).toBe(0);
    expect(stage(report, 'dns').status).toBe('pass');
  });

  it('a dead first nameserver: DNS_SERVER_UNRESPONSIVE, and the run goes on with the second one', async () => {
    await ns!.writeEtc('resolv.conf', 'nameserver 127.0.0.2\nnameserver 127.0.0.1\n');
    const drop = await ns!.exec(['iptables', '-A', 'INPUT', '-d', '127.0.0.2', '-j', 'DROP']);
    expect(drop.code).toBe(0);
    try {
      // 3 s is less than glibc's 5 s wait on the silent server: the system lookup cannot finish.
      const short = await diagnose(ns!, [`http://llm.corp.test:${PORT}`, '--timeout', '3s']);
      expect(short.code).toBe(0);
      expect(codes(short.report)).toEqual(['DNS_SERVER_UNRESPONSIVE']);
      expect(diag(short.report, 'DNS_SERVER_UNRESPONSIVE').details).toMatchObject({ silent: ['127.0.0.2:53'], answering: ['127.0.0.1:53'], systemError: 'TIMEOUT' });
      expect(stage(short.report, 'http').status).toBe('pass');
      // With the default budget the system lookup finishes after the 5 s wait: the same warning, with that figure.
      const long = await diagnose(ns!, [`http://llm.corp.test:${PORT}`]);
      expect(codes(long.report)).toEqual(['DNS_SERVER_UNRESPONSIVE']);
      expect(diag(long.report, 'DNS_SERVER_UNRESPONSIVE').details.systemMs as number).toBeGreaterThanOrEqual(4000);
      const silentQueries = (stage(long.report, 'dns').data.queries as Array<{ server: string; outcome: string }>).filter((q) => q.server === '127.0.0.2:53');
      expect(silentQueries.map((q) => q.outcome)).toEqual(['timeout', 'timeout']);
    } finally {
      await ns!.exec(['iptables', '-D', 'INPUT', '-d', '127.0.0.2', '-j', 'DROP']);
      await ns!.writeEtc('resolv.conf', 'nameserver 127.0.0.1\n');
    }
  }, 60_000);
});
