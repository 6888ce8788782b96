/**
 * The MTU check's request-body ladder against real nginx with a small client_max_body_size: its
 * 413 answers name the body limit (BODY_LIMIT_LOW, http stage) instead of passing unremarked.
 */
import { describe, expect, it } from 'vitest';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const track = closeAfterAll();
const server = (limit: string) => `client_max_body_size ${limit};
    location / { default_type application/json; return 200 '{"object":"list","data":[]}'; }`;

describe.skipIf(nginxPath() === undefined)('--mtu body ladder meets a body limit', () => {
  it('client_max_body_size 16k: the 64 KiB rungs get 413 -> BODY_LIMIT_LOW with the largest body not refused', async () => {
    const ngx = await track(startNginx({ server: server('16k') }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--mtu', '--json', '--timeout', '3s'], { env: cleanEnv() });
    const d = run.report!.diagnoses.find((x) => x.code === 'BODY_LIMIT_LOW');
    expect(d, JSON.stringify(run.report!.diagnoses.map((x) => x.code))).toBeDefined();
    expect(d).toMatchObject({ stage: 'http', severity: 'warning', details: { refusedBy: 413, source: 'mtu-body-ladder' } });
    expect(d!.details.refusedBytes as number).toBeGreaterThan(16 * 1024);
    expect(d!.details.largestAcceptedBytes as number).toBeGreaterThan(4000);
    expect(d!.details.largestAcceptedBytes as number).toBeLessThanOrEqual(16 * 1024);
    expect(d!.evidence[0]).toMatch(/413/);
  });

  it('the default limit (1m) is never met by the ladder (64 KiB at most): no finding', async () => {
    const ngx = await track(startNginx({ server: server('1m') }));
    const run = await runCli([`${ngx.url}/v1`, '--provider', 'openai-compatible', '--mtu', '--json', '--timeout', '3s'], { env: cleanEnv() });
    expect(run.report!.diagnoses.map((x) => x.code)).not.toContain('BODY_LIMIT_LOW');
    // The ladder did run and was answered: the absence of a finding is not the absence of a check.
    const probes = run.report!.stages.find((s) => s.id === 'mtu')!.data.probes as Array<{ kind: string; status?: number }>;
    const bodies = probes.filter((p) => p.kind === 'body');
    expect(bodies.length).toBeGreaterThan(5);
    expect(bodies.every((p) => p.status === 200)).toBe(true);
  });
});
