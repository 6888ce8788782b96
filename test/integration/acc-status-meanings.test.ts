/**
 * Issue 11 item 3: a status means the same in every stage and from every hop.
 * - Real nginx with limit_req (rate 1r/m, no burst): its default 503 page, at once -> RATE_LIMITED
 *   by the gateway with `limit_req_status 429` in the steps; a slow nginx-looking 503 stays BAD_GATEWAY.
 * - A 407 with no proxy configured: a transparent proxy wants credentials (PROXY_AUTH_REQUIRED, exit 13).
 * - OpenAI's 401 "insufficient permissions / Missing scopes": FORBIDDEN naming the scope, saying chat may still work.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startCanned } from '../../fixtures/http-api.js';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import type { Fixture } from '../../fixtures/types.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const KEY = 'sk-proj-Hj3Kl6Zx9Cv2Bn5Mq8Wr1Ty4';
const started: Fixture[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function track<T extends Fixture>(p: Promise<T>): Promise<T> {
  const f = await p;
  started.push(f);
  return f;
}
/** One plain request, to use up the limit_req allowance. */
function prime(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, path: '/v1/models' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end();
  });
}

const NGINX_503 = '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';

describe.skipIf(nginxPath() === undefined)('nginx limit_req (real nginx)', () => {
  it('the second request within the minute gets nginx\'s default 503: RATE_LIMITED by the gateway, exit 16, with limit_req_status 429', async () => {
    const api = await track(startCanned({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"object":"list","data":[]}' }));
    const ngx = await track(
      startNginx({ http: 'limit_req_zone $binary_remote_addr zone=api:1m rate=1r/m;', server: `location / { limit_req zone=api; proxy_pass http://127.0.0.1:${api.port}; }` }),
    );
    expect(await prime(ngx.port)).toBe(200);
    const run = await runCli([`${ngx.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv() });
    const d = run.report!.diagnoses[0]!;
    expect(d, JSON.stringify(run.report!.diagnoses.map((x) => [x.code, x.evidence]))).toMatchObject({ code: 'RATE_LIMITED', owner: 'gateway', retry: 'yes', details: { status: 503, rateLimit: 'gateway', limitedBy: 'nginx-limit' } });
    expect(d.origin).toBe('gateway');
    expect(d.remediation.map((r) => r.command ?? '').join('\n')).toMatch(/limit_req_status 429/);
    expect(run.code).toBe(16);
    expect(await ngx.errorLog()).toMatch(/limiting requests/);
  });

  it('control: nginx proxying an upstream that is down answers 502, still BAD_GATEWAY', async () => {
    const ngx = await track(startNginx({ server: 'location / { proxy_pass http://127.0.0.1:9; }' }));
    const run = await runCli([`${ngx.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('BAD_GATEWAY');
  });
});

describe('statuses read the same from any hop', () => {
  it('an nginx 503 page that took 1.5 s is not a limit_req rejection: BAD_GATEWAY with the limit hint', async () => {
    const s = await track(startCanned({ status: 503, headers: { 'content-type': 'text/html', server: 'nginx/1.22.1' }, body: NGINX_503 }, { delayMs: 1500 }));
    const run = await runCli([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv() });
    expect(run.report!.rootCause).toBe('BAD_GATEWAY');
    expect(run.code).toBe(17);
  });

  it('a 407 although no proxy is configured: a transparent proxy wants credentials: PROXY_AUTH_REQUIRED, exit 13', async () => {
    const page = '<html><head><title>Proxy Authentication Required</title></head><body>Please log in to the corporate gateway.</body></html>';
    const s = await track(startCanned({ status: 407, headers: { 'content-type': 'text/html', 'proxy-authenticate': 'Negotiate, Basic realm="CORP"' }, body: page }));
    const run = await runCli([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--no-proxy', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'PROXY_AUTH_REQUIRED', origin: 'forward-proxy', owner: 'network', details: { transparent: true, proxyAuthenticate: 'Negotiate, Basic realm="CORP"' } });
    expect(d.evidence.join('\n')).toMatch(/transparent \(intercepting\) proxy/);
    expect(run.code).toBe(13);
  });

  it('OpenAI\'s 401 "insufficient permissions / Missing scopes": FORBIDDEN naming the scope, saying chat may still work, exit 15', async () => {
    const body = JSON.stringify({
      error: {
        message:
          "You have insufficient permissions for this operation. Missing scopes: api.model.read. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    const s = await track(startCanned({ status: 401, headers: { 'content-type': 'application/json', 'x-request-id': 'req_scope1' }, body }));
    const run = await runCli([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'FORBIDDEN', owner: 'you', retry: 'no', details: { forbiddenBy: 'scope', missingScopes: ['api.model.read'] } });
    expect(d.evidence.join('\n')).toMatch(/lacks the scope api\.model\.read/);
    expect(d.evidence.join('\n')).toMatch(/chat requests/);
    expect(d.remediation.map((r) => r.text).join('\n')).toMatch(/restricted key/);
    expect(run.report!.diagnoses.map((x) => x.code)).not.toContain('AUTH_INVALID');
    expect(run.code).toBe(15);
  });
});
