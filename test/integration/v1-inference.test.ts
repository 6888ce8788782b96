/**
 * A target whose path ends in /v1 and no --provider: the OpenAI wire format (GET /v1/models), not
 * a generic GET /v1 that 404s and blames the base URL. Without a key, the run says how to give one;
 * the named hosts keep the contract's inference.
 */
import { describe, expect, it } from 'vitest';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import { buildConfig, inferProvider } from '../../src/config.js';
import { noKeyFinding } from '../../src/diagnose/key/no-key.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';

const keep = closeAfterAll();
const KEY = 'sk-v1-Hq3ZpW8mLx2RtN6yVb4Kc';

describe('inferProvider with a base path', () => {
  it.each([
    ['127.0.0.1', '/v1', 'openai-compatible'],
    ['localhost', '/api/v1', 'openai-compatible'],
    ['llm.internal', '/openai/v1', 'openai-compatible'],
    ['gw.example', '/V1', 'openai-compatible'],
    ['127.0.0.1', '', 'generic'],
    ['127.0.0.1', '/v1beta', 'generic'],
    ['127.0.0.1', '/v2', 'generic'],
    ['127.0.0.1', '/v1/chat', 'generic'],
    ['127.0.0.1', '/apiv1', 'generic'],
    // The named hosts keep their provider whatever the path.
    ['api.openai.com', '/v1', 'openai'],
    ['api.anthropic.com', '/v1', 'anthropic'],
    ['generativelanguage.googleapis.com', '/v1', 'gemini'],
    ['myres.openai.azure.com', '/openai/v1', 'azure-openai'],
  ])('%s %s -> %s', (host, path, p) => expect(inferProvider(host, path)).toBe(p));

  it('buildConfig infers from the target URL (trailing slash too), and an explicit --provider wins', () => {
    expect(buildConfig('http://127.0.0.1:8080/v1/', {}).provider).toBe('openai-compatible');
    expect(buildConfig('http://127.0.0.1:8080/v1', {}).keySource).toEqual({ kind: 'env', variable: 'OPENAI_API_KEY', explicit: false });
    expect(buildConfig('http://127.0.0.1:8080/v1', { provider: 'generic' }).provider).toBe('generic');
  });
});

describe('noKeyFinding', () => {
  const base = { provider: 'openai-compatible' as const, keySource: { kind: 'env' as const, variable: 'OPENAI_API_KEY', explicit: false }, keyLoaded: false, ok: true, codes: [] };
  it('fires for an OpenAI-compatible success without a key, naming the variable', () => {
    expect(noKeyFinding(base)).toMatchObject({ code: 'KEY_NOT_GIVEN', severity: 'info', params: { variable: 'OPENAI_API_KEY' } });
  });
  it.each([
    ['a key was loaded', { keyLoaded: true }],
    ['another provider', { provider: 'generic' as const }],
    ['no success', { ok: false }],
    ['a 401 already says it', { ok: true, codes: ['AUTH_MISSING'] }],
    ['the key was held back on purpose', { codes: ['KEY_NOT_SENT_INSECURE'] }],
  ])('not when %s', (_why, over) => expect(noKeyFinding({ ...base, ...over })).toBeUndefined());
});

describe('http://127.0.0.1:PORT/v1 with no --provider', () => {
  it('an open server: GET /v1/models passes, KEY_NOT_GIVEN (info) says how to add a key, exit 0', async () => {
    const api = await keep(startOpenAiCompatible());
    const run = await runCli([`http://127.0.0.1:${api.port}/v1`, '--json'], { env: cleanEnv() });
    const r = run.report!;
    expect(r.target.provider).toBe('openai-compatible');
    expect(api.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v1/models']);
    expect(stageOf(r, 'http').status).toBe('pass');
    expect(codesOf(r)).toEqual(['KEY_NOT_GIVEN']);
    const d = r.diagnoses[0]!;
    expect(d.severity).toBe('info');
    expect(d.remediation.map((s) => s.command ?? '').join('\n')).toContain(`read -rs OPENAI_API_KEY && export OPENAI_API_KEY && diagnose http://127.0.0.1:${api.port}/v1`);
    expect(run.code).toBe(0);
    // Information is not a warning: --strict still exits 0.
    expect((await runCli([`http://127.0.0.1:${api.port}/v1`, '--json', '--strict'], { env: cleanEnv() })).code).toBe(0);
  });

  it('a server that wants a key, none given: AUTH_MISSING (exit 15) with the steps to give one; no KEY_NOT_GIVEN beside it', async () => {
    const api = await keep(startOpenAiCompatible({ key: KEY }));
    const run = await runCli([`http://127.0.0.1:${api.port}/v1`, '--json'], { env: cleanEnv() });
    expect(codesOf(run.report!)).toEqual(['AUTH_MISSING']);
    expect(run.report!.diagnoses[0]!.remediation[0]!.command).toMatch(/read -rs OPENAI_API_KEY && export OPENAI_API_KEY && diagnose http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(run.code).toBe(15);
  });

  it('with the key in OPENAI_API_KEY: sent as Bearer, nothing diagnosed, exit 0', async () => {
    const api = await keep(startOpenAiCompatible({ key: KEY }));
    const run = await runCli([`http://127.0.0.1:${api.port}/v1`, '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(codesOf(run.report!)).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('a target without /v1 stays generic: GET / as given', async () => {
    const api = await keep(startOpenAiCompatible());
    const run = await runCli([`http://127.0.0.1:${api.port}/`, '--json'], { env: cleanEnv() });
    expect(run.report!.target.provider).toBe('generic');
    expect(api.requests.map((q) => q.path)).toEqual(['/']);
  });
});
