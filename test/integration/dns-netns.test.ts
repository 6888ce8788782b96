/**
 * The dns stage end to end: the built CLI inside a test-made network namespace whose resolv.conf
 * and hosts file point at DNS fixtures on the namespace's loopback, so getaddrinfo is real too.
 * Every DNS code of the contract against a server that really fails that way.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServerInNetns, type NetnsDnsFixture } from '../../fixtures/dns-server-netns.js';
import { createNetns, netnsUnavailable, type Netns } from '../../fixtures/netns.js';
import type { Report } from '../../src/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const skipReason = netnsUnavailable();

let ns: Netns | undefined;
let isolated: Netns | undefined;
const fixtures: NetnsDnsFixture[] = [];
let main: NetnsDnsFixture;
let side: NetnsDnsFixture;

interface Run {
  code: number;
  report: Report;
  stderr: string;
}

async function diagnose(where: Netns, args: string[]): Promise<Run> {
  const r = await where.exec([process.execPath, join(ROOT, 'bin', 'diagnose.js'), ...args, '--json', '--no-proxy'], {
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

const dnsStage = (r: Report) => r.stages.find((s) => s.id === 'dns')!;
const diag = (r: Report, code: string) => r.diagnoses.find((d) => d.code === code);
const codes = (r: Report) => r.diagnoses.filter((d) => d.stage === 'dns').map((d) => d.code);

describe.skipIf(skipReason !== undefined)(`dns stage in a network namespace${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT]);
    ns = await createNetns({
      prefix: 'dns',
      etc: {
        'resolv.conf': 'nameserver 127.0.0.1\n',
        hosts: '127.0.0.1 localhost\n10.1.2.3 pinned.example.test\n',
      },
    });
    main = await startDnsServerInNetns(ns, {
      port: 53,
      names: {
        'ok.example.test': { kind: 'answer', a: ['127.0.0.1'], ttl: 120 },
        'api.openai.com': { kind: 'nxdomain' },
        'nodata.example.test': { kind: 'nodata' },
        'servfail.example.test': { kind: 'servfail' },
        'refused.example.test': { kind: 'refused' },
        'silent.example.test': { kind: 'silent' },
        'big.example.test': { kind: 'truncate', a: ['127.0.0.1', '127.0.0.2'] },
        'api.anthropic.com': { kind: 'answer', a: ['10.20.30.40'] },
        'pinned.example.test': { kind: 'answer', a: ['127.0.0.2'] },
        'split.example.test': { kind: 'nxdomain' },
      },
    });
    fixtures.push(main);
    side = await startDnsServerInNetns(ns, { port: 5353, names: { 'split.example.test': { kind: 'answer', a: ['127.0.0.3'] }, 'api.anthropic.com': { kind: 'answer', a: ['10.20.30.41'] } } });
    fixtures.push(side);
    // A machine with no route anywhere: its resolver is an address nothing in the namespace can reach.
    isolated = await createNetns({ prefix: 'dnsiso', etc: { 'resolv.conf': 'nameserver 192.0.2.53\n', hosts: '127.0.0.1 localhost\n' } });
  }, 60_000);

  afterAll(async () => {
    for (const f of fixtures) await f.close().catch(() => undefined);
    await ns?.destroy();
    await isolated?.destroy();
  });

  it('passes for a healthy name: system lookup and direct queries agree', async () => {
    const { code, report } = await diagnose(ns!, ['ok.example.test:8443', '--timeout', '3s']);
    const stage = dnsStage(report);
    expect(stage.status).toBe('pass');
    expect(codes(report)).toEqual([]);
    expect(stage.data.source).toBe('system');
    expect(stage.data.addresses).toEqual([{ address: '127.0.0.1', family: 4, class: 'loopback' }]);
    const queries = stage.data.queries as Array<{ type: string; rcode: string; minTtl: number; server: string }>;
    expect(queries.map((q) => q.type).sort()).toEqual(['A', 'AAAA']);
    expect(queries.find((q) => q.type === 'A')).toMatchObject({ rcode: 'NOERROR', minTtl: 120, server: '127.0.0.1:53' });
    expect(main.log.some((q) => q.name === 'ok.example.test'), JSON.stringify(main.log)).toBe(true);
    expect(code).not.toBe(10);
  });

  it('NXDOMAIN of a public API name: exit 10 and evidence of filtering with a way to compare', async () => {
    const { code, report } = await diagnose(ns!, ['api.openai.com', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_NXDOMAIN');
    const d = diag(report, 'DNS_NXDOMAIN')!;
    expect(d.details).toMatchObject({ wellKnown: true, filteringSuspected: true });
    expect(d.evidence.join('\n')).toMatch(/ENOTFOUND/);
    expect(d.evidence.join('\n')).toMatch(/127\.0\.0\.1:53 .*NXDOMAIN/);
    expect(d.evidence.join('\n')).toMatch(/--resolver 1\.1\.1\.1/);
    expect(dnsStage(report).status).toBe('fail');
    expect(report.stages.find((s) => s.id === 'tcp')?.status).toBe('skip');
  });

  it('NODATA: the name exists without addresses -> DNS_NO_ADDRESS', async () => {
    const { code, report } = await diagnose(ns!, ['nodata.example.test', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_NO_ADDRESS');
  });

  it.each([
    ['servfail.example.test', 'SERVFAIL'],
    ['refused.example.test', 'REFUSED'],
  ])('%s -> DNS_SERVFAIL with the rcode', async (name, rcode) => {
    const { code, report } = await diagnose(ns!, [name, '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_SERVFAIL');
    expect(diag(report, 'DNS_SERVFAIL')!.details.rcode).toBe(rcode);
  });

  it('a silent server -> DNS_TIMEOUT, and the stage keeps to its budget', async () => {
    const { code, report } = await diagnose(ns!, ['silent.example.test', '--timeout', '1500ms']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_TIMEOUT');
    expect(report.internalErrors).toBeUndefined();
    const stage = dnsStage(report);
    expect((stage.data.system as { error: string }).error).toMatch(/TIMEOUT|EAI_AGAIN/);
    expect((stage.data.queries as Array<{ outcome: string }>).every((q) => q.outcome === 'timeout')).toBe(true);
  });

  it('a truncated answer is asked again over TCP and passes', async () => {
    const { report } = await diagnose(ns!, ['big.example.test', '--timeout', '3s']);
    const stage = dnsStage(report);
    expect(stage.status).toBe('pass');
    const a = (stage.data.queries as Array<{ type: string; transport: string; truncated: boolean; addresses: string[] }>).find((q) => q.type === 'A')!;
    expect(a).toMatchObject({ transport: 'tcp', truncated: true, addresses: ['127.0.0.1', '127.0.0.2'] });
  });

  it('a public API name on a private address -> DNS_PRIVATE_ADDRESS (warning)', async () => {
    const { report } = await diagnose(ns!, ['api.anthropic.com', '--timeout', '2s']);
    const d = diag(report, 'DNS_PRIVATE_ADDRESS')!;
    expect(d.severity).toBe('warning');
    expect(d.evidence[0]).toMatch(/10\.20\.30\.40 \(private\)/);
    expect(dnsStage(report).status).toBe('warn');
  });

  it('the same private address from --resolver is the user\'s choice: reported, not warned', async () => {
    const { report } = await diagnose(ns!, ['api.anthropic.com', '--resolver', '127.0.0.1:5353', '--timeout', '2s']);
    const stage = dnsStage(report);
    expect(stage.data.source).toBe('resolver');
    expect(stage.data.addresses).toEqual([{ address: '10.20.30.41', family: 4, class: 'private' }]);
    // The system's own private answer is still warned about; the resolver's is not.
    const d = diag(report, 'DNS_PRIVATE_ADDRESS');
    expect(d?.evidence.join('\n') ?? '').not.toMatch(/10\.20\.30\.41/);
  });

  it('a hosts-file pin -> DNS_HOSTS_OVERRIDE with the line, and no mismatch', async () => {
    const { code, report } = await diagnose(ns!, ['pinned.example.test', '--timeout', '2s']);
    expect(codes(report)).toEqual(['DNS_HOSTS_OVERRIDE']);
    expect(diag(report, 'DNS_HOSTS_OVERRIDE')!.evidence[0]).toMatch(/hosts line 2: 10\.1\.2\.3 pinned\.example\.test/);
    expect(dnsStage(report).data.addresses).toEqual([{ address: '10.1.2.3', family: 4, class: 'private' }]);
    expect(code).not.toBe(10);
  });

  // Issue 11 item 7: this used to be a DNS_MISMATCH warning and exit != 10. But every application
  // on this machine asks the system lookup, which fails: the on-call engineer must be told that
  // DNS is broken here (exit 10), while the run still goes on with the resolver's address.
  it('system NXDOMAIN but --resolver answers -> DNS_SYSTEM_UNRESOLVED (exit 10) and the run goes on with the resolver\'s address', async () => {
    const { code, report } = await diagnose(ns!, ['split.example.test', '--resolver', '127.0.0.1:5353', '--timeout', '2s']);
    expect(codes(report)).toEqual(['DNS_SYSTEM_UNRESOLVED']);
    const stage = dnsStage(report);
    expect(stage.status).toBe('fail');
    expect(stage.data.source).toBe('resolver');
    expect(stage.data.addresses).toEqual([{ address: '127.0.0.3', family: 4, class: 'loopback' }]);
    expect(diag(report, 'DNS_SYSTEM_UNRESOLVED')!.evidence[0]).toMatch(/ENOTFOUND/);
    expect(report.stages.find((s) => s.id === 'tcp')!.status).not.toBe('skip');
    expect(code).toBe(10);
  });

  it('on a machine with no route to its resolver, api.openai.com gets a DNS diagnosis, not a tool error', async () => {
    const { code, report } = await diagnose(isolated!, ['api.openai.com', '--timeout', '2s']);
    expect(code).toBe(10);
    expect(report.internalErrors).toBeUndefined();
    expect(report.rootCause).toBe('DNS_TIMEOUT');
    const q = dnsStage(report).data.queries as Array<{ outcome: string; error?: string }>;
    expect(q.every((x) => x.outcome === 'unreachable' && x.error === 'ENETUNREACH')).toBe(true);
  });
});
