/** Real nginx in front of fixture upstreams: the classifier meets its real pages, headers and timeouts. */
import { describe, expect, it } from 'vitest';
import { freePort } from '../../fixtures/daemon.js';
import { startCanned, startOpenAiCompatible } from '../../fixtures/http-api.js';
import { CANNED } from '../../fixtures/http-bodies.js';
import { startRawServer } from '../../fixtures/http-servers.js';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const KEY = 'sk-ngx-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const available = nginxPath() !== undefined;
const track = closeAfterAll();
const proxyTo = (port: number, extra = '') => `location / { proxy_pass http://127.0.0.1:${port}; proxy_http_version 1.1; ${extra} }`;

// .ci/run installs nginx; only a machine where it cannot be installed skips.
describe.skipIf(!available)('nginx in front of fixture upstreams', () => {
  it('healthy upstream behind nginx: exit 0, nginx seen in the headers', async () => {
    const api = await track(startOpenAiCompatible({ key: KEY }));
    const ngx = await track(startNginx({ server: proxyTo(api.port) }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(run.code).toBe(0);
    const http = stageOf(run.report!, 'http');
    expect(http.data).toMatchObject({ status: 200, attribution: { answeredBy: 'provider', seen: ['nginx'] } });
    expect(String(http.data.server)).toMatch(/^nginx/);
  });

  it('proxy_read_timeout 1s on a hanging upstream: its real 504 -> GATEWAY_TIMEOUT, nginx, gateway, exit 17', async () => {
    const up = await track(startRawServer('hang'));
    const ngx = await track(startNginx({ server: proxyTo(up.port, 'proxy_read_timeout 1s;') }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json', '--timeout', '8s']);
    expect(run.code).toBe(17);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', retry: 'no', details: { status: 504, intermediary: 'nginx' } });
    expect(d.evidence.join('\n')).toMatch(/gave up after 1\.\d s/);
    // The steps name nginx's setting, not every product's.
    const steps = d.remediation.map((r) => `${r.text} ${r.command ?? ''}`).join('\n');
    expect(steps).toMatch(/proxy_read_timeout/);
    expect(steps).not.toMatch(/HAProxy|Envoy|AWS ALB|Kong|Traefik/);
    expect(await ngx.errorLog()).toMatch(/upstream timed out/);
  });

  it('a dead upstream: its real 502 -> BAD_GATEWAY, nginx, exit 17', async () => {
    const dead = await freePort();
    const ngx = await track(startNginx({ server: proxyTo(dead) }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', details: { status: 502, intermediary: 'nginx' } });
    const steps = run.report!.diagnoses[0]!.remediation.map((r) => `${r.text} ${r.command ?? ''}`).join('\n');
    expect(steps).toMatch(/nginx\/error\.log/);
    expect(steps).not.toMatch(/HAProxy|Envoy|describe-target-health|Traefik/);
    expect(await ngx.errorLog()).toMatch(/Connection refused/);
  });

  it('an upstream that closes before headers: 502 -> BAD_GATEWAY', async () => {
    const up = await track(startRawServer('close'));
    const ngx = await track(startNginx({ server: proxyTo(up.port) }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'BAD_GATEWAY', details: { intermediary: 'nginx' } });
    expect(await ngx.errorLog()).toMatch(/upstream prematurely closed/);
  });

  it('limit_req with status 429: RATE_LIMITED owned by the gateway, exit 16', async () => {
    const api = await track(startOpenAiCompatible({ key: KEY }));
    const ngx = await track(
      startNginx({ http: 'limit_req_zone $binary_remote_addr zone=one:1m rate=1r/m;', server: `limit_req zone=one; limit_req_status 429; ${proxyTo(api.port)}` }),
    );
    const env = cleanEnv({ OPENAI_API_KEY: KEY });
    await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json'], { env });
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json'], { env });
    expect(run.code).toBe(16);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', details: { intermediary: 'nginx', rateLimit: 'gateway' } });
    const steps = run.report!.diagnoses[0]!.remediation.map((r) => r.text).join('\n');
    expect(steps).toMatch(/Your gateway answered the 429/);
    expect(steps).not.toMatch(/higher tier/);
  });

  it("the provider's own error passes through nginx: attributed to the API, not to nginx", async () => {
    const up = await track(startCanned(CANNED['anthropic.529']));
    const ngx = await track(startNginx({ server: proxyTo(up.port) }));
    const run = await runCli([`${ngx.url}`, '--provider', 'anthropic', '--json'], { env: cleanEnv({ ANTHROPIC_API_KEY: KEY }) });
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'OVERLOADED', origin: 'provider', owner: 'provider', details: { answeredBy: 'provider' } });
  });

  it('an Envoy reset page from upstream, relayed by nginx: UPSTREAM_RESET_REPORTED with the reason', async () => {
    const up = await track(startCanned(CANNED['envoy.reset.cf-111']));
    const ngx = await track(startNginx({ server: proxyTo(up.port) }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--json']);
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({
      code: 'UPSTREAM_RESET_REPORTED',
      details: { intermediary: 'envoy', resetReason: 'connection failure', transportFailureReason: 'delayed connect error: 111' },
    });
  });
});
