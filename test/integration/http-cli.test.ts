/** The http stage through the CLI, against fixture servers on loopback (IP-literal targets only). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCanned, startOpenAiCompatible, type HttpFixture } from '../../fixtures/http-api.js';
import { CANNED } from '../../fixtures/http-bodies.js';
import { startRawServer, type RawServer } from '../../fixtures/http-servers.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-test-4f9c2b7d1e8a6c3f5b0d9e2a7c4f1b8d';

describe('healthy OpenAI-compatible API', () => {
  let api: HttpFixture;
  beforeAll(async () => {
    api = await startOpenAiCompatible({ key: KEY });
  });
  afterAll(() => api.close());

  it('passes every stage that runs and exits 0, with the key sent as Bearer', async () => {
    const run = await runCli([`${api.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(run.report, run.stderr).toBeDefined();
    const r = run.report!;
    expect(run.code).toBe(0);
    expect(r.verdict).toBe('ok');
    for (const s of r.stages) expect(['pass', 'skip']).toContain(s.status);
    const http = stageOf(r, 'http');
    expect(http.status).toBe('pass');
    expect(http.data).toMatchObject({ status: 200, fresh: true, httpVersion: '1.1', request: { method: 'GET', path: '/v1/models', keySent: true } });
    const t = http.data.timings as Record<string, number>;
    for (const k of ['connect', 'request', 'firstByte', 'download', 'total']) expect(typeof t[k]).toBe('number');
    expect(http.data.bytesWritten as number).toBeGreaterThan(50);
    expect(http.data.bytesRead as number).toBeGreaterThan(50);
    expect(typeof http.data.requestId).toBe('string');
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(run.stdout).not.toContain(KEY);
  });

  it('without a key: AUTH_MISSING, exit 15', async () => {
    const run = await runCli([`${api.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.code).toBe(15);
    expect(run.report!.rootCause).toBe('AUTH_MISSING');
    expect(stageOf(run.report!, 'http').data).toMatchObject({ request: { keySent: false } });
  });

  it('a wrong base path: NOT_FOUND, exit 17', async () => {
    const run = await runCli([`${api.url}/v2`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(run.code).toBe(17);
    expect(run.report!.rootCause).toBe('NOT_FOUND');
  });
});

describe('the key never appears in any output, even when the server echoes it', () => {
  for (const echo of ['whole', 'masked'] as const) {
    it(`echo ${echo}`, async () => {
      const api = await startOpenAiCompatible({ key: 'sk-other-0000000000000000000000000000', echoKey: echo });
      try {
        for (const format of ['json', 'human', 'md']) {
          const run = await runCli([`${api.url}/v1`, '--provider', 'openai-compatible', '--format', format], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
          expect(run.code).toBe(15);
          const all = run.stdout + run.stderr;
          expect(all).not.toContain(KEY);
          // No run of 6 characters of the key beyond its fingerprint (prefix "sk-" and last four).
          for (let i = 3; i + 6 <= KEY.length - 4; i++) expect(all).not.toContain(KEY.slice(i, i + 6));
        }
      } finally {
        await api.close();
      }
    });
  }
});

describe('transport failures', () => {
  const servers: RawServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('RST after the request: RESET_BEFORE_HEADERS how=rst, exit 14, retried once on a fresh connection', async () => {
    const srv = await startRawServer('reset');
    servers.push(srv);
    const run = await runCli([srv.url, '--json']);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('RESET_BEFORE_HEADERS');
    expect(d.details).toMatchObject({ how: 'rst', fresh: true });
    expect(d.details.bytesWritten as number).toBeGreaterThan(0);
    // One retry failed too: reported as exactly that, never as "consistent" or "a retry will not help".
    expect(d.retry).toBe('yes');
    expect(d.evidence.join('\n')).toMatch(/one retry on another new connection failed the same way/);
    expect(srv.requests()).toBe(2);
  });

  it('FIN after the request: RESET_BEFORE_HEADERS how=fin', async () => {
    const srv = await startRawServer('close');
    servers.push(srv);
    const run = await runCli([srv.url, '--json']);
    expect(run.code).toBe(14);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'RESET_BEFORE_HEADERS', details: { how: 'fin' } });
  });

  it('no answer: HEADERS_TIMEOUT, exit 14, and the stall recorded for the mtu stage', async () => {
    const srv = await startRawServer('hang');
    servers.push(srv);
    const run = await runCli([srv.url, '--json', '--timeout', '1500ms']);
    expect(run.code).toBe(14);
    const r = run.report!;
    expect(r.rootCause).toBe('HEADERS_TIMEOUT');
    const http = stageOf(r, 'http');
    expect(http.status).toBe('fail');
    expect(http.data).toMatchObject({ error: { timedOut: true } });
    expect(r.diagnoses.find((d) => d.code === 'HEADERS_TIMEOUT')!.evidence.join(' ')).toMatch(/not a single byte/);
    // The stall reached the mtu stage: it no longer says that nothing stalled.
    expect(stageOf(r, 'mtu').summary).not.toMatch(/nothing stalled/);
  });

  it('a body without end is read up to 64 KiB and no further', async () => {
    const srv = await startRawServer('flood');
    servers.push(srv);
    const run = await runCli([srv.url, '--json', '--timeout', '3s']);
    expect(run.code).toBe(0);
    const body = stageOf(run.report!, 'http').data.body as { bytes: number; truncated: boolean; excerpt: string };
    expect(body.truncated).toBe(true);
    expect(body.bytes).toBeLessThanOrEqual(64 * 1024 + 0x4000 + 16);
    expect(body.excerpt.length).toBeLessThanOrEqual(2048);
  });

  it('bytes that are not HTTP: HTTP_PROTOCOL_ERROR', async () => {
    const srv = await startRawServer('garbage');
    servers.push(srv);
    const run = await runCli([srv.url, '--json']);
    expect(run.code).toBe(14);
    expect(run.report!.rootCause).toBe('HTTP_PROTOCOL_ERROR');
  });
});

describe('provider and intermediary answers, through the CLI', () => {
  const cases: Array<[keyof typeof CANNED, string, number, string]> = [
    ['anthropic.401', 'AUTH_INVALID', 15, 'anthropic'],
    ['anthropic.529', 'OVERLOADED', 17, 'anthropic'],
    ['anthropic.429', 'RATE_LIMITED', 16, 'anthropic'],
    ['anthropic.413', 'REQUEST_TOO_LARGE', 17, 'anthropic'],
    ['openai.403.region', 'REGION_BLOCKED', 15, 'openai-compatible'],
    ['openai.429.quota', 'QUOTA_EXCEEDED', 16, 'openai-compatible'],
    ['openai.500', 'SERVER_ERROR', 17, 'openai-compatible'],
    ['anthropic.403', 'FORBIDDEN', 15, 'anthropic'],
    ['gemini.400.key', 'AUTH_INVALID', 15, 'gemini'],
    ['azure.404.deployment', 'NOT_FOUND', 17, 'azure-openai'],
    ['envoy.reset.remote-refused', 'UPSTREAM_RESET_REPORTED', 17, 'openai-compatible'],
    ['envoy.reset.legacy', 'UPSTREAM_RESET_REPORTED', 17, 'openai-compatible'],
    ['envoy.timeout', 'GATEWAY_TIMEOUT', 17, 'openai-compatible'],
    ['cloudflare.521', 'BAD_GATEWAY', 17, 'generic'],
  ];
  it.each(cases)('%s -> %s (exit %i)', async (name, code, exit, provider) => {
    const srv = await startCanned(CANNED[name]);
    try {
      const run = await runCli([`${srv.url}/v1`, '--provider', provider, '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY, GEMINI_API_KEY: KEY, AZURE_OPENAI_API_KEY: KEY }) });
      expect(run.code).toBe(exit);
      expect(run.report!.rootCause).toBe(code);
      const d = run.report!.diagnoses[0]!;
      expect(d.remediation.length).toBeGreaterThan(0);
      expect(['local', 'network', 'forward-proxy', 'gateway', 'provider-edge', 'provider', 'unknown']).toContain(d.origin);
      expect(run.stdout).not.toContain(KEY);
    } finally {
      await srv.close();
    }
  });

  it('the key goes in each provider\'s own header', async () => {
    const srv = await startCanned({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[]}' });
    try {
      const env = cleanEnv({ ANTHROPIC_API_KEY: KEY, GEMINI_API_KEY: KEY, AZURE_OPENAI_API_KEY: KEY });
      await runCli([srv.url, '--provider', 'anthropic', '--json'], { env });
      expect(srv.requests.at(-1)).toMatchObject({ path: '/v1/models', headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' } });
      await runCli([srv.url, '--provider', 'gemini', '--json'], { env });
      expect(srv.requests.at(-1)).toMatchObject({ path: '/v1beta/models', headers: { 'x-goog-api-key': KEY } });
      await runCli([`${srv.url}/openai/deployments/gpt4o`, '--provider', 'azure-openai', '--json'], { env });
      expect(srv.requests.at(-1)).toMatchObject({ path: '/openai/models?api-version=2024-10-21', headers: { 'api-key': KEY } });
    } finally {
      await srv.close();
    }
  });

  it('a redirect is reported and not followed', async () => {
    const srv = await startCanned({ status: 302, headers: { location: 'http://127.0.0.2:1/elsewhere' }, body: '' });
    try {
      const run = await runCli([`${srv.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
      expect(run.report!.rootCause).toBe('HTTP_REDIRECT');
      expect(run.code).toBe(17);
      expect(srv.requests.length).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it('a server clock ten minutes off: CLOCK_SKEW warning, exit 0 (1 with --strict)', async () => {
    const api = await startOpenAiCompatible({ key: KEY, dateOffsetMs: -600_000 });
    try {
      const env = cleanEnv({ OPENAI_API_KEY: KEY });
      const run = await runCli([`${api.url}/v1`, '--provider', 'openai-compatible', '--json'], { env });
      expect(codesOf(run.report!)).toContain('CLOCK_SKEW');
      expect(run.code).toBe(0);
      expect(run.report!.verdict).toBe('degraded');
      const strict = await runCli([`${api.url}/v1`, '--provider', 'openai-compatible', '--json', '--strict'], { env });
      expect(strict.code).toBe(1);
    } finally {
      await api.close();
    }
  });
});

describe('the key over plain http', () => {
  it('is not sent to a host that is not loopback: KEY_NOT_SENT_INSECURE, exit 15; --allow-insecure-key sends it', async () => {
    const api = await startOpenAiCompatible({ key: KEY });
    try {
      const env = cleanEnv({ OPENAI_API_KEY: KEY });
      const args = [`http://llm.internal.test:${api.port}/v1`, '--resolve', `llm.internal.test:${api.port}:127.0.0.1`, '--provider', 'openai-compatible', '--json'];
      const run = await runCli(args, { env });
      expect(run.code).toBe(15);
      expect(run.report!.rootCause).toBe('KEY_NOT_SENT_INSECURE');
      expect(api.requests.at(-1)!.headers.authorization).toBeUndefined();
      expect(stageOf(run.report!, 'http').data).toMatchObject({ request: { keySent: false, keyWithheld: 'insecure' } });
      const allowed = await runCli([...args, '--allow-insecure-key'], { env });
      expect(allowed.code).toBe(0);
      expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      await api.close();
    }
  });
});
