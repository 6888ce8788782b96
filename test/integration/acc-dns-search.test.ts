/**
 * A system answer that differs from the direct one because a resolv.conf search domain answered
 * first (issue 11, item 4): the built CLI in test-made network namespaces whose resolv.conf (bound
 * over /etc/resolv.conf by `ip netns exec`) has a search list and ndots, and a DNS fixture on the
 * namespace's loopback with a wildcard-like answer for the expanded name. getaddrinfo is real; the
 * machine's own resolver is never touched.
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
const spaces: Netns[] = [];
const fixtures: NetnsDnsFixture[] = [];

async function diagnose(where: Netns, args: string[]): Promise<{ code: number; report: Report }> {
  const r = await where.exec([process.execPath, join(ROOT, 'bin', 'diagnose.js'), ...args, '--json', '--no-proxy'], {
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}
const mismatch = (r: Report) => r.diagnoses.find((d) => d.code === 'DNS_MISMATCH');

/** A namespace with this resolv.conf and a DNS server on 127.0.0.1:53 answering these names. */
async function lab(prefix: string, resolv: string, names: Parameters<typeof startDnsServerInNetns>[1]['names']): Promise<Netns> {
  const ns = await createNetns({ prefix, etc: { 'resolv.conf': resolv, hosts: '127.0.0.1 localhost\n' } });
  spaces.push(ns);
  fixtures.push(await startDnsServerInNetns(ns, { port: 53, names }));
  return ns;
}

describe.skipIf(skipReason !== undefined)(`search domains in a network namespace${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let k8s: Netns;
  let corp: Netns;
  let second: Netns;
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT]);
    // A Kubernetes pod: ndots:5 and a cluster zone whose wildcard answers every expanded name.
    k8s = await lab('srchk8s', 'search default.svc.cluster.test svc.cluster.test\nnameserver 127.0.0.1\noptions ndots:5\n', {
      'api.openai.com.default.svc.cluster.test': { kind: 'answer', a: ['10.96.7.7'] },
      'api.openai.com': { kind: 'answer', a: ['127.0.0.1'] },
    });
    // A corporate laptop: ndots:3, the search zone answers with another public-looking address.
    corp = await lab('srchcorp', 'search corp.example.test\nnameserver 127.0.0.1\noptions ndots:3\n', {
      'llm.gw.corp.example.test': { kind: 'answer', a: ['198.51.100.20'] },
      'llm.gw': { kind: 'answer', a: ['127.0.0.1'] },
    });
    // The second search domain answers (the first says NXDOMAIN), and AAAA only.
    second = await lab('srch2nd', 'search a.test b.test\nnameserver 127.0.0.1\noptions ndots:4\n', {
      'api.anthropic.com.a.test': { kind: 'nxdomain' },
      'api.anthropic.com.b.test': { kind: 'answer', a: [], aaaa: ['fd00::7'] },
      'api.anthropic.com': { kind: 'answer', a: ['127.0.0.1'] },
    });
  }, 90_000);

  afterAll(async () => {
    for (const f of fixtures) await f.close().catch(() => undefined);
    for (const ns of spaces) await ns.destroy();
  });

  it('a pod with ndots:5: DNS_MISMATCH names api.openai.com.default.svc.cluster.test', async () => {
    const { report } = await diagnose(k8s, ['api.openai.com', '--timeout', '3s']);
    const d = mismatch(report)!;
    expect(d, JSON.stringify(report.stages.find((s) => s.id === 'dns')?.data)).toBeDefined();
    expect(d.details).toMatchObject({ answeredName: 'api.openai.com.default.svc.cluster.test', searchDomain: 'default.svc.cluster.test' });
    expect(d.evidence.join('\n')).toContain('10.96.7.7');
    expect(d.remediation.some((r) => (r.command ?? '').includes('getent ahosts api.openai.com.'))).toBe(true);
  });

  it('two public-looking answers still disagree when another name gave one of them', async () => {
    const { report } = await diagnose(corp, ['https://llm.gw:8443/v1', '--provider', 'openai-compatible', '--timeout', '3s']);
    expect(mismatch(report)?.details).toMatchObject({ answeredName: 'llm.gw.corp.example.test' });
  });

  it('the second search domain answered, over AAAA', async () => {
    const { report } = await diagnose(second, ['api.anthropic.com', '--timeout', '3s']);
    const d = mismatch(report);
    expect(d?.details, JSON.stringify(report.stages.find((s) => s.id === 'dns')?.data)).toMatchObject({ answeredName: 'api.anthropic.com.b.test', searchDomain: 'b.test' });
  });
});
