/**
 * Held-out review: the proxy's own name does not resolve (a stale HTTPS_PROXY on a machine off the
 * corporate network or VPN). The built CLI runs inside a test-made network namespace whose
 * resolv.conf points at a DNS fixture on the namespace's loopback, so getaddrinfo is real and no
 * query leaves the namespace; and a real tinyproxy runs inside it under the name that does resolve.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServerInNetns, type NetnsDnsFixture } from '../../fixtures/dns-server-netns.js';
import { createNetns, netnsUnavailable, type Netns } from '../../fixtures/netns.js';
import { TINYPROXY_BIN, tinyproxyConfig, tinyproxyUnavailable } from '../../fixtures/tinyproxy.js';
import type { Report } from '../../src/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const skip = netnsUnavailable() ?? tinyproxyUnavailable();

let ns: Netns | undefined;
let dns: NetnsDnsFixture | undefined;
let tiny: ChildProcess | undefined;
let dir: string | undefined;

async function diagnose(args: string[], env: Record<string, string>): Promise<{ code: number; report: Report }> {
  const r = await ns!.exec([process.execPath, join(ROOT, 'bin', 'diagnose.js'), ...args, '--json', '--timeout', '3s'], {
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
  });
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stdout.slice(0, 400)} ${r.stderr.slice(0, 400)}`);
  }
}

describe.skipIf(skip !== undefined)(`a proxy name that does not resolve${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    // The report must come from this tree's code: `npm test` builds first; build only when dist/ is
    // missing. Rebuilding it while other test files run would leave dist/app older than dist/ (the
    // installed command would then run the ES modules, without its code cache, for the rest).
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'ignore' });
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('the build produced no dist/cli.js');
    ns = await createNetns({ prefix: 'hoprx', etc: { 'resolv.conf': 'nameserver 127.0.0.1\n', hosts: '127.0.0.1 localhost\n127.0.0.1 proxy.corp.test\n' } });
    dns = await startDnsServerInNetns(ns, { port: 53, names: { 'gone-proxy.corp.test': { kind: 'nxdomain' }, 'sick-proxy.corp.test': { kind: 'servfail' } } });
    // A real tinyproxy inside the namespace on 3128, reached by its name from the hosts file.
    dir = mkdtempSync(join(tmpdir(), 'ud-ho-tiny-'));
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'filter'), '^127\\.0\\.0\\.1$\n');
    writeFileSync(join(dir, 'tinyproxy.conf'), tinyproxyConfig('filter', 3128, dir));
    tiny = ns.spawn([TINYPROXY_BIN, '-d', '-c', join(dir, 'tinyproxy.conf')]);
    for (let i = 0; i < 50; i++) {
      const probe = await ns.exec(['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/3128'], { timeoutMs: 2000 });
      if (probe.code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    tiny?.kill('SIGKILL');
    await dns?.close().catch(() => undefined);
    await ns?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('NXDOMAIN for the proxy host from HTTPS_PROXY: PROXY_UNREACHABLE (exit 13) names the proxy and its variable', async () => {
    const { code, report } = await diagnose(['https://api.openai.com/v1'], { HTTPS_PROXY: 'http://gone-proxy.corp.test:3128' });
    expect(report.rootCause).toBe('PROXY_UNREACHABLE');
    const d = report.diagnoses[0]!;
    expect(d).toMatchObject({ stage: 'proxy', origin: 'forward-proxy', retry: 'no' });
    expect(d.details).toMatchObject({ phase: 'dns', host: 'gone-proxy.corp.test', from: 'HTTPS_PROXY' });
    expect(d.evidence.join('\n')).toMatch(/gone-proxy\.corp\.test \(from HTTPS_PROXY\) did not resolve: .*NXDOMAIN/);
    // The DNS finding stays, explained by the proxy one.
    expect(report.diagnoses.map((x) => x.code)).toContain('DNS_NXDOMAIN');
    expect(d.explains).toContain('DNS_NXDOMAIN');
    expect(report.stages.find((s) => s.id === 'tls')!.status).toBe('skip');
    expect(code).toBe(13);
  });

  it('SERVFAIL for the proxy host: the same attribution', async () => {
    const { code, report } = await diagnose(['https://api.openai.com/v1', '--proxy', 'http://sick-proxy.corp.test:3128'], {});
    expect(report.rootCause).toBe('PROXY_UNREACHABLE');
    expect(report.diagnoses[0]!.evidence.join('\n')).toContain('SERVFAIL');
    expect(code).toBe(13);
  });

  it('the proxy name resolves from the hosts file to a real tinyproxy, which filters the API: PROXY_REFUSED, never DNS for the API', async () => {
    const { code, report } = await diagnose(['https://api.openai.com/v1'], { https_proxy: 'http://proxy.corp.test:3128' });
    // (The dns stage may warn that the hosts file pins the proxy's name; it resolves either way.)
    expect(report.stages.find((s) => s.id === 'dns')!.status).not.toBe('fail');
    expect(report.rootCause).toBe('PROXY_REFUSED');
    expect(report.diagnoses[0]!.details).toMatchObject({ status: 403, intermediary: 'tinyproxy', refusal: 'policy' });
    expect(dns!.log.some((q) => /openai/.test(JSON.stringify(q)))).toBe(false);
    expect(code).toBe(13);
  });
});
