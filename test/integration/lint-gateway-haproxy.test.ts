/**
 * Lint and --gateway agree on real HAProxy (fixtures/gateway-haproxy.ts, checked with
 * `haproxy -c`): a rate limit that denies with 403, a body limit of 1 MiB, a 301 redirect and a
 * 2 s `timeout tunnel` are named by lint and by the probe; set as the remediations say (deny_status
 * 429, a 16 MiB limit, code 308, `timeout tunnel 1h`, `timeout server 300s`, http-after-response),
 * lint is clean and the probe no longer names them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LAB_CA, LAB_KEY } from '../../fixtures/gateway-lab.js';
import { startHaproxyGateway, type HaproxyGatewayOptions } from '../../fixtures/gateway-haproxy.js';
import { haproxyPath } from '../../fixtures/haproxy.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { runLint } from '../helpers/lint.js';

const track = closeAfterAll();
const bin = haproxyPath();
const PAIRED = ['RATE_LIMIT_WRONG_STATUS', 'BODY_LIMIT_LOW', 'REDIRECT_DROPS_METHOD', 'WEBSOCKET_IDLE_CLOSED'];

async function both(opts: HaproxyGatewayOptions) {
  const hap = await track(startHaproxyGateway(opts));
  await promisify(execFile)(bin!, ['-c', '-f', hap.configFile]);
  const lint = await runLint([hap.configFile, '--json']);
  const env = { ...cleanEnv(), OPENAI_API_KEY: LAB_KEY };
  const common = ['--ca', LAB_CA, '--json', '--timeout', '5s', '--gateway', '--http-port', String(hap.httpPort)];
  // The WebSocket on an HAProxy of its own: requests of one run count in the other's rate limit.
  const hapWs = await track(startHaproxyGateway(opts));
  const ws = await runCli([hapWs.wsUrl, '--ca', LAB_CA, '--json', '--timeout', '5s', '--gateway', '--http-port', String(hapWs.httpPort), '--ws-idle', '4s'], { env: cleanEnv() });
  const api = await runCli([hap.apiUrl, '--provider', 'openai-compatible', ...common, '--burst', '30'], { env });
  const probeCodes = [...api.report!.diagnoses, ...ws.report!.diagnoses].map((d) => d.code);
  return { lint, findings: lint.json!.lint.findings, probeCodes };
}

describe.skipIf(bin === undefined)('lint and --gateway agree on real HAProxy', () => {
  it('403 rate limit, 1 MiB body deny, 301 redirect, timeout tunnel 2s: named by both; fixed: lint clean and the probe quiet on them', async () => {
    const bad = await both({ tunnelTimeout: '2s' });
    const f = (code: string, directive?: string) => bad.findings.find((x) => x.code === code && (!directive || x.directive === directive));
    expect(f('CONFIG_RATE_LIMIT_503'), bad.lint.stdout).toMatchObject({ details: { status: 403 } });
    expect(f('CONFIG_BODY_LIMIT_LOW')).toMatchObject({ severity: 'warning', details: { bytes: 1_048_576 } });
    expect(f('CONFIG_REDIRECT_DROPS_METHOD')).toMatchObject({ details: { status: 301 } });
    expect(f('CONFIG_TIMEOUT_TOO_SHORT', 'timeout tunnel')).toMatchObject({ severity: 'error', details: { seconds: 2 } });
    expect(f('CONFIG_ADD_HEADER_NOT_ALWAYS')).toBeDefined();
    for (const c of PAIRED) expect(bad.probeCodes, `${c} in ${bad.probeCodes.join(' ')}`).toContain(c);

    const good = await both({ tunnelTimeout: '1h', serverTimeout: '300s', redirectCode: 308, rateDenyStatus: 429, bodyLimit: 16 * 1024 * 1024, afterResponse: true });
    expect(good.findings.map((x) => `${x.code} ${x.file}:${x.line}`), good.lint.stdout).toEqual([]);
    expect(good.lint.code).toBe(0);
    for (const c of PAIRED) expect(good.probeCodes, c).not.toContain(c);
  });
});
