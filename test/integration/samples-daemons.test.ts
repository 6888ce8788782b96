/** Sampled runs through real nginx and real HAProxy in front of a flaky fixture upstream. */
import { describe, expect, it } from 'vitest';
import { everyKth, startFlaky, thirtyPercent } from '../../fixtures/flaky-servers.js';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const KEY = 'sk-test-4f9c2b7d1e8a6c3f5b0d9e2a7c4f1b8d';
const env = () => cleanEnv({ OPENAI_API_KEY: KEY });
const track = closeAfterAll();

describe.skipIf(nginxPath() === undefined)('through real nginx', () => {
  it('an upstream resetting 30 % of requests: nginx answers 502 to those samples; INTERMITTENT_FAILURES, root cause BAD_GATEWAY, exit 17', async () => {
    const up = await track(startFlaky({ reset: thirtyPercent }));
    const ngx = await track(startNginx({ server: `location / { proxy_pass http://127.0.0.1:${up.port}; proxy_http_version 1.1; }` }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--repeat', '20', '--interval', '10ms', '--allow-insecure-key', '--json'], { env: env() });
    const r = run.report!;
    expect(r, run.stderr).toBeDefined();
    expect(r.samples!.count).toBe(20);
    // nginx turns each reset into its own 502: exactly the upstream's share, and no retry inside a sample.
    expect(r.samples!.byCode).toEqual({ BAD_GATEWAY: 6 });
    expect(r.samples!.retried).toBe(0);
    expect(r.diagnoses[0]!.code).toBe('INTERMITTENT_FAILURES');
    expect(r.rootCause).toBe('BAD_GATEWAY');
    expect(run.code).toBe(17);
    expect(r.diagnoses.find((d) => d.code === 'BAD_GATEWAY')!.details.intermediary).toBe('nginx');
    expect(r.samples!.failureRateCi95[0]).toBeLessThanOrEqual(0.3);
    expect(r.samples!.failureRateCi95[1]).toBeGreaterThanOrEqual(0.3);
    expect(await ngx.errorLog()).toMatch(/reset by peer|prematurely closed/);
  });
});

describe.skipIf(haproxyPath() === undefined)('through real HAProxy', () => {
  it('an upstream resetting every 4th request, sampled 4 at a time: 502s from HAProxy in the samples, exit 17', async () => {
    const up = await track(startFlaky({ reset: everyKth(4) }));
    const hap = await track(startHaproxy({ servers: [`server s1 127.0.0.1:${up.port}`] }));
    const run = await runCli([`${hap.url}/v1`, '--provider', 'openai-compatible', '--repeat', '24', '--interval', '10ms', '--concurrency', '4', '--allow-insecure-key', '--json'], { env: env() });
    const r = run.report!;
    expect(r, run.stderr).toBeDefined();
    expect(r.samples!.count).toBe(24);
    expect(r.samples!.concurrency).toBe(4);
    expect(Object.keys(r.samples!.byCode)).toEqual(['BAD_GATEWAY']);
    expect(r.samples!.failed).toBe(6);
    expect(r.rootCause).toBe('BAD_GATEWAY');
    expect(r.diagnoses.find((d) => d.code === 'BAD_GATEWAY')!.details.intermediary).toBe('haproxy');
    expect(run.code).toBe(17);
  });
});
