/**
 * Which header and query parameter names carry a credential (src/redact/secret-names.ts), and
 * which query parameters a target URL's key hides in (src/redact/url-key.ts).
 */
import { describe, expect, it } from 'vitest';
import { isSecretName } from '../../src/redact/secret-names.js';
import { urlKeys, withoutUrlKeys } from '../../src/redact/url-key.js';
import { urlWord } from '../../src/commands/params.js';
import type { Config } from '../../src/config.js';

describe('credential names', () => {
  it.each(['key', 'api_key', 'X-Custom-Auth', 'Ocp-Apim-Subscription-Key', 'subscription-key', 'X-Amz-Signature', 'X-Amz-Credential', 'private_token', 'client_secret', 'session.token', 'cf-aig-authorization', 'sig'])('%s is one', (n) =>
    expect(isSecretName(n)).toBe(true),
  );
  it.each(['api-version', 'alt', 'model', 'deployment', 'Keep-Alive', 'monkey', 'keyboard', 'X-Tokenizer', 'signal', 'OpenAI-Organization', 'stream'])('%s is not', (n) =>
    expect(isSecretName(n)).toBe(false),
  );
});

describe('keys in a query string', () => {
  const KEY = 'Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6Uj';
  it('by name, and by a key-shaped value under any name; api-version and the like stay', () => {
    const q = `api-version=2024-06-01&subscription-key=short&x=${KEY}&alt=json&deployment=gpt-4o-mini`;
    expect(urlKeys(q)).toEqual([
      { name: 'subscription-key', value: 'short' },
      { name: 'x', value: KEY },
    ]);
    expect(withoutUrlKeys(q)).toBe('api-version=2024-06-01&alt=json&deployment=gpt-4o-mini');
  });
  it('percent-encoded names and values are judged decoded', () => {
    expect(urlKeys(`X%2DAmz%2DSignature=abc&v=${encodeURIComponent(KEY)}`).map((k) => k.name)).toEqual(['X-Amz-Signature', 'v']);
    expect(withoutUrlKeys(`X%2DAmz%2DSignature=abc&v=${encodeURIComponent(KEY)}&a=1`)).toBe('a=1');
  });
});

describe('a URL as a shell word', () => {
  const config = { keySource: { kind: 'env', variable: 'GEMINI_API_KEY', explicit: false }, provider: 'gemini' } as unknown as Config;
  it('credential parameters become variables; the rest stays literal, a "$" in it included', () => {
    expect(urlWord(config, 'https://h.test/v1?key=AIzaSecret&alt=sse')).toBe('"https://h.test/v1?key=$GEMINI_API_KEY&alt=sse"');
    expect(urlWord(config, 'https://h.test/$x/v1?sig=abc&a=`b`')).toBe('"https://h.test/\\$x/v1?sig=$SIG&a=\\`b\\`"');
    expect(urlWord(config, "https://h.test/v1?alt=it's")).toBe("'https://h.test/v1?alt=it'\\''s'");
  });
});
