/**
 * Second held-out run, classes 2 and 3 (refused streaming requests; a status means the same from
 * every hop), on the merged code: a 404 for an unknown model and a 429 with Retry-After on the
 * stream only; nginx's 502 page on the stream only; nginx's limit_conn 503; HAProxy's own 503 page
 * and an empty 503 of HAProxy's `http-request return`; tinyproxy asking for credentials while no
 * proxy is configured; missing-scope wordings other than OpenAI's first one.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startCanned, startOpenAiCompatible } from '../../fixtures/http-api.js';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { startScriptServer } from '../../fixtures/sse-script.js';
import { startTinyproxy, tinyproxyUnavailable } from '../../fixtures/tinyproxy.js';
import type { Fixture } from '../../fixtures/types.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-proj-Rf4Tg7Yh2Jk9Lm3Nb6Vc8Xz1';
const started: Fixture[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function keep<T extends Fixture>(p: Promise<T>): Promise<T> {
  const f = await p;
  started.push(f);
  return f;
}
const base = (u: string) => `${u.replace(/\/$/, '')}/v1`;
const run = (url: string, extra: string[] = []) =>
  runCli([base(url), '--provider', 'openai-compatible', '--timeout', '6s', '--json', ...extra], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
const first = (r: Report) => r.diagnoses[0]!;
const text = (r: Report) => r.diagnoses.map((d) => d.evidence.join('\n')).join('\n');

describe('a refused streaming request is judged by the http rules', () => {
  it('404 for an unknown model on the streaming request only: NOT_FOUND (model), exit 17, not STREAM_NOT_SSE', async () => {
    const body = JSON.stringify({ error: { message: 'The model `gpt-9` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' } });
    const s = await keep(startScriptServer({ status: 404, headers: { 'Content-Type': 'application/json' }, framing: 'length', steps: [{ send: body }] }));
    const r = await run(s.url, ['--stream', '--model', 'gpt-9']);
    expect(r.report!.rootCause).toBe('NOT_FOUND');
    expect(first(r.report!).details.notFound).toBe('model');
    expect(stageOf(r.report!, 'http').status).toBe('pass');
    expect(codesOf(r.report!)).not.toContain('STREAM_NOT_SSE');
    expect(r.code).toBe(17);
  });

  it('429 with Retry-After on the streaming request (chunked JSON): RATE_LIMITED, retry yes, the wait named, exit 16', async () => {
    const body = JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } });
    const s = await keep(startScriptServer({ status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '20' }, steps: [{ send: body }, { end: true }] }));
    const r = await run(s.url, ['--stream']);
    expect(first(r.report!)).toMatchObject({ code: 'RATE_LIMITED', retry: 'yes', stage: 'stream' });
    expect(text(r.report!)).toMatch(/retry after 20 s/);
    expect(r.code).toBe(16);
  });

  it.skipIf(nginxPath() === undefined)('nginx\'s 502 page on the chat route only (its upstream down): BAD_GATEWAY by the gateway, not STREAM_NOT_SSE', async () => {
    const api = await keep(startOpenAiCompatible({}));
    const n = await keep(startNginx({ server: `location = /v1/chat/completions { proxy_pass http://127.0.0.1:9; }\n location / { proxy_pass http://127.0.0.1:${api.port}; }` }));
    const r = await run(n.url, ['--stream']);
    expect(first(r.report!)).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', stage: 'stream' });
    expect(codesOf(r.report!)).not.toContain('STREAM_NOT_SSE');
    expect(r.code).toBe(17);
  });

  it.skipIf(haproxyPath() === undefined)('an empty 503 of HAProxy (http-request return) on a loopback gateway: no one signed it, so it is not the provider\'s to fix', async () => {
    const api = await keep(startOpenAiCompatible({}));
    const h = await keep(startHaproxy({ servers: [`server s1 127.0.0.1:${api.port}`], backend: 'http-request return status 503 if { path /v1/chat/completions }' }));
    const r = await run(h.url, ['--stream']);
    const d = first(r.report!);
    expect(d.stage).toBe('stream');
    expect(d.owner).not.toBe('provider');
    expect(codesOf(r.report!)).not.toContain('STREAM_NOT_SSE');
  });
});

describe('statuses from every hop', () => {
  it.skipIf(nginxPath() === undefined)('nginx limit_conn (another connection held open): its 503 page is a gateway limit: RATE_LIMITED, limit_conn_status 429 in the steps', async () => {
    const hang = await keep(startScriptServer({ status: 200, headers: { 'Content-Type': 'text/event-stream' }, steps: [{ send: ': held\n\n' }, { sleep: 15000 }] }));
    const api = await keep(startOpenAiCompatible({}));
    const n = await keep(
      startNginx({ http: 'limit_conn_zone $binary_remote_addr zone=c:1m;', server: `limit_conn c 1;\n location = /hold { proxy_buffering off; proxy_pass http://127.0.0.1:${hang.port}/x; }\n location / { proxy_pass http://127.0.0.1:${api.port}; }` }),
    );
    const held = request({ host: '127.0.0.1', port: n.port, path: '/hold', method: 'POST' });
    held.on('error', () => undefined);
    // The held request counts once nginx answers its headers.
    await new Promise<void>((resolve) => {
      held.on('response', () => resolve());
      held.end('{}');
    });
    try {
      const r = await run(n.url);
      expect(first(r.report!)).toMatchObject({ code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', details: { status: 503, limitedBy: 'nginx-limit' } });
      expect(first(r.report!).remediation.map((x) => x.command ?? '').join('\n')).toContain('limit_conn_status 429');
      expect(await n.errorLog()).toMatch(/limiting connections/);
      expect(r.code).toBe(16);
    } finally {
      held.destroy();
    }
  });

  it.skipIf(haproxyPath() === undefined)('HAProxy\'s own 503 page (no server up): BAD_GATEWAY owned by the gateway, not a rate limit', async () => {
    const h = await keep(startHaproxy({ servers: [] }));
    const r = await run(h.url);
    expect(first(r.report!)).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway' });
    expect(codesOf(r.report!)).not.toContain('RATE_LIMITED');
  });

  it.skipIf(tinyproxyUnavailable() !== undefined)('tinyproxy with BasicAuth answers the target itself, no proxy configured: a transparent proxy wants credentials, exit 13', async () => {
    const t = await keep(startTinyproxy('auth'));
    const r = await run(t.url, ['--no-proxy']);
    expect(first(r.report!)).toMatchObject({ code: 'PROXY_AUTH_REQUIRED', origin: 'forward-proxy', owner: 'network', details: { transparent: true, schemes: ['Basic'] } });
    expect(r.code).toBe(13);
  });

  it('401 "missing the required scope(s)" with code missing_scope: FORBIDDEN naming the scope, not "no key arrived"', async () => {
    const body = JSON.stringify({ error: { message: 'The API key is missing the required scope(s): api.responses.write', type: 'invalid_request_error', param: null, code: 'missing_scope' } });
    const s = await keep(startCanned({ status: 401, headers: { 'content-type': 'application/json' }, body }));
    const r = await run(s.url);
    expect(first(r.report!)).toMatchObject({ code: 'FORBIDDEN', owner: 'you', details: { forbiddenBy: 'scope', missingScopes: ['api.responses.write'] } });
    expect(codesOf(r.report!)).not.toContain('AUTH_MISSING');
    expect(r.code).toBe(15);
  });

  it('403 with RFC 6750 insufficient_scope in WWW-Authenticate, the body silent: FORBIDDEN naming the scope from the header', async () => {
    const s = await keep(startCanned({ status: 403, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="llm", error="insufficient_scope", scope="models:read"' }, body: '{"error":"forbidden"}' }));
    const r = await run(s.url);
    expect(first(r.report!)).toMatchObject({ code: 'FORBIDDEN', details: { forbiddenBy: 'scope', missingScopes: ['models:read'] } });
  });

  it('the chat scope itself missing, on the streaming request: FORBIDDEN, and no claim that chat may still work', async () => {
    const body = JSON.stringify({ error: { message: 'You have insufficient permissions for this operation. Missing scopes: model.request. Check that you have the correct role in your organization.', type: 'invalid_request_error', param: null, code: null } });
    const s = await keep(startScriptServer({ status: 403, headers: { 'Content-Type': 'application/json' }, framing: 'length', steps: [{ send: body }] }));
    const r = await run(s.url, ['--stream']);
    expect(first(r.report!)).toMatchObject({ code: 'FORBIDDEN', stage: 'stream', details: { missingScopes: ['model.request'] } });
    expect(text(r.report!)).not.toMatch(/may still be allowed to make chat/);
    expect(r.code).toBe(15);
  });
});
