/**
 * --keepalive against real servers that close idle connections: nginx (keepalive_timeout 2s),
 * HAProxy (timeout http-keep-alive 1s), Node's http server (keepAliveTimeout 1 s), and held-out
 * shapes: a server that resets instead of closing, one that never closes, one that does no
 * keep-alive at all, and the same nginx reached through a forward proxy's CONNECT tunnel.
 */
import { describe, expect, it } from 'vitest';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { nodeKeepaliveBufferMs, startNodeKeepalive, startRawKeepalive } from '../../fixtures/keepalive-servers.js';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { startProxy } from '../../fixtures/proxy-servers.js';
import type { KeepaliveSection } from '../../src/net/keepalive/section.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const track = closeAfterAll();
const NGINX_KEEPALIVE = `keepalive_timeout 2s;
    location / { default_type application/json; return 200 '{"object":"list","data":[]}'; }`;

async function keepaliveRun(url: string, extra: string[] = []) {
  const run = await runCli([`${url}/v1`, '--provider', 'openai-compatible', '--json', '--keepalive', '--timeout', '3s', ...extra], { env: cleanEnv() });
  const k = run.report?.keepalive as KeepaliveSection | undefined;
  if (!k || !('outcome' in k)) throw new Error(`no keepalive section (exit ${run.code}): ${run.stderr}${run.stdout.slice(0, 400)}`);
  return { run, k, codes: run.report!.diagnoses.filter((d) => d.severity !== 'info').map((d) => d.code) };
}

/** Within ±20 % of the expected seconds. */
function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(actual!).toBeGreaterThanOrEqual(expected * 0.8);
  expect(actual!).toBeLessThanOrEqual(expected * 1.2);
}

describe.skipIf(nginxPath() === undefined)('--keepalive with real nginx', () => {
  it('keepalive_timeout 2s: the FIN after ~2 s -> STALE_KEEPALIVE, warning, exit 0 (1 with --strict)', async () => {
    const ngx = await track(startNginx({ server: NGINX_KEEPALIVE }));
    const { run, k, codes } = await keepaliveRun(ngx.url);
    expect(k).toMatchObject({ outcome: 'closed', closedBy: 'fin', firstStatus: 200 });
    near(k.idleTimeoutSeconds, 2);
    expect(k.survivedSeconds).toBeLessThan(k.idleTimeoutSeconds!);
    expect(codes).toEqual(['STALE_KEEPALIVE']);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ severity: 'warning', stage: 'http', details: { closedBy: 'fin' } });
    near(d.details.idleTimeoutSeconds as number, 2);
    // httpx keeps idle connections 5 s: it races a 2 s close.
    expect(d.details.racingClients).toContain('Python httpx (openai-python, anthropic-python)');
    expect(run.code).toBe(0);
    expect(run.report!.verdict).toBe('degraded');

    const strict = await keepaliveRun(ngx.url, ['--strict']);
    expect(strict.run.code).toBe(1);
  });

  it('the human output shows the finding with its evidence', async () => {
    const ngx = await track(startNginx({ server: NGINX_KEEPALIVE }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--keepalive', '--timeout', '3s'], { env: cleanEnv() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('STALE_KEEPALIVE');
    expect(run.stdout).toMatch(/closed the idle connection \(FIN\) after [\d.]+ s/);
    expect(run.stdout).toContain('keepalive_expiry');
  });

  it('keepalive_timeout 0: the server closes after each answer -> no-keepalive, no finding', async () => {
    const ngx = await track(startNginx({ server: NGINX_KEEPALIVE.replace('keepalive_timeout 2s', 'keepalive_timeout 0') }));
    const { run, k, codes } = await keepaliveRun(ngx.url);
    expect(k.outcome).toBe('no-keepalive');
    expect(codes).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('held-out: through a forward proxy CONNECT tunnel, the target nginx closing still times at ~2 s', async () => {
    const ngx = await track(startNginx({ server: NGINX_KEEPALIVE }));
    const proxy = await track(startProxy({ kind: 'allow' }));
    const { run, k } = await keepaliveRun(ngx.url, ['--proxy', proxy.url]);
    expect(run.report!.target.via).toBe('proxy');
    expect(k).toMatchObject({ outcome: 'closed', closedBy: 'fin' });
    near(k.idleTimeoutSeconds, 2);
    expect(run.report!.diagnoses[0]!.evidence[0]).toContain('through the proxy');
  });
});

describe.skipIf(haproxyPath() === undefined)('--keepalive with real HAProxy', () => {
  it('timeout http-keep-alive 1s: found ~1 s although the upstream keeps connections longer', async () => {
    const api = await track(startOpenAiCompatible({}));
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${api.port}`], defaults: 'timeout http-keep-alive 1s' }));
    const { run, k, codes } = await keepaliveRun(hap.url);
    expect(k).toMatchObject({ outcome: 'closed' });
    near(k.idleTimeoutSeconds, 1);
    expect(codes).toContain('STALE_KEEPALIVE');
    expect(run.code).toBe(0);
  });
});

describe('--keepalive with Node and raw servers', () => {
  it('Node keepAliveTimeout 1 s: advertises timeout=1 and closes after it plus Node\'s own buffer', async () => {
    const srv = await track(startNodeKeepalive(1000));
    const { k, codes } = await keepaliveRun(srv.url);
    expect(k).toMatchObject({ outcome: 'closed', closedBy: 'fin', advertisedTimeoutSeconds: 1 });
    near(k.idleTimeoutSeconds, (1000 + nodeKeepaliveBufferMs()) / 1000);
    expect(codes).toEqual(['STALE_KEEPALIVE']);
  });

  it('held-out: a server that resets idle connections after 1 s (RST, not FIN) -> closedBy rst', async () => {
    const srv = await track(startRawKeepalive({ kind: 'rst-after', idleMs: 1000 }));
    const { k, codes, run } = await keepaliveRun(srv.url);
    expect(k).toMatchObject({ outcome: 'closed', closedBy: 'rst' });
    near(k.idleTimeoutSeconds, 1);
    expect(codes).toEqual(['STALE_KEEPALIVE']);
    expect(run.report!.diagnoses[0]!.evidence[0]).toContain('RST');
  });

  it('held-out: a server that never closes idle connections -> survived the longest idle time, no finding, exit 0', async () => {
    const srv = await track(startRawKeepalive({ kind: 'never-close' }));
    const { k, codes, run } = await keepaliveRun(srv.url, ['--keepalive-max', '2s']);
    expect(k).toMatchObject({ outcome: 'survived', idleMaxSeconds: 2 });
    expect(k.survivedSeconds).toBeGreaterThanOrEqual(2);
    expect(k.trials.every((t) => t.result === 'answered')).toBe(true);
    expect(codes).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('bad --keepalive-max: one line, exit 2', async () => {
    for (const argv of [['--keepalive', '--keepalive-max', 'soon'], ['--keepalive-max', '2s'], ['--keepalive', '--keepalive-max', '100ms']]) {
      const run = await runCli(['http://127.0.0.1:9', ...argv]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('--keepalive-max');
    }
  });
});
