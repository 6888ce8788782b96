/**
 * Held-out scenarios with real nginx and HAProxy configured in ways the area's own tests do not
 * use: a connection closed without an answer (444), basic auth and deny rules of the proxy, a
 * custom error_page, limit_conn, a JSON 429 written by the proxy, HAProxy deny rules and its
 * queue timeout. The classifier must name the proxy, its owner and the right exit code.
 */
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, tempDir } from '../../fixtures/daemon.js';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import { startRawServer } from '../../fixtures/http-servers.js';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import type { Fixture } from '../../fixtures/types.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-hold-7c1d2e3f4a5b60718293a4b5c6d7e8f9';
const env = () => cleanEnv({ OPENAI_API_KEY: KEY });
const open: Fixture[] = [];
const dirs: string[] = [];
const held: Socket[] = [];
afterAll(async () => {
  for (const s of held) s.destroy();
  for (const f of open.reverse()) await f.close();
  for (const d of dirs) await removeDir(d);
});
async function track<T extends Fixture>(p: Promise<T>): Promise<T> {
  const f = await p;
  open.push(f);
  return f;
}
/** Hold one request open through a proxy (its upstream hangs), so the next one meets the limit. */
function holdRequest(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write('GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      setTimeout(resolve, 300);
    });
    s.on('error', reject);
    held.push(s);
  });
}
function noKeyLeak(out: string): void {
  expect(out).not.toContain(KEY);
  expect(out).not.toContain(KEY.slice(8, 20));
}

describe.skipIf(nginxPath() === undefined)('held-out: nginx configured differently', () => {
  it('return 444 (close without an answer): RESET_BEFORE_HEADERS by FIN, one retry failed too (no claim of consistency), exit 14', async () => {
    const ngx = await track(startNginx({ server: 'location / { return 444; }' }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json', '--allow-insecure-key'], { env: env() });
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'RESET_BEFORE_HEADERS', retry: 'yes', details: { how: 'fin', bytesRead: 0, fresh: true } });
    expect(d.evidence.join('\n')).toContain('one retry on another new connection failed the same way');
    expect((d.details as { bytesWritten: number }).bytesWritten).toBeGreaterThan(100);
    expect(stageOf(run.report!, 'http').data).toMatchObject({ attempts: 2 });
    noKeyLeak(run.stdout);
  });

  it('auth_basic in front of the API: AUTH_MISSING written by nginx (a login of its own), exit 15', async () => {
    const dir = await tempDir('htpasswd');
    dirs.push(dir);
    await writeFile(join(dir, 'htpasswd'), 'ops:$apr1$Jz0W7mWq$4jXx1wK9G9pQ3b3Lx0y2t/\n');
    const api = await track(startOpenAiCompatible({ key: KEY }));
    const ngx = await track(startNginx({ server: `location / { auth_basic "LLM gateway"; auth_basic_user_file ${dir}/htpasswd; proxy_pass http://127.0.0.1:${api.port}; }` }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json', '--allow-insecure-key'], { env: env() });
    expect(run.code).toBe(15);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'AUTH_MISSING', origin: 'gateway', details: { status: 401, intermediary: 'nginx' } });
    expect(d.evidence.join('\n')).toMatch(/Basic credentials/);
    expect(d.evidence.join('\n')).toMatch(/nginx itself answered the 401/);
    expect(api.requests).toHaveLength(0);
  });

  it('deny all: FORBIDDEN by nginx, owned by the gateway, the key not blamed, exit 15', async () => {
    const ngx = await track(startNginx({ server: 'location / { deny all; }' }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json', '--allow-insecure-key'], { env: env() });
    expect(run.code).toBe(15);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', details: { status: 403, intermediary: 'nginx' } });
    expect(d.evidence.join('\n')).not.toMatch(/key was accepted/);
    expect(await ngx.errorLog()).toMatch(/access forbidden by rule/);
  });

  it('a custom error_page for a dead upstream: BAD_GATEWAY by nginx, not an overloaded provider, exit 17', async () => {
    const dead = await freePort();
    const page = '<!doctype html><html><head><title>Assistant maintenance</title></head><body><h1>Back soon</h1></body></html>';
    const ngx = await track(
      startNginx({ server: `location / { proxy_pass http://127.0.0.1:${dead}; error_page 502 503 504 =503 /maint.html; } location = /maint.html { internal; default_type text/html; return 200 '${page}'; }` }),
    );
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv() });
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', details: { status: 503, intermediary: 'nginx' } });
    expect(await ngx.errorLog()).toMatch(/Connection refused/);
  });

  // Issue 11 item 3: nginx's own 503 page, at once, is its limit_conn/limit_req answer: a gateway
  // rate limit (exit 16) with the `limit_*_status 429` advice, no longer BAD_GATEWAY (exit 17).
  it('limit_conn rejects the second concurrent request: its 503 -> RATE_LIMITED by the gateway, with the limit hint', async () => {
    const hang = await track(startRawServer('hang'));
    const ngx = await track(
      startNginx({ http: 'limit_conn_zone $binary_remote_addr zone=perip:1m;', server: `location / { limit_conn perip 1; proxy_pass http://127.0.0.1:${hang.port}; proxy_read_timeout 30s; }` }),
    );
    await holdRequest(ngx.port);
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.code).toBe(16);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'RATE_LIMITED', owner: 'gateway', details: { status: 503, intermediary: 'nginx', rateLimit: 'gateway', limitedBy: 'nginx-limit' } });
    expect(d.evidence.join('\n')).toMatch(/limit_conn/);
    expect(d.remediation.map((r) => r.command ?? '').join('\n')).toMatch(/limit_conn_status 429/);
    expect(await ngx.errorLog()).toMatch(/limiting connections/);
  });

  it('a JSON 429 the proxy writes with Retry-After: RATE_LIMITED with retryAfterSeconds, exit 16', async () => {
    const ngx = await track(
      startNginx({ server: `location / { add_header Retry-After 30 always; default_type application/json; return 429 '{"error":{"message":"slow down","type":"rate_limit"}}'; }` }),
    );
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv() });
    expect(run.code).toBe(16);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'RATE_LIMITED', details: { status: 429, retryAfterSeconds: 30 } });
  });
});

describe.skipIf(haproxyPath() === undefined)('held-out: HAProxy configured differently', () => {
  it('http-request deny: FORBIDDEN written by haproxy, owned by the gateway, exit 15', async () => {
    const api = await track(startOpenAiCompatible({ key: KEY }));
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${api.port}`], backend: 'http-request deny' }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json', '--allow-insecure-key'], { env: env() });
    expect(run.code).toBe(15);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', details: { status: 403, intermediary: 'haproxy' } });
    expect(d.evidence.join('\n')).not.toMatch(/key was accepted/);
    expect(api.requests).toHaveLength(0);
    noKeyLeak(run.stdout);
  });

  it('http-request deny deny_status 429: RATE_LIMITED by haproxy, owned by the gateway, exit 16', async () => {
    const api = await track(startOpenAiCompatible({ key: KEY }));
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${api.port}`], backend: 'http-request deny deny_status 429' }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv() });
    expect(run.code).toBe(16);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', details: { intermediary: 'haproxy' } });
  });

  it('maxconn 1 with the slot taken and timeout queue 1s: its 503 -> BAD_GATEWAY with the queue hint, exit 17', async () => {
    const hang = await track(startRawServer('hang'));
    const hap = await track(startHaproxy({ servers: [`server api 127.0.0.1:${hang.port} maxconn 1`], defaults: 'timeout queue 1s' }));
    await holdRequest(hap.port);
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--json', '--timeout', '8s']);
    expect(run.code).toBe(17);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', details: { status: 503, intermediary: 'haproxy' } });
    expect(d.evidence.join('\n')).toMatch(/timeout queue/);
    // HAProxy logs a session when it closes, which can come just after the CLI has exited.
    const logged = /sQ|\/1\/0\/0|503/;
    for (const until = Date.now() + 3000; !logged.test(hap.output()) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(hap.output()).toMatch(logged);
  });
});
