/**
 * --ca trusts its certificates "on top of the system store", and for Node that store includes the
 * certificates NODE_EXTRA_CA_CERTS added at start-up. The run's secure context adds --ca to a copy
 * of Node's store, and Node's copy holds its bundled roots only: the extra certificates must be
 * added again, or a chain that every Node program here trusts is reported as untrusted as soon
 * as --ca is given. NODE_EXTRA_CA_CERTS is read by Node at start-up, so these run the built bin.
 */
import { describe, expect, it } from 'vitest';
import { INTERCEPT_ROOT_PATH, startTlsServer, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import type { Report } from '../../src/report.js';
import { runBin } from '../helpers/bin.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();

async function run(port: number, ca: string | undefined, extra?: string): Promise<{ report: Report; code: number | null }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...(extra ? { NODE_EXTRA_CA_CERTS: extra } : {}) };
  const r = await runBin([`https://localhost:${port}/v1`, '--resolve', `localhost:${port}:127.0.0.1`, ...(ca ? ['--ca', ca] : []), '--provider', 'openai-compatible', '--json', '--timeout', '5s'], { env });
  return { report: JSON.parse(r.stdout) as Report, code: r.code };
}

const tlsOf = (r: Report) => r.stages.find((s) => s.id === 'tls')!;

describe('--ca on top of a store that NODE_EXTRA_CA_CERTS extended', () => {
  it('the chain trusted through NODE_EXTRA_CA_CERTS still verifies when an unrelated --ca is given', async () => {
    const srv = await keep(startTlsServer());
    const { report } = await run(srv.port, INTERCEPT_ROOT_PATH, TEST_CA_PATH);
    expect(tlsOf(report).status).toBe('pass');
    expect(tlsOf(report).data.verifyError).toBeNull();
    expect(report.diagnoses.filter((d) => d.severity === 'error')).toEqual([]);
    // The request went out over the same trust: the http stage got its answer.
    expect(report.stages.find((s) => s.id === 'http')!.status).not.toBe('skip');
  });

  it('without NODE_EXTRA_CA_CERTS the same --ca does not make the chain trusted (the check above can fail)', async () => {
    const srv = await keep(startTlsServer());
    const { report, code } = await run(srv.port, INTERCEPT_ROOT_PATH);
    expect(tlsOf(report).status).toBe('fail');
    expect(tlsOf(report).data.verifyError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(code).not.toBe(0);
  });
});
