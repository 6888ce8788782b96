import { describe, expect, it } from 'vitest';
import { profileFor, providerContext, requestHeaders } from '../../src/providers/index.js';
import { parseAnyError } from '../../src/providers/errors.js';
import { azureParts } from '../../src/providers/azure-openai.js';
import { CANNED } from '../../fixtures/http-bodies.js';
import { PROVIDERS } from '../../src/config.js';

const ctx = (basePath: string, query = '', model?: string) => ({ basePath, query, host: 'h', ...(model ? { model } : {}) });

describe('provider profiles', () => {
  it('every provider has a profile with the fields the stream stage uses', () => {
    for (const name of PROVIDERS) {
      const p = profileFor(name);
      expect(p.name).toBe(name);
      expect(typeof p.streamRequest(ctx('')).path).toBe('string');
      expect(p.streamTerminator).toBeTypeOf('object');
      expect(Array.isArray(p.requestIdHeaders)).toBe(true);
    }
  });

  it.each([
    ['openai', '', '/v1/models'],
    ['openai', '/v1', '/v1/models'],
    ['openai-compatible', '/api/v1', '/api/v1/models'],
    ['anthropic', '', '/v1/models'],
    ['anthropic', '/v1', '/v1/models'],
    ['gemini', '', '/v1beta/models'],
    ['azure-openai', '/openai/deployments/gpt4o', '/openai/models?api-version=2024-10-21'],
    ['azure-openai', '', '/openai/models?api-version=2024-10-21'],
    ['generic', '', '/'],
    ['generic', '/health', '/health'],
  ] as const)('%s key check at base %j is %s', (name, base, path) => {
    expect(profileFor(name).keyCheck(ctx(base)).path).toBe(path);
  });

  it('keeps an api-version the target gave', () => {
    expect(profileFor('azure-openai').keyCheck(ctx('', 'api-version=2025-01-01')).path).toBe('/openai/models?api-version=2025-01-01');
  });

  it('streaming requests: paths, models and terminators', () => {
    expect(profileFor('openai').streamRequest(ctx('/v1')).path).toBe('/v1/chat/completions');
    expect(profileFor('openai').streamRequest(ctx('/v1', '', 'gpt-x')).body).toMatchObject({ model: 'gpt-x', stream: true });
    expect(profileFor('anthropic').streamRequest(ctx('')).path).toBe('/v1/messages');
    expect(profileFor('anthropic').streamTerminator).toEqual({ event: 'message_stop' });
    expect(profileFor('gemini').streamRequest(ctx('', '', 'gemini-x')).path).toBe('/v1beta/models/gemini-x:streamGenerateContent?alt=sse');
    expect(profileFor('azure-openai').streamRequest(ctx('/openai/deployments/gpt4o')).path).toBe('/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21');
    expect(azureParts('/openai/deployments/my%20dep/chat/completions')).toEqual({ root: '/openai', deployment: 'my dep' });
  });

  it('each profile puts the key in its own header; generic never sends one', () => {
    expect(requestHeaders(profileFor('openai'), 'k')).toEqual({ authorization: 'Bearer k' });
    expect(requestHeaders(profileFor('anthropic'), 'k')).toEqual({ 'anthropic-version': '2023-06-01', 'x-api-key': 'k' });
    expect(requestHeaders(profileFor('azure-openai'), 'k')).toEqual({ 'api-key': 'k' });
    expect(requestHeaders(profileFor('gemini'), 'k')).toEqual({ 'x-goog-api-key': 'k' });
    expect(requestHeaders(profileFor('generic'), 'k')).toEqual({});
    expect(providerContext({ basePath: '/v1', query: '', host: 'x' })).toEqual({ basePath: '/v1', query: '', host: 'x' });
  });
});

describe('parseAnyError reads every family of error body', () => {
  it.each([
    ['openai.401.invalid', { code: 'invalid_api_key', type: 'invalid_request_error' }],
    ['anthropic.529', { type: 'overloaded_error', message: 'Overloaded' }],
    ['azure.404.deployment', { code: 'DeploymentNotFound' }],
    ['azure.401.missing', { code: '401' }],
    ['gemini.400.key', { code: 'API_KEY_INVALID', type: 'INVALID_ARGUMENT' }],
    ['vllm.404.model', { type: 'NotFoundError' }],
  ] as const)('%s', (name, expected) => {
    expect(parseAnyError(CANNED[name].body)).toMatchObject(expected);
  });
  it('reads Google quota ids and retry delays', () => {
    const e = parseAnyError(CANNED['gemini.429.minute'].body)!;
    expect(e.hints).toContain('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
    expect(e.retryDelaySeconds).toBe(33);
  });
  it('Ollama strings, FastAPI detail, arrays, and non-JSON', () => {
    expect(parseAnyError('{"error":"model \'x\' not found"}')).toEqual({ message: "model 'x' not found" });
    expect(parseAnyError('{"detail":"Not Found"}')).toEqual({ message: 'Not Found' });
    expect(parseAnyError('[{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"m"}}]')).toMatchObject({ type: 'RESOURCE_EXHAUSTED' });
    expect(parseAnyError('<html>nope</html>')).toBeUndefined();
    expect(parseAnyError('{"broken":')).toBeUndefined();
    expect(parseAnyError('null')).toBeUndefined();
  });
});
