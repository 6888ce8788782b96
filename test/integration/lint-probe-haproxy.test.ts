/**
 * Lint and probe agree on real HAProxy: a `timeout server` shorter than the upstream's first byte
 * is CONFIG_TIMEOUT_TOO_SHORT for lint and HAProxy's own 504 (GATEWAY_TIMEOUT) for the probe;
 * with the remediation's 300 s, both are clean. The config is checked with `haproxy -c` first.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haproxyPath, startHaproxy, type HaproxyFixture } from '../../fixtures/haproxy.js';
import { startCanned, type HttpFixture } from '../../fixtures/http-api.js';
import { cleanEnv, codesOf, runCli } from '../helpers/cli.js';
import { codes, runLint } from '../helpers/lint.js';

const bin = haproxyPath();
let late: HttpFixture;
const running: HaproxyFixture[] = [];

beforeAll(async () => {
  if (!bin) return;
  late = await startCanned({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[]}' } as never, { delayMs: 2500 });
});
afterAll(async () => {
  for (const h of running) await h.close();
  await late?.close();
});

async function both(timeout: string) {
  const h = await startHaproxy({ servers: [`server app 127.0.0.1:${late.port}`], backend: `timeout server ${timeout}` });
  running.push(h);
  await promisify(execFile)(bin!, ['-c', '-f', h.configFile]);
  const lint = await runLint([h.configFile, '--json']);
  const probe = await runCli([`${h.url}/v1`, '--provider', 'openai-compatible', '--timeout', '8s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: 'sk-haproxy-lint-0000wxyz' }) });
  return { lint, probe, probeCodes: codesOf(probe.report!) };
}

describe.skipIf(!bin)('lint and probe agree on real HAProxy', () => {
  it('timeout server 1s before a 2.5 s first byte: lint CONFIG_TIMEOUT_TOO_SHORT, probe GATEWAY_TIMEOUT; timeout server 300s: both clean', async () => {
    const bad = await both('1s');
    const f = bad.lint.json!.lint.findings.find((x) => x.code === 'CONFIG_TIMEOUT_TOO_SHORT');
    expect(f, bad.lint.stdout).toMatchObject({ severity: 'error', directive: 'timeout server', details: { seconds: 1 } });
    expect(bad.lint.code).toBe(1);
    expect(bad.probeCodes, bad.probe.stdout).toContain('GATEWAY_TIMEOUT');

    const good = await both('300s');
    expect(codes(good.lint), good.lint.stdout).toEqual([]);
    expect(good.lint.code).toBe(0);
    expect(good.probeCodes, good.probe.stdout).toEqual([]);
  });
});
