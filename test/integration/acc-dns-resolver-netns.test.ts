/**
 * Issue 11 item 7: --resolver does not hide broken DNS. The built CLI runs inside test-made
 * network namespaces whose resolv.conf points at DNS fixtures (never the machine's resolver). When
 * the system lookup fails and --resolver answers, applications here still cannot resolve the
 * name: exit 10 with DNS_SYSTEM_UNRESOLVED, the later stages run on the resolver's answer, and the
 * diagnosis says whether the rest of the path works.
 */
import { existsSync } from 'node:fs';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServerInNetns, type NetnsDnsFixture } from '../../fixtures/dns-server-netns.js';
import { createNetns, netnsUnavailable, type Netns } from '../../fixtures/netns.js';
import type { Report } from '../../src/report.js';
import { assertValidReport } from '../helpers/schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const skipReason = netnsUnavailable();

let ns: Netns | undefined;
let isolated: Netns | undefined;
const fixtures: NetnsDnsFixture[] = [];
const servers: ChildProcess[] = [];

async function diagnose(where: Netns, args: string[]): Promise<{ code: number; report: Report }> {
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
  assertValidReport(report);
  return { code: r.code, report };
}

/** A tiny HTTP API inside the namespace, on 127.0.0.1:8080 (the answer the resolver gives). */
const HTTP_SERVER = "require('http').createServer((q,r)=>{r.setHeader('content-type','application/json');r.end('{\"data\":[]}')}).listen(8080,'127.0.0.1',()=>console.log('up'))";

async function startHttp(where: Netns): Promise<void> {
  const child = where.spawn([process.execPath, '-e', HTTP_SERVER]);
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => resolve());
    child.on('exit', (c) => reject(new Error(`http server exited ${c}`)));
  });
}

const diag = (r: Report, code: string) => r.diagnoses.find((d) => d.code === code);
const stage = (r: Report, id: string) => r.stages.find((s) => s.id === id)!;

describe.skipIf(skipReason !== undefined)(`--resolver does not hide broken DNS${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT]);
    ns = await createNetns({ prefix: 'accdns', etc: { 'resolv.conf': 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n', hosts: '127.0.0.1 localhost\n' } });
    // The machine's resolver: filters one name (NXDOMAIN), fails on another (SERVFAIL).
    fixtures.push(
      await startDnsServerInNetns(ns, {
        port: 53,
        names: { 'llm.corp.test': { kind: 'nxdomain' }, 'gw.corp.test': { kind: 'servfail' }, 'dead.corp.test': { kind: 'refused' } },
      }),
    );
    // The resolver the user names: knows them all.
    fixtures.push(
      await startDnsServerInNetns(ns, {
        port: 5354,
        names: {
          'llm.corp.test': { kind: 'answer', a: ['127.0.0.1'] },
          'gw.corp.test': { kind: 'answer', a: ['127.0.0.1'] },
          'dead.corp.test': { kind: 'answer', a: ['127.0.0.9'] },
          'ok.corp.test': { kind: 'answer', a: ['127.0.0.1'] },
        },
      }),
    );
    await startHttp(ns);
    // A machine whose resolv.conf names a server nothing can reach (a broken VPN's resolver).
    isolated = await createNetns({ prefix: 'accdnsiso', etc: { 'resolv.conf': 'nameserver 192.0.2.53\noptions timeout:1 attempts:1\n', hosts: '127.0.0.1 localhost\n' } });
    fixtures.push(await startDnsServerInNetns(isolated, { port: 5354, names: { 'llm.corp.test': { kind: 'answer', a: ['127.0.0.1'] } } }));
    await startHttp(isolated);
  }, 90_000);

  afterAll(async () => {
    for (const s of servers) s.kill();
    for (const f of fixtures) await f.close().catch(() => undefined);
    await ns?.destroy();
    await isolated?.destroy();
  });

  it('system NXDOMAIN, --resolver answers, the API answers on that address: exit 10, and the rest of the path works once DNS does', async () => {
    const { code, report } = await diagnose(ns!, ['http://llm.corp.test:8080/v1', '--resolver', '127.0.0.1:5354', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_SYSTEM_UNRESOLVED');
    const d = diag(report, 'DNS_SYSTEM_UNRESOLVED')!;
    expect(d.evidence.join('\n')).toMatch(/ENOTFOUND/);
    expect(d.evidence.join('\n')).toMatch(/works once DNS does/);
    expect(d.details.restOfPath).toBe('works');
    expect(stage(report, 'dns').summary).toMatch(/works once DNS does/);
    expect(stage(report, 'tcp').status).toBe('pass');
    expect(stage(report, 'http').status).not.toBe('skip');
    expect(diag(report, 'DNS_MISMATCH')).toBeUndefined();
  });

  it('system SERVFAIL, --resolver answers: exit 10 with the system error named', async () => {
    const { code, report } = await diagnose(ns!, ['http://gw.corp.test:8080/', '--resolver', '127.0.0.1:5354', '--timeout', '3s']);
    expect(code).toBe(10);
    const d = diag(report, 'DNS_SYSTEM_UNRESOLVED')!;
    // glibc turns a SERVFAIL into EAI_AGAIN, which cannot be told from silence without asking directly.
    expect(d.details.systemError).toBe('EAI_AGAIN');
    expect(['DNS_SERVFAIL', 'DNS_TIMEOUT']).toContain(d.details.systemCode);
    expect(stage(report, 'tcp').status).toBe('pass');
  });

  it('system REFUSED and the resolver\'s address refuses connections too: DNS stays the root cause, and the evidence names what fails next', async () => {
    const { code, report } = await diagnose(ns!, ['http://dead.corp.test:8080/', '--resolver', '127.0.0.1:5354', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_SYSTEM_UNRESOLVED');
    expect(diag(report, 'TCP_REFUSED')).toBeDefined();
    const d = diag(report, 'DNS_SYSTEM_UNRESOLVED')!;
    expect(d.details.restOfPath).toBe('fails');
    expect(d.evidence.join('\n')).toMatch(/TCP_REFUSED|tcp/);
  });

  it('resolv.conf names an unreachable server, --resolver answers: still exit 10', async () => {
    const { code, report } = await diagnose(isolated!, ['http://llm.corp.test:8080/', '--resolver', '127.0.0.1:5354', '--timeout', '4s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_SYSTEM_UNRESOLVED');
    expect(stage(report, 'tcp').status).toBe('pass');
  });

  it('control: when the system lookup fails for a name --resolver does not know either, it is the plain DNS error', async () => {
    const { code, report } = await diagnose(ns!, ['http://nowhere.corp.test:8080/', '--resolver', '127.0.0.1:5354', '--timeout', '3s']);
    expect(code).toBe(10);
    expect(report.rootCause).toBe('DNS_NXDOMAIN');
    expect(diag(report, 'DNS_SYSTEM_UNRESOLVED')).toBeUndefined();
  });
});
