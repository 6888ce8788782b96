/**
 * Issue 12, item 1: a key pasted into the wrong option is never printed, not even by commander's
 * own messages: one line that says so, exit 2.
 */
import { describe, expect, it } from 'vitest';
import { looksLikeKey } from '../../src/redact/key-shape.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const KEYS = {
  openai: 'sk-proj-Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6UjXq0Lp2Rs',
  anthropic: 'sk-ant-api03-Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6Uj-Xq0Lp2RsAA',
  gemini: 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
  azure: '0123456789abcdef0123456789abcdef',
  groq: 'gsk_Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6Uj',
  'high entropy, no known prefix': 'Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6Uj',
  'letters only, no digit': 'zgIKFcRYdfwCWhbkweCWdGHUOcFqPIzAzXSEmLtV',
};

describe('values that look like a key', () => {
  it.each(Object.entries(KEYS))('%s looks like a key', (_n, k) => expect(looksLikeKey(k)).toBe(true));
  it.each([
    'OPENAI_API_KEY',
    'gpt-4o-mini-2024-07-18',
    'claude-3-5-sonnet-20241022',
    'gemini-1.5-flash-002',
    'meta-llama/Llama-3.3-70B-Instruct',
    '/tmp/ud-redaction-AbC123xYz/env-openai-json-41234.key',
    'api.openai.com:443:127.0.0.1',
    'https://generativelanguage.googleapis.com/v1beta',
    '123e4567-e89b-12d3-a456-426614174000',
    'RESET_BEFORE_HEADERS',
    'http://user:pass@proxy.internal:3128',
    'ThisIsAVeryLongCamelCaseIdentifierName',
    'MyOrganizationProductionDeployment',
  ])('%s does not', (v) => expect(looksLikeKey(v)).toBe(false));
});

describe('the CLI never echoes a key-shaped option value', () => {
  const cases: [string, (k: string) => string[]][] = [
    ['--api-key-env "$KEY"', (k) => ['api.openai.com', '--api-key-env', k]],
    ['--api-key-file "$KEY"', (k) => ['api.openai.com', '--api-key-file', k]],
    ['--api-key=KEY (an unknown option)', (k) => ['api.openai.com', `--api-key=${k}`]],
    ['--api-key KEY (an unknown option)', (k) => ['api.openai.com', '--api-key', k]],
    ['--model=KEY', (k) => ['api.openai.com', `--model=${k}`]],
    ['the key as the target', (k) => [k]],
    ['the key as a second target', (k) => ['api.openai.com', k]],
    ['--timeout KEY', (k) => ['api.openai.com', '--timeout', k]],
  ];
  for (const [name, args] of cases) {
    it.each(Object.entries(KEYS))(`${name}: %s`, async (_n, key) => {
      const run = await runCli(args(key), { env: cleanEnv() });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('the value looks like an API key; it was not printed');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      for (let i = 0; i + 8 <= key.length; i++) expect(run.stderr + run.stdout).not.toContain(key.slice(i, i + 8));
    });
  }
});
