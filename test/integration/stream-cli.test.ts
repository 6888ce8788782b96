/**
 * The streaming check end to end through the in-process CLI: every stream code gives exit 18;
 * a healthy stream passes with its timings in the report; the key stays out of every output.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSseServer, type SseFixture, type SseServerOptions } from '../../fixtures/sse-server.js';
import { cleanEnv, codesOf, runCli, stageOf, type CliRun } from '../helpers/cli.js';
import { loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { assertValidReport } from '../helpers/schema.js';

const KEY = 'sk-cli-stream-test-99999999wxyz';
let server: SseFixture | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function diagnose(opts: SseServerOptions, extra: string[] = [], env: Record<string, string> = { OPENAI_API_KEY: KEY }): Promise<CliRun> {
  server = await startSseServer(opts);
  return runCli([`${server.url}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', '6s', ...extra], { env: cleanEnv(env) });
}

describe('diagnose --stream', () => {
  it('a healthy stream passes, exit 0, timings in the report', async () => {
    const run = await diagnose({ mode: 'openai', events: 6, periodMs: 100 }, ['--json']);
    expect(run.report, run.stderr).toBeDefined();
    assertValidReport(run.report);
    const s = stageOf(run.report!, 'stream');
    expect(s.status, s.summary).toBe('pass');
    expect(run.code).toBe(0);
    const t = s.data.timings as Record<string, number>;
    for (const k of ['headers', 'firstByte', 'firstEvent', 'firstContent', 'terminal', 'total']) expect(typeof t[k]).toBe('number');
    expect(s.data.events).toBe(9);
    expect(run.stdout).not.toContain(KEY.slice(3, -4));
  });

  for (const [mode, code, extra] of [
    ['buffered', 'STREAM_BUFFERED', {}],
    ['truncated', 'STREAM_TRUNCATED', {}],
    ['cut', 'STREAM_STALLED', {}],
    ['stall', 'STREAM_STALLED', {}],
    ['html', 'STREAM_NOT_SSE', { htmlStatus: 200 }],
    ['json', 'STREAM_NOT_SSE', {}],
    ['error-event', 'STREAM_ERROR_EVENT', {}],
  ] as const) {
    it(`${mode} gives ${code} as the root cause, exit 18`, async () => {
      const run = await diagnose({ mode, events: 6, periodMs: 80, ...extra }, ['--json']);
      expect(run.report, run.stderr).toBeDefined();
      assertValidReport(run.report);
      expect(run.report!.rootCause, JSON.stringify(run.report!.stages.map((s) => [s.id, s.status, s.summary]))).toBe(code);
      expect(run.code).toBe(18);
      expect(codesOf(run.report!)[0]).toBe(code);
      const d = run.report!.diagnoses[0]!;
      expect(d.remediation.length).toBeGreaterThan(0);
      expect(d.evidence.length).toBeGreaterThan(0);
      expect(run.stdout).not.toContain(KEY.slice(3, -4));
    });
  }

  it('streams over the chosen path: TLS with SNI to a --resolve pinned name, gzip decoded incrementally', async () => {
    server = await startSseServer({ mode: 'gzip', events: 5, periodMs: 80, tls: loadCert('valid') });
    const run = await runCli(
      [`https://api.test:${server.port}/v1`, '--provider', 'openai-compatible', '--resolve', `api.test:${server.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--stream', '--json'],
      { env: cleanEnv({ OPENAI_API_KEY: KEY }) },
    );
    const s = stageOf(run.report!, 'stream');
    expect(s.status, s.summary).toBe('pass');
    expect((s.data.headers as Record<string, string>)['content-encoding']).toBe('gzip');
    expect(s.data.terminalEvent).toBe(true);
    expect(server.requests.find((r) => r.method === 'POST')!.headers.host).toBe(`api.test:${server.port}`);
  });

  it('a streaming request never answered gives STREAM_STALLED before headers, within the budget', async () => {
    const run = await diagnose({ mode: 'no-headers' }, ['--json', '--timeout', '3s']);
    expect(run.report!.internalErrors).toBeUndefined();
    expect(run.report!.rootCause).toBe('STREAM_STALLED');
    expect(run.report!.diagnoses[0]!.details).toMatchObject({ phase: 'before-headers', how: 'no-headers' });
    expect(run.code).toBe(18);
  });

  it('a steady stream longer than the budget is stopped at the deadline: a warning, no diagnosis', async () => {
    const run = await diagnose({ mode: 'openai', events: 40, periodMs: 150 }, ['--json', '--timeout', '2s']);
    expect(run.report!.internalErrors).toBeUndefined();
    const s = stageOf(run.report!, 'stream');
    expect(s.status, s.summary).toBe('warn');
    expect(s.data.end).toMatchObject({ kind: 'deadline' });
    expect(codesOf(run.report!)).not.toContain('STREAM_STALLED');
    expect(run.code).toBe(0);
  });

  it('the human report draws the arrival strip', async () => {
    const run = await diagnose({ mode: 'buffered', events: 6, periodMs: 80 });
    expect(run.code).toBe(18);
    expect(run.stdout).toMatch(/stream arrivals\n {2}events 0 ▕[·H]+█▏/);
  });

  it('is skipped with its reason without --stream, and without a key for a cloud provider', async () => {
    server = await startSseServer({ mode: 'openai' });
    const off = await runCli([`${server.url}/v1`, '--provider', 'openai-compatible', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(stageOf(off.report!, 'stream')).toMatchObject({ status: 'skip' });
    expect(stageOf(off.report!, 'stream').summary).toMatch(/--stream/);
    const keyless = await runCli([`${server.url}/v1`, '--provider', 'openai', '--stream', '--json'], { env: cleanEnv() });
    expect(stageOf(keyless.report!, 'stream').status).toBe('skip');
  });

  it('runs keyless against an openai-compatible server (self-hosted servers need no key)', async () => {
    const run = await diagnose({ mode: 'openai', events: 3, periodMs: 50 }, ['--json'], {});
    expect(stageOf(run.report!, 'stream').status).toBe('pass');
    expect(server!.requests.find((r) => r.method === 'POST')!.headers.authorization).toBeUndefined();
  });
});
