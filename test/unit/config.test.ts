import { describe, expect, it } from 'vitest';
import { buildConfig, inferProvider, parseDuration, parseResolvePin, parseResolver, pinFor } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['2s', 2000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['1m', 60000],
    ['3', 3000],
    [' 10s ', 10000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'fast', '-1s', '0s', '0', '2h', '1e3', '5 s', '61m'])('%j is a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

describe('inferProvider', () => {
  it.each([
    ['api.openai.com', 'openai'],
    ['api.anthropic.com', 'anthropic'],
    ['myres.openai.azure.com', 'azure-openai'],
    ['generativelanguage.googleapis.com', 'gemini'],
    ['localhost', 'generic'],
    ['openai.com', 'generic'],
    ['evil-api.openai.com.attacker.net', 'generic'],
  ])('%s -> %s', (host, p) => expect(inferProvider(host)).toBe(p));
});

describe('resolver and resolve pins', () => {
  it('parses resolvers with and without port', () => {
    expect(parseResolver('1.1.1.1')).toEqual({ address: '1.1.1.1', port: 53 });
    expect(parseResolver('127.0.0.1:5353')).toEqual({ address: '127.0.0.1', port: 5353 });
    expect(parseResolver('[::1]:53')).toEqual({ address: '::1', port: 53 });
    expect(parseResolver('::1')).toEqual({ address: '::1', port: 53 });
  });
  it.each(['dns.google', '1.1.1.1:99999', ''])('resolver %j is a usage error', (t) => expect(() => parseResolver(t)).toThrow(UsageError));

  it('parses curl-style pins', () => {
    expect(parseResolvePin('api.openai.com:443:127.0.0.1')).toEqual({ host: 'api.openai.com', port: 443, addresses: ['127.0.0.1'] });
    expect(parseResolvePin('x:8443:[::1],127.0.0.2')).toEqual({ host: 'x', port: 8443, addresses: ['::1', '127.0.0.2'] });
  });
  it.each(['api.openai.com:443', 'api.openai.com:443:nope', 'x:0:127.0.0.1', ':443:127.0.0.1'])('pin %j is a usage error', (t) =>
    expect(() => parseResolvePin(t)).toThrow(UsageError),
  );
  it('matches exact host before *', () => {
    const pins = [parseResolvePin('*:443:127.0.0.9'), parseResolvePin('a.com:443:127.0.0.1')];
    expect(pinFor(pins, 'a.com', 443)?.addresses).toEqual(['127.0.0.1']);
    expect(pinFor(pins, 'b.com', 443)?.addresses).toEqual(['127.0.0.9']);
    expect(pinFor(pins, 'a.com', 8443)).toBeUndefined();
  });
});

describe('buildConfig', () => {
  it('defaults', () => {
    const c = buildConfig('api.openai.com', {});
    expect(c).toMatchObject({
      provider: 'openai',
      providerExplicit: false,
      keySource: { kind: 'env', variable: 'OPENAI_API_KEY', explicit: false },
      timeoutMs: 10000,
      format: 'human',
      strict: false,
      noProxy: false,
    });
  });
  it('generic targets have no default key variable', () => {
    expect(buildConfig('localhost:8080', {}).keySource).toEqual({ kind: 'none' });
  });
  it('provider default key variables', () => {
    expect(buildConfig('api.anthropic.com', {}).keySource).toMatchObject({ variable: 'ANTHROPIC_API_KEY' });
    expect(buildConfig('r.openai.azure.com', {}).keySource).toMatchObject({ variable: 'AZURE_OPENAI_API_KEY' });
    expect(buildConfig('generativelanguage.googleapis.com', {}).keySource).toMatchObject({ variable: 'GEMINI_API_KEY' });
    expect(buildConfig('localhost', { provider: 'openai-compatible' }).keySource).toMatchObject({ variable: 'OPENAI_API_KEY' });
  });
  it('key sources', () => {
    expect(buildConfig('x.com', { apiKeyEnv: 'MY_KEY' }).keySource).toEqual({ kind: 'env', variable: 'MY_KEY', explicit: true });
    expect(buildConfig('x.com', { apiKeyFile: '/run/key' }).keySource).toEqual({ kind: 'file', path: '/run/key' });
    expect(buildConfig('x.com', { apiKeyFile: '-' }).keySource).toEqual({ kind: 'stdin' });
  });
  it('--json is --format json; output format from extension unless a format was given', () => {
    expect(buildConfig('x.com', { json: true }).format).toBe('json');
    expect(buildConfig('x.com', { output: 'r.md' }).outputFormat).toBe('md');
    expect(buildConfig('x.com', { output: 'r.xml' }).outputFormat).toBe('junit');
    expect(buildConfig('x.com', { output: 'r.prom' }).outputFormat).toBe('openmetrics');
    expect(buildConfig('x.com', { output: 'r.json' }).outputFormat).toBe('json');
    expect(buildConfig('x.com', { output: 'r.md', format: 'json' }).outputFormat).toBe('json');
  });
  it('--no-proxy and --proxy', () => {
    expect(buildConfig('x.com', { proxy: false }).noProxy).toBe(true);
    expect(buildConfig('x.com', { proxy: 'http://p:3128' }).proxy).toBe('http://p:3128');
  });
  it.each([
    [undefined, {}, /missing target/],
    ['x.com', { provider: 'bogus' }, /--provider/],
    ['x.com', { apiKeyEnv: 'sk-abc123' }, /not a variable name/],
    ['x.com', { apiKeyEnv: 'A', apiKeyFile: 'f' }, /choose one/],
    ['x.com', { format: 'xml' }, /--format/],
    ['x.com', { json: true, format: 'md' }, /disagree/],
    ['x.com', { timeout: 'soon' }, /--timeout/],
    ['x.com', { resolver: ['nope'] }, /--resolver/],
    ['x.com', { resolve: ['nope'] }, /--resolve/],
  ] as const)('%j %j is a usage error', (target, raw, msg) => {
    expect(() => buildConfig(target, raw as never)).toThrow(msg);
  });
});
