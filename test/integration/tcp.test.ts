/**
 * The tcp stage on loopback, through the in-process CLI: refused ports, IPv6 broken where IPv4
 * works, several addresses at once. Targets are IP literals or --resolve pins: nothing asks DNS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../fixtures/tcp-servers.js';
import { TEST_CA_PATH, startTlsServer, type TlsFixture } from '../../fixtures/tls-server.js';
import type { Fixture } from '../../fixtures/types.js';
import { codesOf, runCli, stageOf } from '../helpers/cli.js';

interface Attempt {
  address: string;
  family: number;
  outcome: string;
  code?: string;
  ms: number;
}

let srv: TlsFixture;
let closed: Fixture;
beforeAll(async () => {
  srv = await startTlsServer({ cert: 'valid' }); // 127.0.0.1 only: [::1] on its port is refused
  closed = await closedPort();
});
afterAll(async () => {
  await srv.close();
});

describe('tcp stage', () => {
  it('healthy: one address, connected, chosen, timed', async () => {
    const run = await runCli([`https://127.0.0.1:${srv.port}`, '--json', '--timeout', '3s', '--ca', TEST_CA_PATH]);
    const tcp = stageOf(run.report!, 'tcp');
    expect(tcp.status).toBe('pass');
    const attempts = tcp.data.attempts as Attempt[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ address: '127.0.0.1', family: 4, outcome: 'ok' });
    expect(tcp.data.chosen).toMatchObject({ address: '127.0.0.1', port: srv.port, reason: 'the only address' });
    expect((tcp.data.timings as { connect: number }).connect).toBeGreaterThanOrEqual(0);
    expect(codesOf(run.report!).filter((c) => c.startsWith('TCP_') || c.startsWith('TLS_') || c === 'IPV6_BROKEN')).toEqual([]);
  });

  it('refused: TCP_REFUSED naming the address, exit 11, later stages skipped', async () => {
    const run = await runCli([`https://127.0.0.1:${closed.port}/v1`, '--json', '--timeout', '3s']);
    expect(run.code).toBe(11);
    expect(run.report!.rootCause).toBe('TCP_REFUSED');
    const d = run.report!.diagnoses[0]!;
    expect(d.evidence[0]).toMatch(new RegExp(`^connect to 127\\.0\\.0\\.1:${closed.port} \\[IPv4\\]: refused \\(ECONNREFUSED\\)`));
    expect(d.remediation.some((s) => s.command === `nc -vz 127.0.0.1 ${closed.port}`)).toBe(true);
    expect(stageOf(run.report!, 'tcp').status).toBe('fail');
    expect(stageOf(run.report!, 'tls').status).toBe('skip');
  });

  it('every address refused: one diagnosis listing them all', async () => {
    const run = await runCli([`https://localhost:${closed.port}`, '--resolve', `localhost:${closed.port}:127.0.0.1,[::1]`, '--json', '--timeout', '3s']);
    expect(run.code).toBe(11);
    expect(codesOf(run.report!)).toEqual(['TCP_REFUSED']);
    const d = run.report!.diagnoses[0]!;
    expect(d.details.addresses).toHaveLength(2);
    expect(d.evidence.join('\n')).toContain(`[::1]:${closed.port} [IPv6]: refused`);
    expect(stageOf(run.report!, 'tcp').summary).toContain('all 2 addresses refused');
  });

  it('IPv6 refused, IPv4 works: IPV6_BROKEN warning, run continues on IPv4 and TLS passes', async () => {
    const run = await runCli([`https://localhost:${srv.port}`, '--resolve', `localhost:${srv.port}:[::1],127.0.0.1`, '--json', '--timeout', '3s', '--ca', TEST_CA_PATH]);
    const tcp = stageOf(run.report!, 'tcp');
    expect(tcp.status).toBe('warn');
    const attempts = tcp.data.attempts as Attempt[];
    expect(attempts.map((a) => [a.address, a.outcome])).toEqual([
      ['::1', 'refused'],
      ['127.0.0.1', 'ok'],
    ]);
    expect(tcp.data.chosen).toMatchObject({ address: '127.0.0.1', family: 4 });
    expect(String((tcp.data.chosen as { reason: string }).reason)).toContain(`[::1]:${srv.port} refused; using 127.0.0.1:${srv.port} (IPv4)`);
    const d = run.report!.diagnoses.find((x) => x.code === 'IPV6_BROKEN')!;
    expect(d.severity).toBe('warning');
    expect(d.details.workingIPv4).toEqual(['127.0.0.1']);
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(run.report!.rootCause === undefined || !['TCP', 'TLS'].some((p) => run.report!.rootCause!.startsWith(p))).toBe(true);
  });

  it('a forward proxy that refuses is PROXY_UNREACHABLE (exit 13), said to be the proxy', async () => {
    const run = await runCli([`https://127.0.0.1:${srv.port}`, '--proxy', `http://127.0.0.1:${closed.port}`, '--json', '--timeout', '3s']);
    expect(run.code).toBe(13);
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('PROXY_UNREACHABLE');
    expect(d.details.reason).toBe('refused');
    expect(d.evidence.join('\n')).toMatch(/forward proxy 127\.0\.0\.1:\d+ \(chosen by --proxy\)/);
    expect(stageOf(run.report!, 'tcp').data.hop).toMatchObject({ kind: 'proxy', port: closed.port });
  });
});
