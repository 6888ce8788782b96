/**
 * A real Squid from Debian's package, started by the suite on loopback with configurations it
 * writes: allow, deny by ACL (a real 403 with X-Squid-Error), and Basic auth (a real 407).
 * Squid is confined to loopback (see fixtures/squid.ts); the upstream is a loopback TLS fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { squidUnavailable, startSquid, type SquidFixture } from '../../fixtures/squid.js';
import { startTlsServer, TEST_CA_PATH, type TlsFixture } from '../../fixtures/tls-server.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const unavailable = squidUnavailable('auth');
const USER = 'doctor';
const PASSWORD = 'letmein-squid-42';

describe.skipIf(unavailable !== undefined)(`real squid${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let upstream: TlsFixture;
  const squids: Partial<Record<'allow' | 'deny' | 'auth', SquidFixture>> = {};

  beforeAll(async () => {
    upstream = await startTlsServer();
    const [allow, deny, auth] = await Promise.all([startSquid('allow'), startSquid('deny'), startSquid('auth', { user: USER, password: PASSWORD })]);
    Object.assign(squids, { allow, deny, auth });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(squids).map((s) => s?.close()));
    await upstream?.close();
  });

  const target = () => `https://127.0.0.1:${upstream.port}/v1`;
  const args = ['--json', '--ca', TEST_CA_PATH, '--timeout', '5s'];

  it('allow: the tunnel opens through squid and the TLS stage runs inside it', async () => {
    const run = await runCli([target(), ...args], { env: cleanEnv({ HTTPS_PROXY: `http://127.0.0.1:${squids.allow!.port}` }) });
    const r = run.report!;
    expect(r.target.via).toBe('proxy');
    const ps = stageOf(r, 'proxy');
    expect(ps.status).toBe('pass');
    expect(ps.data.status).toBe(200);
    expect(stageOf(r, 'tls').status).toBe('pass');
    expect(squids.allow!.accessLog()).toContain(`CONNECT 127.0.0.1:${upstream.port}`);
    // A healthy run through a proxy from the environment passes.
    expect(r.verdict).toBe('ok');
    expect(run.code).toBe(0);
  });

  it('deny by ACL: a real 403 with X-Squid-Error -> PROXY_REFUSED, exit 13', async () => {
    const run = await runCli([target(), ...args, '--proxy', `http://127.0.0.1:${squids.deny!.port}`], { env: cleanEnv() });
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('PROXY_REFUSED');
    expect(d.details).toMatchObject({ status: 403, intermediary: 'squid' });
    expect(String(d.details.squidError)).toMatch(/^ERR_ACCESS_DENIED/);
    expect(d.evidence.join('\n')).toContain('X-Squid-Error: ERR_ACCESS_DENIED');
    expect(run.code).toBe(13);
  });

  it('auth without credentials: a real 407 offering Basic -> PROXY_AUTH_REQUIRED, exit 13', async () => {
    const run = await runCli([target(), ...args, '--proxy', `http://127.0.0.1:${squids.auth!.port}`], { env: cleanEnv() });
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('PROXY_AUTH_REQUIRED');
    expect(d.details).toMatchObject({ status: 407, schemes: ['Basic'], credentialsSent: false, intermediary: 'squid' });
    expect(run.code).toBe(13);
  });

  it('auth with a wrong password: 407 again, credentials said to be refused and never printed', async () => {
    const run = await runCli([target(), ...args, '--proxy', `http://${USER}:wrong-password-1@127.0.0.1:${squids.auth!.port}`], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('PROXY_AUTH_REQUIRED');
    expect(run.report!.diagnoses[0]!.details).toMatchObject({ credentialsSent: true });
    expect(run.stdout).not.toContain('wrong-password-1');
    expect(run.code).toBe(13);
  });

  it('auth with the right credentials from the environment: the tunnel opens, nothing secret printed', async () => {
    const env = cleanEnv({ https_proxy: `http://${USER}:${PASSWORD}@127.0.0.1:${squids.auth!.port}` });
    const run = await runCli([target(), ...args], { env });
    expect(stageOf(run.report!, 'proxy').status).toBe('pass');
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stdout).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });
});
