/**
 * The proxy path end to end against fixture proxies on loopback: a real tunnel (with and without
 * Basic auth, http:// and https:// proxies), 407, 403, a drop, silence, a closed port and a non-HTTP
 * answer. Targets are IP literals, so nothing is ever resolved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../fixtures/tcp-servers.js';
import { startProxy, type ProxyFixture } from '../../fixtures/proxy-servers.js';
import { loadCert, startTlsServer, TEST_CA_PATH, type TlsFixture } from '../../fixtures/tls-server.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';

const PASSWORD = 'Tr0ub4dor-secret';
const USER = 'proxyuser';

let upstream: TlsFixture;
const fixtures: Array<{ close(): Promise<void> }> = [];
async function proxy(...args: Parameters<typeof startProxy>): Promise<ProxyFixture> {
  const p = await startProxy(...args);
  fixtures.push(p);
  return p;
}

beforeAll(async () => {
  upstream = await startTlsServer();
});
afterAll(async () => {
  await upstream?.close();
  for (const f of fixtures) await f.close();
});

const target = () => `https://127.0.0.1:${upstream.port}/v1`;
const base = ['--json', '--ca', TEST_CA_PATH, '--timeout', '4s'];

function expectNoSecret(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  expect(text).not.toContain(USER);
}

describe('through a working proxy', () => {
  it('HTTPS_PROXY with credentials: via proxy, tunnel opened, credentials sent and never printed', async () => {
    const px = await proxy({ kind: 'allow', auth: { user: USER, password: PASSWORD } });
    const env = cleanEnv({ HTTPS_PROXY: `http://${USER}:${PASSWORD}@127.0.0.1:${px.port}` });
    const run = await runCli([target(), ...base], { env });
    const r = run.report!;
    expect(r.target).toMatchObject({ via: 'proxy', proxy: `http://127.0.0.1:${px.port}` });
    expect(stageOf(r, 'env').data).toMatchObject({ proxy: { via: 'proxy', from: 'HTTPS_PROXY' } });
    const ps = stageOf(r, 'proxy');
    expect(ps.status).toBe('pass');
    expect(ps.data).toMatchObject({ status: 200, credentialsSent: true });
    expect(typeof ps.data.connectMs).toBe('number');
    expect(stageOf(r, 'tls').status).toBe('pass');
    // Every connection of the run went through the proxy, each with the credentials.
    expect(px.requests.length).toBeGreaterThanOrEqual(2);
    for (const q of px.requests) expect(q.authority).toBe(`127.0.0.1:${upstream.port}`);
    expect(px.requests[0]!.proxyAuthorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    expect(r.diagnoses.filter((d) => d.stage === 'proxy' || d.stage === 'env')).toEqual([]);
    expectNoSecret(run.stdout + run.stderr);
    expect(run.code).toBe(0);
  });

  it('the human format does not print the credentials either', async () => {
    const px = await proxy({ kind: 'allow' });
    const run = await runCli([target(), '--ca', TEST_CA_PATH, '--proxy', `http://${USER}:${PASSWORD}@127.0.0.1:${px.port}`], { env: cleanEnv() });
    expect(run.stdout).toContain(`127.0.0.1:${px.port}`);
    expectNoSecret(run.stdout + run.stderr);
  });

  it('an https:// proxy: TLS with the proxy first, then CONNECT inside it', async () => {
    const px = await proxy({ kind: 'allow' }, { tls: loadCert('valid') });
    const run = await runCli([target(), ...base, '--proxy', `https://127.0.0.1:${px.port}`], { env: cleanEnv() });
    const ps = stageOf(run.report!, 'proxy');
    expect(ps.status).toBe('pass');
    expect(typeof ps.data.proxyTlsMs).toBe('number');
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(run.report!.target.proxy).toBe(`https://127.0.0.1:${px.port}`);
  });
});

describe('proxies that fail, each with exit 13', () => {
  const dead = 'https://127.0.0.1:9/v1'; // never dialled: the proxy refuses before
  it('407 with Basic, NTLM and Negotiate -> PROXY_AUTH_REQUIRED listing the schemes', async () => {
    const px = await proxy({ kind: 'auth', challenges: ['Negotiate', 'NTLM', 'Basic realm="corp"'] });
    const run = await runCli([dead, ...base, '--proxy', `http://127.0.0.1:${px.port}`], { env: cleanEnv() });
    const r = run.report!;
    expect(r.rootCause).toBe('PROXY_AUTH_REQUIRED');
    expect(r.diagnoses[0]!.details).toMatchObject({ status: 407, schemes: ['Negotiate', 'NTLM', 'Basic'], credentialsSent: false });
    expect(r.diagnoses[0]!.origin).toBe('forward-proxy');
    expect(stageOf(r, 'tls').status).toBe('skip');
    expect(run.code).toBe(13);
  });

  it('wrong credentials -> PROXY_AUTH_REQUIRED saying they were sent and refused', async () => {
    const px = await proxy({ kind: 'allow', auth: { user: USER, password: 'the-right-one' } });
    const run = await runCli([dead, ...base, '--proxy', `http://${USER}:${PASSWORD}@127.0.0.1:${px.port}`], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('PROXY_AUTH_REQUIRED');
    expect(run.report!.diagnoses[0]!.details).toMatchObject({ credentialsSent: true, schemes: ['Basic'] });
    expectNoSecret(run.stdout);
    expect(run.code).toBe(13);
  });

  it('403 with the appliance\'s page -> PROXY_REFUSED with its explanation', async () => {
    const px = await proxy({
      kind: 'deny',
      headers: { Via: '1.1 gateway.corp (Blue Coat)' },
      body: '<html><head><title>Access denied by security policy.</title></head></html>',
    });
    const run = await runCli([dead, ...base, '--proxy', `http://127.0.0.1:${px.port}`], { env: cleanEnv() });
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('PROXY_REFUSED');
    expect(d.details).toMatchObject({ status: 403, statusText: 'Forbidden', via: '1.1 gateway.corp (Blue Coat)' });
    expect(d.evidence.join('\n')).toContain('Access denied by security policy.');
    expect(run.code).toBe(13);
  });

  it('accepts then closes without answering -> PROXY_UNREACHABLE', async () => {
    const px = await proxy({ kind: 'drop' });
    const run = await runCli([dead, ...base, '--proxy', `http://127.0.0.1:${px.port}`], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('PROXY_UNREACHABLE');
    expect(run.report!.diagnoses[0]!.details).toMatchObject({ phase: 'connect' });
    expect(run.code).toBe(13);
  });

  it('never answers CONNECT -> PROXY_UNREACHABLE at the stage deadline, not later', async () => {
    const px = await proxy({ kind: 'silent' });
    const run = await runCli([dead, '--json', '--timeout', '1s', '--proxy', `http://127.0.0.1:${px.port}`], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('PROXY_UNREACHABLE');
    expect(run.report!.diagnoses[0]!.details).toMatchObject({ phase: 'connect-timeout' });
    expect(run.report!.internalErrors).toBeUndefined();
    expect(run.code).toBe(13);
  });

  it('answers something that is not HTTP -> PROXY_UNREACHABLE (not-http)', async () => {
    const px = await proxy({ kind: 'garbage' });
    const run = await runCli([dead, ...base, '--proxy', `http://127.0.0.1:${px.port}`], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('PROXY_UNREACHABLE');
    expect(run.report!.diagnoses[0]!.details).toMatchObject({ phase: 'not-http' });
    expect(run.code).toBe(13);
  });

  it('an endless header is cut at the cap -> PROXY_UNREACHABLE (not-http), no crash', async () => {
    const px = await proxy({ kind: 'flood' });
    const run = await runCli([dead, ...base, '--proxy', `http://127.0.0.1:${px.port}`], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('PROXY_UNREACHABLE');
    expect(run.report!.diagnoses[0]!.evidence.join('\n')).toContain('without ending its header');
    expect(run.code).toBe(13);
  });

  it('nothing listens on the proxy port -> PROXY_UNREACHABLE (from the tcp stage), proxy stage skipped', async () => {
    const closed = await closedPort();
    fixtures.push(closed);
    const run = await runCli([dead, ...base], { env: cleanEnv({ https_proxy: `http://127.0.0.1:${closed.port}` }) });
    const r = run.report!;
    expect(r.rootCause).toBe('PROXY_UNREACHABLE');
    expect(codesOf(r)).not.toContain('TCP_REFUSED');
    expect(stageOf(r, 'proxy').status).toBe('skip');
    expect(run.code).toBe(13);
  });
});

describe('which proxy, and when none', () => {
  it('NO_PROXY covering the loopback target: direct, proxy stage skipped, no warning', async () => {
    const px = await proxy({ kind: 'allow' });
    const run = await runCli([target(), ...base], { env: cleanEnv({ HTTPS_PROXY: `http://127.0.0.1:${px.port}`, NO_PROXY: 'localhost,127.0.0.0/8' }) });
    const r = run.report!;
    expect(r.target.via).toBe('direct');
    expect(stageOf(r, 'proxy')).toMatchObject({ status: 'skip' });
    expect(stageOf(r, 'proxy').summary).toContain('NO_PROXY covers the target');
    expect(codesOf(r)).not.toContain('PROXY_ENV_CONFLICT');
    expect(px.requests).toHaveLength(0);
  });

  it('NO_PROXY=* with a proxy set warns PROXY_ENV_CONFLICT', async () => {
    const run = await runCli([target(), ...base], { env: cleanEnv({ HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '*' }) });
    expect(run.report!.target.via).toBe('direct');
    expect(codesOf(run.report!)).toContain('PROXY_ENV_CONFLICT');
  });

  it('--no-proxy ignores the variables', async () => {
    const run = await runCli([target(), ...base, '--no-proxy'], { env: cleanEnv({ HTTPS_PROXY: 'http://127.0.0.1:9' }) });
    expect(run.report!.target.via).toBe('direct');
    expect(stageOf(run.report!, 'proxy').summary).toContain('--no-proxy');
  });

  it('https_proxy and HTTPS_PROXY differ: the lower-case one is used, and PROXY_ENV_CONFLICT says so', async () => {
    const lower = await proxy({ kind: 'allow' });
    const upper = await proxy({ kind: 'allow' });
    const run = await runCli([target(), ...base], {
      env: cleanEnv({ https_proxy: `http://127.0.0.1:${lower.port}`, HTTPS_PROXY: `http://127.0.0.1:${upper.port}` }),
    });
    expect(run.report!.target.proxy).toBe(`http://127.0.0.1:${lower.port}`);
    expect(lower.requests.length).toBeGreaterThan(0);
    expect(upper.requests).toHaveLength(0);
    const d = run.report!.diagnoses.find((x) => x.code === 'PROXY_ENV_CONFLICT')!;
    expect(d.severity).toBe('warning');
    expect(d.details).toMatchObject({ kind: 'case-mismatch', variables: ['https_proxy', 'HTTPS_PROXY'] });
  });

  it('a bad --proxy is a usage error that does not echo the password', async () => {
    const run = await runCli([target(), '--proxy', `socks5://${USER}:${PASSWORD}@127.0.0.1:1080`], { env: cleanEnv() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--proxy');
    expectNoSecret(run.stderr + run.stdout);
  });
});
