/**
 * --compare-direct against loopback fixtures, in both directions.
 *
 * Proxy-only: the target is a name (api.test) that the client pins with --resolve to a loopback
 * address where nothing listens (so the direct path is refused), while the fixture proxy maps the
 * same name to the real upstream: the situation of a network where only the proxy gets out.
 * Direct-only: the proxy refuses (403) while the upstream is reachable directly.
 */
import { describe, expect, it } from 'vitest';
import { TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { useCompareFixtures } from '../helpers/compare-fixtures.js';
import { cleanEnv, codesOf, runCli } from '../helpers/cli.js';

const fx = useCompareFixtures();

const args = ['--json', '--ca', TEST_CA_PATH, '--timeout', '4s', '--compare-direct'];

describe('--compare-direct', () => {
  it('only the proxy works -> PROXY_REQUIRED with the Node fetch fixes, both runs side by side', async () => {
    // 127.0.0.9 is loopback with nothing listening: the direct connection is refused.
    const run = await runCli([`https://api.test:${fx.upstream.port}/v1`, ...args, '--resolve', `api.test:${fx.upstream.port}:127.0.0.9`], {
      env: cleanEnv({ HTTPS_PROXY: `http://127.0.0.1:${fx.allow.port}` }),
    });
    const r = run.report!;
    expect(r.compare).toMatchObject({ outcome: 'proxy-only', proxy: `http://127.0.0.1:${fx.allow.port}`, direct: { verdict: 'failed', rootCause: 'TCP_REFUSED' } });
    expect(r.compare!.direct.stages.find((s) => s.id === 'tcp')!.status).toBe('fail');
    expect(r.compare!.direct.diagnoses.map((d) => d.code)).toContain('TCP_REFUSED');
    const d = r.diagnoses.find((x) => x.code === 'PROXY_REQUIRED')!;
    expect(d.severity).toBe('warning');
    expect(d.remediation.map((s) => `${s.text} ${s.command ?? ''}`).join('\n')).toMatch(/EnvHttpProxyAgent[\s\S]*NODE_USE_ENV_PROXY/);
    expect(fx.allow.requests.some((q) => q.authority === `api.test:${fx.upstream.port}`)).toBe(true);
    expect(r.target.via).toBe('proxy');
  });

  it('only the direct path works -> the proxy is named as the cause', async () => {
    const run = await runCli([`https://127.0.0.1:${fx.upstream.port}/v1`, ...args, '--proxy', `http://127.0.0.1:${fx.deny.port}`], { env: cleanEnv() });
    const r = run.report!;
    expect(r.compare!.outcome).toBe('direct-only');
    expect(r.compare!.direct.stages.find((s) => s.id === 'tls')!.status).toBe('pass');
    expect(r.rootCause).toBe('PROXY_REFUSED');
    const d = r.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'PROXY_REFUSED', origin: 'forward-proxy', details: { squidError: 'ERR_ACCESS_DENIED 0', compareDirect: { direct: 'ok' } } });
    expect(d.evidence.join('\n')).toContain('without the proxy the same checks pass');
    expect(codesOf(r)).not.toContain('PROXY_REQUIRED');
    expect(run.code).toBe(13);
  });

  it('without a proxy there is nothing to compare', async () => {
    const run = await runCli([`https://127.0.0.1:${fx.upstream.port}/v1`, ...args], { env: cleanEnv() });
    expect(run.report!.compare).toBeUndefined();
    expect(run.report!.target.via).toBe('direct');
  });
});
