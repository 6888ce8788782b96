/**
 * Issue 11 item 2: a refused streaming request (status >= 300) is judged by the http rules, the
 * same as the key check's answer; STREAM_NOT_SSE only for a 2xx that is not an event stream.
 * Real nginx where a gateway refuses (its body limit), script servers for the API's own refusals.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startScriptServer, type ScriptOptions } from '../../fixtures/sse-script.js';
import { startSseServer, type SseFixture } from '../../fixtures/sse-server.js';
import { nginxPath, startNginx, type NginxFixture } from '../../fixtures/nginx.js';
import type { Fixture } from '../../fixtures/types.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-proj-Rf4Tg7Yh2Jk9Lm3Nb6Vc8Xz1';
const started: Fixture[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function script(o: ScriptOptions) {
  const s = await startScriptServer(o);
  started.push(s);
  return s;
}
const diagnose = (url: string, extra: string[] = []) =>
  runCli([`${url}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', '6s', '--json', ...extra], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });

describe('a refused streaming request is read by the http rules', () => {
  it('a 400 with a plain-text body: HTTP_ERROR_STATUS (exit 17), not STREAM_NOT_SSE', async () => {
    const s = await script({ status: 400, headers: { 'Content-Type': 'text/plain' }, framing: 'length', steps: [{ send: 'stream=true is not supported by this backend\n' }] });
    const run = await diagnose(s.url);
    expect(run.report!.rootCause).toBe('HTTP_ERROR_STATUS');
    expect(run.code).toBe(17);
    const d = run.report!.diagnoses[0]!;
    expect(d.stage).toBe('stream');
    expect(d.evidence[0]).toMatch(/streaming request \(POST \/v1\/chat\/completions\) got HTTP 400 with text\/plain/);
    expect(run.report!.diagnoses.map((x) => x.code)).not.toContain('STREAM_NOT_SSE');
  });

  it('a 401 on the streaming request only (a gateway that guards the chat route): AUTH_INVALID, exit 15', async () => {
    const body = JSON.stringify({ error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } });
    const s = await script({ status: 401, headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer realm="chat"' }, framing: 'length', steps: [{ send: body }] });
    const run = await diagnose(s.url);
    expect(run.report!.rootCause).toBe('AUTH_INVALID');
    expect(run.code).toBe(15);
    expect(stageOf(run.report!, 'http').status).toBe('pass');
  });

  it('a 500 HTML page from an unnamed server: the http rules\' 5xx verdict, not STREAM_NOT_SSE', async () => {
    const s = await script({ status: 500, headers: { 'Content-Type': 'text/html' }, framing: 'length', steps: [{ send: '<html><head><title>Internal Server Error</title></head><body>oops</body></html>' }] });
    const run = await diagnose(s.url);
    expect(run.report!.rootCause).toBe('SERVER_ERROR');
    expect(run.code).toBe(17);
  });

  it('control: a 200 with a JSON completion (stream ignored) is still STREAM_NOT_SSE, exit 18', async () => {
    const body = JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] });
    const s = await script({ status: 200, headers: { 'Content-Type': 'application/json' }, framing: 'length', steps: [{ send: body }] });
    const run = await diagnose(s.url);
    expect(run.report!.rootCause).toBe('STREAM_NOT_SSE');
    expect(run.code).toBe(18);
  });
});

describe.skipIf(nginxPath() === undefined)('behind real nginx', () => {
  let up: SseFixture;
  const ngx: NginxFixture[] = [];
  afterAll(async () => {
    for (const n of ngx) await n.close();
    await up?.close();
  });

  it('nginx client_max_body_size smaller than the chat request: REQUEST_TOO_LARGE (exit 17), though the GET key check passed', async () => {
    up = await startSseServer({ mode: 'openai', periodMs: 20 });
    const n = await startNginx({ server: `client_max_body_size 16; location / { proxy_pass http://127.0.0.1:${up.port}; }` });
    ngx.push(n);
    const run = await diagnose(n.url.replace(/\/$/, ''));
    expect(run.report!.rootCause, JSON.stringify(run.report!.diagnoses.map((d) => [d.code, d.evidence]))).toBe('REQUEST_TOO_LARGE');
    expect(run.code).toBe(17);
    expect(stageOf(run.report!, 'http').status).toBe('pass');
    const d = run.report!.diagnoses[0]!;
    expect(d.stage).toBe('stream');
    expect(d.evidence.join('\n')).toMatch(/413/);
  });
});
