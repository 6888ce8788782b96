/**
 * TCP failures loopback cannot produce, made inside a test-made network namespace that has only
 * `lo` (no packet can leave it): a port whose SYNs are dropped (TCP_TIMEOUT), an `unreachable`
 * route and a missing route (TCP_UNREACHABLE), a `prohibit` route. The built CLI runs inside.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, netnsUnavailable, type Netns } from '../../fixtures/netns.js';
import type { Report } from '../../src/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const skipReason = netnsUnavailable();
/** A port whose SYNs the namespace's packet filter drops. */
const DROPPED_PORT = 4431;
/** A port with an HTTP server on 127.0.0.1 whose IPv6 SYNs are dropped. */
const V4_ONLY_PORT = 4432;

let ns: Netns | undefined;
let server: ChildProcess | undefined;

async function diagnose(args: string[]): Promise<{ code: number; report: Report }> {
  const r = await ns!.exec([process.execPath, join(ROOT, 'bin', 'diagnose.js'), ...args, '--json', '--no-proxy'], {
    timeoutMs: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 500)}`);
  }
}

const tcpOf = (r: Report) => r.stages.find((s) => s.id === 'tcp')!;

describe.skipIf(skipReason !== undefined)(`tcp stage in a network namespace${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT]);
    // resolv.conf points at the namespace's own loopback: even a stray lookup stays inside.
    ns = await createNetns({ prefix: 'tcp', etc: { 'resolv.conf': 'nameserver 127.0.0.1\n', hosts: '127.0.0.1 localhost\n' } });
    const setup = [
      ['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(DROPPED_PORT), '-j', 'DROP'],
      ['ip', 'route', 'add', 'unreachable', '203.0.113.0/24'],
      ['ip', 'route', 'add', 'prohibit', '192.0.2.0/24'],
      ['ip6tables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(V4_ONLY_PORT), '-j', 'DROP'],
    ];
    for (const argv of setup) {
      const r = await ns.exec(argv);
      if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    }
    const code = `require('http').createServer((q, r) => r.end('ok')).listen(${V4_ONLY_PORT}, '127.0.0.1', () => console.log('up'))`;
    server = ns.spawn([process.execPath, '-e', code]);
    await once(server.stdout!, 'data');
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill();
      await once(server, 'exit');
    }
    await ns?.destroy();
  });

  it('SYNs dropped: TCP_TIMEOUT, exit 11, the address named', async () => {
    const { code, report } = await diagnose([`127.0.0.1:${DROPPED_PORT}`, '--timeout', '1500ms']);
    expect(code).toBe(11);
    expect(report.rootCause).toBe('TCP_TIMEOUT');
    const d = report.diagnoses[0]!;
    expect(d.evidence[0]).toMatch(new RegExp(`^connect to 127\\.0\\.0\\.1:${DROPPED_PORT} \\[IPv4\\]: no answer within \\d+ ms`));
    expect(tcpOf(report).data.attempts).toMatchObject([{ address: '127.0.0.1', outcome: 'timeout' }]);
    expect(report.internalErrors).toBeUndefined();
  });

  it('an unreachable route: TCP_UNREACHABLE (EHOSTUNREACH)', async () => {
    const { code, report } = await diagnose(['203.0.113.7:443', '--timeout', '2s']);
    expect(code).toBe(11);
    expect(report.rootCause).toBe('TCP_UNREACHABLE');
    expect(tcpOf(report).data.attempts).toMatchObject([{ address: '203.0.113.7', outcome: 'unreachable', code: 'EHOSTUNREACH' }]);
    expect(report.diagnoses[0]!.remediation.some((s) => s.command === 'ip route get 203.0.113.7')).toBe(true);
  });

  it('no route at all: TCP_UNREACHABLE (ENETUNREACH)', async () => {
    const { code, report } = await diagnose(['198.51.100.7:443', '--timeout', '2s']);
    expect(code).toBe(11);
    expect(tcpOf(report).data.attempts).toMatchObject([{ outcome: 'unreachable', code: 'ENETUNREACH' }]);
  });

  it('a prohibit route: TCP_UNREACHABLE (EACCES)', async () => {
    const { code, report } = await diagnose(['192.0.2.7:443', '--timeout', '2s']);
    expect(code).toBe(11);
    expect(report.rootCause).toBe('TCP_UNREACHABLE');
    expect(tcpOf(report).data.attempts).toMatchObject([{ outcome: 'unreachable', code: 'EACCES' }]);
  });

  it('IPv6 blackholed, IPv4 answers: IPV6_BROKEN, and the IPv6 attempt is given up soon after IPv4 connected', async () => {
    const { report } = await diagnose([`http://api.test:${V4_ONLY_PORT}`, '--resolve', `api.test:${V4_ONLY_PORT}:[::1],127.0.0.1`, '--timeout', '20s']);
    const tcp = tcpOf(report);
    expect(tcp.status).toBe('warn');
    expect(tcp.data.attempts).toMatchObject([
      { address: '::1', outcome: 'timeout', code: 'gave-up' },
      { address: '127.0.0.1', outcome: 'ok' },
    ]);
    expect(tcp.data.chosen).toMatchObject({ address: '127.0.0.1' });
    expect(report.diagnoses.find((d) => d.code === 'IPV6_BROKEN')!.evidence[0]).toContain('given up: another address had connected');
  });

  it('mixed: one address dropped, one unreachable, bounded by one deadline, one finding each', async () => {
    const { code, report } = await diagnose([
      `https://api.test:${DROPPED_PORT}`,
      '--resolve',
      `api.test:${DROPPED_PORT}:203.0.113.7,127.0.0.1`,
      '--timeout',
      '1500ms',
    ]);
    expect(code).toBe(11);
    expect(report.diagnoses.map((d) => d.code)).toEqual(['TCP_UNREACHABLE', 'TCP_TIMEOUT']);
    expect(tcpOf(report).data.attempts).toMatchObject([{ outcome: 'unreachable' }, { outcome: 'timeout' }]);
  });
});
