/**
 * Issue 12, item 2: a key in the target URL (`?key=`, `api-key`, `access_token`, `sig`) is the key:
 * never shown (target.input, the request path, every format), not sent over plain http that leaves
 * this machine (KEY_NOT_SENT_INSECURE), and KEY_IN_URL recommends the header form.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoFixture } from '../../fixtures/echo-server.js';
import { FORMATS } from '../../src/config.js';
import { cleanEnv, codesOf, runCli } from '../helpers/cli.js';

const KEY = 'AIzaSyQ7rT2vX9bN4mK8pL1wE6sD3fG5hJ0cV2';
let server: EchoFixture;
let dir: string;
beforeAll(async () => {
  server = await startEchoServer({ status: 401 });
  dir = mkdtempSync(join(tmpdir(), 'ud-urlkey-'));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function leaks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= KEY.length; i++) if (text.includes(KEY.slice(i, i + 8))) out.push(KEY.slice(i, i + 8));
  return out;
}

describe('a key in the target URL', () => {
  // The last four are held out of the names the code lists: API managers' and presigned URLs' own
  // names (caught by their credential word), and a key-shaped value under a name that says nothing.
  it.each(['key', 'api-key', 'access_token', 'sig', 'subscription-key', 'X-Amz-Signature', 'private_token', 'q'])('?%s= over plain http to a name that is not this machine: withheld, never shown', async (param) => {
    const before = server.received().length;
    const target = `http://llm.example.test:${server.port}/v1beta?${param}=${KEY}&alt=json`;
    const out = join(dir, `${param}.json`);
    const run = await runCli([target, '--provider', 'gemini', '--resolve', `llm.example.test:${server.port}:127.0.0.1`, '--json', '--output', out, '--timeout', '3s'], { env: cleanEnv() });
    expect(leaks(run.stdout + run.stderr + readFileSync(out, 'utf8'))).toEqual([]);
    const report = run.report!;
    expect(report.target.input).toBe(`http://llm.example.test:${server.port}/v1beta?${param}=[REDACTED]&alt=json`);
    expect(codesOf(report)).toEqual(expect.arrayContaining(['KEY_NOT_SENT_INSECURE', 'KEY_IN_URL']));
    const http = report.stages.find((s) => s.id === 'http')!.data as { request: { path: string } };
    expect(http.request.path).not.toContain(`${param}=`);
    // The server never saw it.
    expect(server.received().slice(before)).not.toContain(KEY);
    const inUrl = report.diagnoses.find((d) => d.code === 'KEY_IN_URL')!;
    expect(inUrl.remediation[0]!.command).toContain('-H "x-goog-api-key: $GEMINI_API_KEY"');
  });

  it.each([...FORMATS])('to this machine it is sent, and %s never shows it', async (format) => {
    const before = server.received().length;
    const target = `http://127.0.0.1:${server.port}/v1beta?key=${KEY}`;
    const run = await runCli([target, '--provider', 'gemini', '--format', format, '--timeout', '3s'], { env: cleanEnv() });
    expect(server.received().slice(before)).toContain(KEY);
    expect(leaks(run.stdout + run.stderr)).toEqual([]);
    expect(run.stdout).toContain('KEY_IN_URL');
  });

  it('a usage error quoting the target does not show it', async () => {
    const run = await runCli([`ftp://x.example/?key=${KEY}`], { env: cleanEnv() });
    expect(run.code).toBe(2);
    expect(leaks(run.stderr)).toEqual([]);
  });
});
