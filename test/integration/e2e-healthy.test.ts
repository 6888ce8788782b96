/**
 * The whole path, healthy, end to end: an OpenAI-compatible API over HTTPS with a key and a real
 * event stream, reached directly and through a forward proxy. Every stage that applies passes,
 * nothing is diagnosed, exit 0, and the key appears nowhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyFixture } from '../../fixtures/proxy-servers.js';
import { startSseServer, type SseFixture } from '../../fixtures/sse-server.js';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-e2e-Q7mVx2Lp9RtYw4Kb8NcZ1Hd6';

describe('healthy end to end', () => {
  let api: SseFixture;
  let proxy: ProxyFixture;
  const target = () => `https://localhost:${api.port}/v1`;
  const args = () => [target(), '--provider', 'openai-compatible', '--resolve', `localhost:${api.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--stream', '--json'];

  beforeAll(async () => {
    api = await startSseServer({ mode: 'openai', events: 6, periodMs: 60, tls: loadCert('valid') });
    proxy = await startProxy({ kind: 'allow', hosts: { localhost: '127.0.0.1' } });
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  it('directly: env, dns, tcp, tls, http and stream pass; proxy and mtu are skipped with reasons; exit 0', async () => {
    const run = await runCli(args(), { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    const r = run.report!;
    expect(r.stages.map((s) => [s.id, s.status])).toEqual([
      ['env', 'pass'],
      ['dns', 'pass'],
      ['tcp', 'pass'],
      ['proxy', 'skip'],
      ['tls', 'pass'],
      ['http', 'pass'],
      ['stream', 'pass'],
      ['mtu', 'skip'],
    ]);
    for (const s of r.stages.filter((x) => x.status === 'skip')) expect(s.summary).toMatch(/^skipped: \S/);
    expect(r.diagnoses).toEqual([]);
    expect(r).toMatchObject({ verdict: 'ok', exitCode: 0, interrupted: false, target: { via: 'direct', provider: 'openai-compatible' } });
    expect(r.key).toEqual({ source: '$OPENAI_API_KEY', fingerprint: 'sk-…1Hd6' });
    // The key really went to the server, as a Bearer token, on both the key check and the stream.
    expect(api.requests.some((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(KEY);
    expect(run.code).toBe(0);
  });

  it('through a forward proxy from HTTPS_PROXY: the proxy stage passes too, via proxy, exit 0', async () => {
    const env = cleanEnv({ OPENAI_API_KEY: KEY, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` });
    const run = await runCli(args(), { env });
    const r = run.report!;
    expect(stageOf(r, 'proxy').status).toBe('pass');
    for (const id of ['env', 'dns', 'tcp', 'tls', 'http', 'stream'] as const) expect(stageOf(r, id).status, id).toBe('pass');
    expect(r.target).toMatchObject({ via: 'proxy', proxy: `http://127.0.0.1:${proxy.port}` });
    // The tls, http and stream connections all went through CONNECT.
    expect(proxy.requests.filter((q) => q.authority === `localhost:${api.port}`).length).toBeGreaterThanOrEqual(3);
    expect(r.diagnoses).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(KEY);
    expect(run.code).toBe(0);
  });

  it('the human report of a healthy run: a line per stage, the timing waterfall, the arrival strip, OK', async () => {
    const run = await runCli(args().filter((a) => a !== '--json'), { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(run.code).toBe(0);
    for (const id of ['env', 'dns', 'tcp', 'proxy', 'tls', 'http', 'stream', 'mtu']) expect(run.stdout).toMatch(new RegExp(`^  [✔!✘-] ${id}`, 'm'));
    expect(run.stdout).toMatch(/^timings$/m);
    expect(run.stdout).toMatch(/tls handshake .*│/);
    expect(run.stdout).toMatch(/stream arrivals/);
    expect(run.stdout).toMatch(/^OK in .* exit 0/m);
  });
});
