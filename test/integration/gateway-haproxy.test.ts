/**
 * Held out from the nginx lab: --gateway against real HAProxy set up the way its users commonly
 * do (fixtures/gateway-haproxy.ts). Its failures take other shapes than nginx's: a rate limit
 * that denies with 403, a body limit made of a deny rule, HSTS set on the backend's answers,
 * WebSockets cut by `timeout tunnel`.
 */
import { describe, expect, it } from 'vitest';
import { LAB_CA, LAB_KEY } from '../../fixtures/gateway-lab.js';
import { startHaproxyGateway } from '../../fixtures/gateway-haproxy.js';
import { haproxyPath } from '../../fixtures/haproxy.js';
import type { GatewaySection } from '../../src/net/gateway/section.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const track = closeAfterAll();

describe.skipIf(haproxyPath() === undefined)('--gateway against HAProxy', () => {
  it('301 redirect, no security headers, no CORS, a 413 deny above 1 MiB, a 403 rate limit: each named', async () => {
    const hap = await track(startHaproxyGateway({ tunnelTimeout: '1h' }));
    const run = await runCli([hap.apiUrl, '--provider', 'openai-compatible', '--ca', LAB_CA, '--json', '--timeout', '5s', '--gateway', '--origin', 'https://app.example.test', '--http-port', String(hap.httpPort), '--burst', '30'], { env: { ...cleanEnv(), OPENAI_API_KEY: LAB_KEY } });
    const g = run.report!.gateway as GatewaySection;
    const codes = run.report!.diagnoses.map((d) => d.code).sort();
    const d = (c: string) => run.report!.diagnoses.find((x) => x.code === c)!;
    expect(codes).toEqual(['BODY_LIMIT_LOW', 'CORS_PREFLIGHT_REJECTED', 'RATE_LIMIT_WRONG_STATUS', 'REDIRECT_DROPS_METHOD', 'SECURITY_HEADERS_MISSING']);
    expect(d('REDIRECT_DROPS_METHOD').details).toMatchObject({ status: 301 });
    expect(d('BODY_LIMIT_LOW').details).toMatchObject({ largestAcceptedBytes: 1_048_576, refusedBytes: 4_194_304, refusedBy: 413 });
    expect(d('RATE_LIMIT_WRONG_STATUS').details).toMatchObject({ status: 403 });
    expect(d('RATE_LIMIT_WRONG_STATUS').remediation.map((r) => r.command ?? '').join('\n')).toContain('deny_status 429');
    // The upstream answers the preflight itself (401): no CORS at the gateway.
    expect(d('CORS_PREFLIGHT_REJECTED').details).toMatchObject({ reason: 'status', status: 401 });
    expect(g.body).toMatchObject({ smallestRefusedBytes: 4_194_304 });
    expect(run.code).toBe(17);
  });

  it('held-out: a limit so tight that the checks before the burst use it up (every burst answer is 403): still RATE_LIMIT_WRONG_STATUS', async () => {
    const hap = await track(startHaproxyGateway({ tunnelTimeout: '1h', ratePer10s: 2 }));
    const run = await runCli([hap.apiUrl, '--provider', 'openai-compatible', '--ca', LAB_CA, '--json', '--timeout', '5s', '--gateway', '--burst', '5'], { env: { ...cleanEnv(), OPENAI_API_KEY: LAB_KEY } });
    const g = run.report!.gateway as GatewaySection;
    expect(g.burst).toMatchObject({ statuses: { '403': 5 }, limited: { status: 403, index: 0 } });
    expect(run.report!.diagnoses.find((x) => x.code === 'RATE_LIMIT_WRONG_STATUS')?.details).toMatchObject({ status: 403 });
  });

  it('WebSockets pass natively; timeout tunnel 2s closes the idle socket -> WEBSOCKET_IDLE_CLOSED', async () => {
    const hap = await track(startHaproxyGateway({ tunnelTimeout: '2s' }));
    const run = await runCli([hap.wsUrl, '--ca', LAB_CA, '--json', '--timeout', '5s', '--gateway', '--http-port', String(hap.httpPort), '--ws-idle', '5s'], { env: cleanEnv() });
    const g = run.report!.gateway as GatewaySection;
    expect(g.websocket).toMatchObject({ outcome: 'upgraded', status: 101 });
    const d = run.report!.diagnoses.find((x) => x.code === 'WEBSOCKET_IDLE_CLOSED');
    expect(d, JSON.stringify(run.report!.diagnoses.map((x) => x.code))).toBeDefined();
    expect(d!.details.idleSeconds as number).toBeGreaterThanOrEqual(1.6);
    expect(d!.details.idleSeconds as number).toBeLessThan(5);
  });
});
