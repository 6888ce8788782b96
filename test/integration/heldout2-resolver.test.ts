/**
 * Second held-out run, class 7 (--resolver does not hide broken DNS), in a test-made namespace: the
 * system resolver (resolv.conf) is a DNS fixture, the --resolver the user names is a real dnsmasq.
 * - system SERVFAIL, resolver NXDOMAIN: no one resolves the name: a DNS error naming both answers,
 *   and no claim that the rest of the path works;
 * - system answers (a split-horizon name), the resolver says NXDOMAIN: the contract connects to the
 *   addresses --resolver returns, so its NXDOMAIN stands, and DNS_MISMATCH says applications here do
 *   resolve the name;
 * - system NXDOMAIN, dnsmasq answers with an address where the API answers: exit 10, the rest of the
 *   path checked on the resolver's answer.
 */
import { existsSync } from 'node:fs';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServerInNetns, type NetnsDnsFixture } from '../../fixtures/dns-server-netns.js';
import { dnsmasqPath, startDnsmasq, type DnsmasqFixture } from '../../fixtures/dnsmasq.js';
import { createNetns, netnsUnavailable, type Netns } from '../../fixtures/netns.js';
import type { Report } from '../../src/report.js';
import { assertValidReport } from '../helpers/schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const skipReason = netnsUnavailable() ?? (dnsmasqPath() === undefined ? 'dnsmasq is not installed' : undefined);

let ns: Netns | undefined;
let sys: NetnsDnsFixture | undefined;
let dnsmasq: DnsmasqFixture | undefined;
let http: ChildProcess | undefined;

async function diagnose(args: string[]): Promise<{ code: number; report: Report }> {
  const r = await ns!.exec([process.execPath, join(ROOT, 'bin', 'diagnose.js'), ...args, '--json', '--no-proxy', '--timeout', '6s'], {
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}`);
  }
  assertValidReport(report);
  return { code: r.code, report };
}
const HTTP_SERVER = "require('http').createServer((q,r)=>{r.setHeader('content-type','application/json');r.end('{\"data\":[]}')}).listen(8080,'127.0.0.1',()=>console.log('up'))";
const stage = (r: Report, id: string) => r.stages.find((s) => s.id === id)!;
const all = (r: Report) => r.diagnoses.map((d) => `${d.title}\n${d.evidence.join('\n')}`).join('\n');

describe.skipIf(skipReason !== undefined)(`--resolver against a system resolver that disagrees${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT]);
    ns = await createNetns({ prefix: 'ho2dns', etc: { 'resolv.conf': 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n', hosts: '127.0.0.1 localhost\n' } });
    sys = await startDnsServerInNetns(ns, {
      port: 53,
      names: { 'broken.corp.test': { kind: 'servfail' }, 'inside.corp.test': { kind: 'answer', a: ['127.0.0.1'] }, 'filtered.corp.test': { kind: 'nxdomain' } },
    });
    // dnsmasq: NXDOMAIN for the first two (an empty address= line), an answer for the third.
    dnsmasq = await startDnsmasq(ns, ['address=/broken.corp.test/', 'address=/inside.corp.test/', 'address=/filtered.corp.test/127.0.0.1'], '127.0.0.2');
    http = ns.spawn([process.execPath, '-e', HTTP_SERVER]);
    await new Promise<void>((resolve, reject) => {
      http!.stdout!.on('data', () => resolve());
      http!.on('exit', (c) => reject(new Error(`http server exited ${c}`)));
    });
  }, 90_000);

  afterAll(async () => {
    http?.kill();
    await dnsmasq?.close().catch(() => undefined);
    await sys?.close().catch(() => undefined);
    await ns?.destroy();
  });

  it('system SERVFAIL, resolver NXDOMAIN: a DNS error (exit 10) naming both, and no "the rest of the path works"', async () => {
    const { code, report } = await diagnose(['http://broken.corp.test:8080/v1', '--provider', 'openai-compatible', '--resolver', '127.0.0.2']);
    expect(code).toBe(10);
    expect(stage(report, 'dns').status).toBe('fail');
    expect(all(report)).toMatch(/EAI_AGAIN after [0-9.]+ ms \(a temporary failure: the system's DNS server answered SERVFAIL/);
    expect(all(report)).toMatch(/NXDOMAIN/);
    expect(all(report)).not.toMatch(/rest of the path works/);
    expect(stage(report, 'tcp').status).toBe('skip');
  }, 60_000);

  it('system answers a split-horizon name the resolver does not know: the resolver\'s NXDOMAIN (the user asked for its addresses), and DNS_MISMATCH says applications here do resolve it', async () => {
    const { code, report } = await diagnose(['http://inside.corp.test:8080/v1', '--provider', 'openai-compatible', '--resolver', '127.0.0.2']);
    expect(report.rootCause).toBe('DNS_NXDOMAIN');
    const m = report.diagnoses.find((d) => d.code === 'DNS_MISMATCH')!;
    expect(m.evidence.join('\n')).toMatch(/returned 127\.0\.0\.1/);
    expect(m.evidence.join('\n')).toMatch(/applications here resolve inside\.corp\.test through the system lookup/);
    expect(all(report)).not.toMatch(/rest of the path works/);
    expect(code).toBe(10);
    // Without --resolver, what applications get: the run passes.
    const plain = await diagnose(['http://inside.corp.test:8080/v1', '--provider', 'openai-compatible']);
    expect(plain.code).toBe(0);
  }, 60_000);

  it('system NXDOMAIN, dnsmasq answers where the API runs: exit 10, the later stages run on the resolver\'s answer', async () => {
    const { code, report } = await diagnose(['http://filtered.corp.test:8080/v1', '--provider', 'openai-compatible', '--resolver', '127.0.0.2']);
    expect(code).toBe(10);
    expect(stage(report, 'dns').status).toBe('fail');
    expect(stage(report, 'http').status).toBe('pass');
    expect(all(report)).toMatch(/rest of the path works/);
  }, 60_000);
});
