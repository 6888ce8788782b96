/**
 * Held-out review of the proxy and env stages against fixture proxies with quirks the suite's own
 * tests do not have: bare-LF answers, a redirect to a sign-in page, a slow proxy, a 407 page that
 * echoes the credentials, an https:// proxy with an untrusted certificate or none at all, a proxy
 * on ::1, --compare-direct where both paths fail differently or where only the proxy intercepts,
 * and proxy variables that look different but mean the same (and the other way round).
 * Targets are IP literals; nothing is resolved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyBehaviour, type ProxyFixture } from '../../fixtures/proxy-servers.js';
import { closedPort } from '../../fixtures/tcp-servers.js';
import { loadCert, startTlsServer, TEST_CA_PATH, type TlsFixture } from '../../fixtures/tls-server.js';
import { cleanEnv, codesOf, runCli, stageOf, type CliRun } from '../helpers/cli.js';

let upstream: TlsFixture;
let intercepted: TlsFixture;
let closed: { port: number; close(): Promise<void> };
const started: Array<{ close(): Promise<void> }> = [];
async function proxy(b: ProxyBehaviour, opts?: Parameters<typeof startProxy>[1]): Promise<ProxyFixture> {
  const p = await startProxy(b, opts);
  started.push(p);
  return p;
}

beforeAll(async () => {
  upstream = await startTlsServer();
  intercepted = await startTlsServer({ cert: 'intercept' });
  closed = await closedPort();
});
afterAll(async () => {
  await Promise.all([...started, upstream, intercepted, closed].map((f) => f?.close()));
}, 60_000);

const target = () => `https://127.0.0.1:${upstream.port}/v1`;
const args = ['--json', '--ca', TEST_CA_PATH, '--timeout', '4s'];
const root = (run: CliRun) => run.report!.diagnoses.find((d) => d.code === run.report!.rootCause)!;

describe('proxies with quirks', () => {
  it('answers CONNECT with bare LF line endings: a working tunnel, not a timeout', async () => {
    const px = await proxy({ kind: 'allow', lfOnly: true });
    const run = await runCli([target(), ...args, '--proxy', px.url], { env: cleanEnv() });
    expect(stageOf(run.report!, 'proxy')).toMatchObject({ status: 'pass', data: { status: 200 } });
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(run.code).toBe(0);
  });

  it('redirects CONNECT to a sign-in portal: PROXY_REFUSED of kind redirect, with the Location', async () => {
    const px = await proxy({ kind: 'deny', status: 302, statusText: 'Found', headers: { Location: 'https://login.corp.example/sso?return=x', Server: 'Zscaler/6.2' } });
    const run = await runCli([target(), ...args, '--proxy', px.url], { env: cleanEnv() });
    const d = root(run);
    expect(d).toMatchObject({ code: 'PROXY_REFUSED', retry: 'no' });
    expect(d.details).toMatchObject({ status: 302, refusal: 'redirect', location: 'https://login.corp.example/sso?return=x', intermediary: 'zscaler' });
    expect(d.evidence.join('\n')).toContain('redirects to https://login.corp.example/sso');
    expect(run.code).toBe(13);
  });

  it('a slow proxy (1.5 s to answer) within the budget: pass, with the CONNECT time measured', async () => {
    const px = await proxy({ kind: 'allow', delayMs: 1500 });
    const run = await runCli([target(), ...args, '--proxy', px.url], { env: cleanEnv() });
    const ps = stageOf(run.report!, 'proxy');
    expect(ps.status).toBe('pass');
    // A lower bound only: the proxy cannot have answered before its own delay.
    expect(Number(ps.data.connectMs)).toBeGreaterThanOrEqual(1400);
    expect(run.code).toBe(0);
  });

  it('a 407 page that echoes Proxy-Authorization back: scrubbed in every format', async () => {
    const px = await proxy({ kind: 'auth', challenges: ['Basic realm="corp"'], echo: true });
    const password = 'Echo#me?1';
    const secrets = [password, encodeURIComponent(password), Buffer.from(`svc:${password}`).toString('base64')];
    for (const format of ['json', 'human', 'md', 'junit', 'openmetrics', 'github']) {
      const run = await runCli([target(), '--format', format, '--ca', TEST_CA_PATH, '--timeout', '4s', '--proxy', `http://svc:${encodeURIComponent(password)}@127.0.0.1:${px.port}`], { env: cleanEnv() });
      expect(run.code).toBe(13);
      for (const s of secrets) expect(run.stdout + run.stderr).not.toContain(s);
    }
    expect(px.requests[0]!.proxyAuthorization).toBe(`Basic ${Buffer.from(`svc:${password}`).toString('base64')}`);
  });

  it('an https:// proxy with a certificate nobody trusts: PROXY_UNREACHABLE, certificate, retry no', async () => {
    const px = await proxy({ kind: 'allow' }, { tls: loadCert('selfsigned') });
    const run = await runCli([target(), ...args, '--proxy', px.url], { env: cleanEnv() });
    const d = root(run);
    expect(d).toMatchObject({ code: 'PROXY_UNREACHABLE', retry: 'no' });
    expect(d.details).toMatchObject({ phase: 'proxy-tls', tls: 'certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(d.remediation.map((r) => `${r.text} ${r.command ?? ''}`).join('\n')).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('https:// written for a plain proxy that waits silently: the TLS handshake is what timed out, not CONNECT', async () => {
    const px = await proxy({ kind: 'allow' });
    const run = await runCli([target(), '--json', '--timeout', '1s', '--proxy', `https://127.0.0.1:${px.port}`], { env: cleanEnv() });
    const d = root(run);
    expect(d.code).toBe('PROXY_UNREACHABLE');
    expect(d.details).toMatchObject({ phase: 'proxy-tls-timeout' });
    expect(d.evidence.join('\n')).toContain('CONNECT was never sent');
    expect(px.requests).toHaveLength(0);
    expect(run.code).toBe(13);
  });

  it('a proxy on [::1] from HTTPS_PROXY: via proxy, tunnel to the IPv4 target', async () => {
    const px = await proxy({ kind: 'allow' }, { host: '::1' });
    const run = await runCli([target(), ...args], { env: cleanEnv({ HTTPS_PROXY: px.url }) });
    expect(run.report!.target).toMatchObject({ via: 'proxy', proxy: px.url });
    expect(stageOf(run.report!, 'tcp').summary).toContain('[::1]');
    expect(run.code).toBe(0);
  });
});

describe('--compare-direct, held-out directions', () => {
  it('both paths fail, differently: the proxy refusal stays the root cause and says bypassing would not help', async () => {
    const px = await proxy({ kind: 'deny', headers: { 'X-Squid-Error': 'ERR_ACCESS_DENIED 0' } });
    const run = await runCli([`https://127.0.0.1:${closed.port}/v1`, ...args, '--compare-direct', '--proxy', px.url], { env: cleanEnv() });
    const r = run.report!;
    expect(r.compare).toMatchObject({ outcome: 'neither', proxied: { rootCause: 'PROXY_REFUSED' }, direct: { verdict: 'failed', rootCause: 'TCP_REFUSED' } });
    const d = root(run);
    expect(d.code).toBe('PROXY_REFUSED');
    expect(d.details).toMatchObject({ compareDirect: { proxied: 'PROXY_REFUSED', direct: 'TCP_REFUSED', directStage: 'tcp' } });
    expect(d.evidence.at(-1)).toContain('bypassing');
    expect(codesOf(r)).not.toContain('PROXY_REQUIRED');
    expect(run.code).toBe(13);
  });

  it('the proxy intercepts TLS, the direct path is clean: TLS_INTERCEPTED pinned on the proxy, owner network', async () => {
    const px = await proxy({ kind: 'allow', divertPort: intercepted.port });
    const run = await runCli([target(), ...args, '--compare-direct', '--proxy', px.url], { env: cleanEnv() });
    const d = root(run);
    expect(run.report!.compare!.outcome).toBe('direct-only');
    expect(d).toMatchObject({ code: 'TLS_INTERCEPTED', origin: 'forward-proxy', owner: 'network', details: { compareDirect: { direct: 'ok' } } });
    expect(run.code).toBe(12);
  });

  it('a 407 with a direct path that works: the proxy is named, but the credentials stay the user\'s to fix', async () => {
    const px = await proxy({ kind: 'auth', challenges: ['Basic realm="corp"'] });
    const run = await runCli([target(), ...args, '--compare-direct', '--proxy', px.url], { env: cleanEnv() });
    const d = root(run);
    expect(run.report!.compare!.outcome).toBe('direct-only');
    expect(d).toMatchObject({ code: 'PROXY_AUTH_REQUIRED', origin: 'forward-proxy', owner: 'you' });
    expect(d.evidence.at(-1)).toContain('without the proxy the same checks pass');
  });
});

describe('proxy variables: alike in meaning, or not', () => {
  const run = (env: Record<string, string>) => runCli([target(), ...args], { env: cleanEnv(env) });
  let px: ProxyFixture;
  beforeAll(async () => {
    px = await proxy({ kind: 'allow' });
  });

  it('https_proxy and HTTPS_PROXY differ only by a trailing slash and a default-less port spelling: no conflict', async () => {
    const r = (await run({ https_proxy: `http://127.0.0.1:${px.port}`, HTTPS_PROXY: `HTTP://127.0.0.1:${px.port}/` })).report!;
    expect(codesOf(r)).not.toContain('PROXY_ENV_CONFLICT');
    expect(r.verdict).toBe('ok');
  });

  it('no_proxy and NO_PROXY list the same entries in another order and case: no conflict', async () => {
    const r = (await run({ HTTPS_PROXY: `http://127.0.0.1:${px.port}`, no_proxy: 'localhost,.corp.example,10.0.0.0/8', NO_PROXY: '10.0.0.0/8 corp.example, LOCALHOST' })).report!;
    expect(codesOf(r)).not.toContain('PROXY_ENV_CONFLICT');
  });

  it('the two spellings name the same proxy with different credentials: a conflict that says so without printing them', async () => {
    const out = await run({ https_proxy: `http://svc:Lower-pw1@127.0.0.1:${px.port}`, HTTPS_PROXY: `http://127.0.0.1:${px.port}` });
    const d = out.report!.diagnoses.find((x) => x.code === 'PROXY_ENV_CONFLICT')!;
    expect(d.evidence[0]).toContain('different credentials');
    expect(out.stdout).not.toContain('Lower-pw1');
  });

  it('only ALL_PROXY is set: the https target goes through it, and the env stage says why', async () => {
    const r = (await run({ ALL_PROXY: `http://127.0.0.1:${px.port}` })).report!;
    expect(r.target.via).toBe('proxy');
    expect(stageOf(r, 'env').data).toMatchObject({ proxy: { from: 'ALL_PROXY' } });
    expect(stageOf(r, 'proxy').status).toBe('pass');
  });

  it('a socks5h:// all_proxy beside an http:// https_proxy: https_proxy wins, nothing to warn about', async () => {
    const r = (await run({ all_proxy: 'socks5h://127.0.0.1:1080', https_proxy: `http://127.0.0.1:${px.port}` })).report!;
    expect(r.target.via).toBe('proxy');
    // A /v1 target is OpenAI-compatible; without a key that is information (KEY_NOT_GIVEN), not a warning.
    expect(r.diagnoses.filter((d) => d.severity !== 'info').map((d) => d.code)).toEqual([]);
  });

  it('NO_PROXY with the target port (host:port form) skips the proxy; another port does not', async () => {
    const same = (await run({ HTTPS_PROXY: `http://127.0.0.1:${px.port}`, NO_PROXY: `127.0.0.1:${upstream.port}` })).report!;
    expect(same.target.via).toBe('direct');
    const other = (await run({ HTTPS_PROXY: `http://127.0.0.1:${px.port}`, NO_PROXY: `127.0.0.1:${upstream.port + 1}` })).report!;
    expect(other.target.via).toBe('proxy');
  });
});
