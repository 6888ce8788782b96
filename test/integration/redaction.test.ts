/**
 * The redaction audit: a server that echoes the key back (headers and body, whole and masked),
 * every output format, the key from a variable and from a file, and the key (or any 8 characters
 * of it) must appear nowhere: stdout, stderr, the --output file, the GitHub step summary.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoFixture } from '../../fixtures/echo-server.js';
import { FORMATS, type Format } from '../../src/config.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { encodings } from '../../fixtures/key-encodings.js';

const EXT: Record<Format, string> = { human: 'txt', json: 'json', md: 'md', junit: 'xml', openmetrics: 'prom', github: 'log' };

/** A fresh key per run: base62, so no fragment of it is an ordinary word. */
function makeKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `sk-${[...randomBytes(48)].map((b) => alphabet[b % 62]).join('')}`;
}

/** Every run of 8 characters of the key (the redactor's shortest fragment). */
function fragments(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= key.length; i++) out.push(key.slice(i, i + 8));
  return out;
}

function leaks(text: string, key: string): string[] {
  return fragments(key).filter((f) => text.includes(f));
}

let unauthorized: EchoFixture;
let accepted: EchoFixture;
let dir: string;

beforeAll(async () => {
  unauthorized = await startEchoServer({ status: 401 });
  accepted = await startEchoServer({ status: 200 });
  dir = mkdtempSync(join(tmpdir(), 'ud-redaction-'));
});
afterAll(async () => {
  await Promise.all([unauthorized?.close(), accepted?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

type KeyVia = 'env' | 'file';
const PROVIDERS = ['openai-compatible', 'anthropic', 'azure-openai', 'gemini'] as const;

describe.each(['env', 'file'] as KeyVia[])('key from %s', (via) => {
  describe.each(PROVIDERS)('provider %s', (provider) => {
    it.each([...FORMATS])('format %s: the key appears nowhere', async (format) => {
      const key = makeKey();
      for (const server of [unauthorized, accepted]) {
        const before = server.received().length;
        const tag = `${via}-${provider}-${format}-${server.port}`;
        const out = join(dir, `${tag}.${EXT[format]}`);
        const summary = join(dir, `${tag}.summary.md`);
        writeFileSync(summary, '');
        const keyArgs: string[] = [];
        const env = cleanEnv({ GITHUB_STEP_SUMMARY: summary, HTTPS_PROXY: undefined });
        if (via === 'env') {
          env.AUDIT_KEY = key;
          keyArgs.push('--api-key-env', 'AUDIT_KEY');
        } else {
          const keyFile = join(dir, `${tag}.key`);
          writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
          keyArgs.push('--api-key-file', keyFile);
        }
        const base = provider === 'azure-openai' ? `${server.url}/openai/deployments/d1?api-version=2024-10-21` : `${server.url}/v1`;
        const run = await runCli([base, '--provider', provider, ...keyArgs, '--format', format, '--output', out, '--stream', '--timeout', '5s'], { env });

        const places = { stdout: run.stdout, stderr: run.stderr, output: readFileSync(out, 'utf8'), summary: readFileSync(summary, 'utf8') };
        for (const [where, text] of Object.entries(places)) expect(leaks(text, key), `${where} of ${tag}`).toEqual([]);
        expect(run.stdout.length).toBeGreaterThan(0);
        if (format === 'github') expect(places.summary).toContain('upstream-doctor');
        // The ids the server sent reach the ticket, while the key it echoed does not.
        if (format === 'md') expect(places.stdout).toMatch(/### Request ids[\s\S]*`x-request-id` \| `req_echo_\d+`/);
        // The audit proves something only if the key really went out and came back.
        const sent = server.received().slice(before);
        expect(sent, `the ${tag} server never received the key`).toContain(key);
      }
    });
  });
});

/**
 * Issue 12, item 3: the key echoed in every other encoding a server plausibly uses (base64 and
 * base64url, percent-encoding, HTML entities, `\u` escapes, cut into chunks or across lines), in
 * every format. Nothing of the encoded form survives: no 12 characters of its middle, and no 8
 * characters of the key in plain.
 */
describe('echoes in other encodings', () => {
  const names = Object.keys(encodings('sk-x')).filter((n) => n !== 'plain');
  const servers: Record<string, EchoFixture> = {};
  beforeAll(async () => {
    for (const name of names) servers[name] = await startEchoServer({ status: 401, encoding: name });
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  function encodedLeaks(text: string, key: string): string[] {
    const out = leaks(text, key);
    for (const [name, form] of Object.entries(encodings(key))) {
      const middle = form.slice(8, -8);
      for (let i = 0; i + 12 <= middle.length; i++) if (text.includes(middle.slice(i, i + 12))) out.push(`${name}: ${middle.slice(i, i + 12)}`);
    }
    return out;
  }

  describe.each(names)('%s', (name) => {
    it.each([...FORMATS])('format %s', async (format) => {
      const key = makeKey();
      const server = servers[name]!;
      const out = join(dir, `enc-${name.replace(/\W+/g, '-')}-${format}.${EXT[format]}`);
      const env = cleanEnv({ AUDIT_KEY: key, HTTPS_PROXY: undefined });
      const run = await runCli([`${server.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'AUDIT_KEY', '--format', format, '--output', out, '--timeout', '5s'], { env });
      const places = { stdout: run.stdout, stderr: run.stderr, output: readFileSync(out, 'utf8') };
      for (const [where, text] of Object.entries(places)) expect(encodedLeaks(text, key), `${where} of ${name} ${format}`).toEqual([]);
      expect(server.received()).toContain(key);
      // The echo reached the report and was masked there (the audit is not vacuous).
      if (format === 'json') expect(JSON.stringify(run.report)).toContain('[REDACTED]');
    });
  });
});

/** Issue 12, item 6: scrubbing values, never JSON text, keeps every report valid JSON. */
describe('a key that reads like JSON, or an echo with escapes inside the key', () => {
  it.each(['true', 'false', 'null', '12345678', '200', 'error'])('key %s: valid JSON on stdout and in --output, no exit 3', async (key) => {
    const out = join(dir, `json-word-${key}.json`);
    const run = await runCli([`${accepted.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '--json', '--output', out, '--timeout', '5s'], { env: cleanEnv({ K: key }) });
    expect(run.code, run.stderr).not.toBe(3);
    expect(run.report, run.stdout.slice(0, 200)).toBeDefined();
    expect(() => JSON.parse(readFileSync(out, 'utf8'))).not.toThrow();
  });
  it.each(['json', 'md', 'junit'] as const)('a body with an escape before part of the key stays valid (%s)', async (format) => {
    const key = `sk-${makeKey().slice(3, 20)}n${makeKey().slice(3, 30)}`;
    const server = await startEchoServer({ status: 401, encoding: 'escape before part' });
    try {
      const out = join(dir, `backslash-${format}.${EXT[format]}`);
      const run = await runCli([`${server.url}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '--format', format, '--output', out, '--timeout', '5s'], { env: cleanEnv({ K: key }) });
      expect(run.code).not.toBe(3);
      expect(leaks(run.stdout + readFileSync(out, 'utf8'), key)).toEqual([]);
      if (format === 'json') expect(() => JSON.parse(run.stdout)).not.toThrow();
    } finally {
      await server.close();
    }
  });
});

/**
 * -v shows the streaming request's heads too (--stream): what went out (the provider's auth
 * header redacted) and what came back, on stderr; the key, whole or in part, is in neither.
 */
describe('-v --stream: the streaming request\'s heads, redacted', () => {
  for (const provider of PROVIDERS) {
    it(provider, async () => {
      const key = makeKey();
      const before = accepted.received().length;
      const base = provider === 'azure-openai' ? `${accepted.url}/openai/deployments/d1?api-version=2024-10-21` : `${accepted.url}/v1`;
      const run = await runCli([base, '--provider', provider, '--api-key-env', 'K', '--stream', '-v', '--timeout', '5s'], { env: cleanEnv({ K: key }) });
      expect(leaks(run.stdout + run.stderr, key)).toEqual([]);
      const stream = run.stderr.slice(run.stderr.indexOf('* stream: the streaming request'));
      expect(stream, run.stderr).toMatch(/^\* stream: the streaming request\n> POST \/\S* HTTP\/1\.1\n> host: 127\.0\.0\.1:\d+\n/);
      expect(stream).toMatch(/^> accept: text\/event-stream$/m);
      // The provider's credential header is in the head, as [REDACTED].
      expect(stream).toMatch(/^> (authorization|x-api-key|api-key|x-goog-api-key): \[REDACTED\]$/m);
      expect(stream).toMatch(/^< HTTP\/1\.1 200$/m);
      // The streaming request really carried the key (so its absence above proves something).
      expect(accepted.received().slice(before).filter((r) => r.includes(key)).length).toBeGreaterThanOrEqual(2);
    });
  }
});
