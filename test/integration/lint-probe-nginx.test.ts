/**
 * Lint and probe agree. Real nginx runs a faulty config (checked with `nginx -t`) in front of a
 * loopback fixture upstream; `diagnose lint` reads that very file and `diagnose` probes the
 * running nginx; both must name the same problem. Then the config is fixed as the remediation
 * says, and both must be clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxPath } from '../../fixtures/nginx.js';
import { startSseServer, type SseFixture } from '../../fixtures/sse-server.js';
import { startCanned, type HttpFixture } from '../../fixtures/http-api.js';
import { cleanEnv, codesOf, runCli } from '../helpers/cli.js';
import { codes, nginxTest, referenceHttp, runLint, startCheckedNginx, type NginxRun } from '../helpers/lint.js';

const KEY = 'sk-lint-probe-test-1234abcd';
const hasNginx = nginxPath() !== undefined;
let sse: SseFixture;
let slow: SseFixture;
let late: HttpFixture;
const running: NginxRun[] = [];

beforeAll(async () => {
  if (!hasNginx) return;
  sse = await startSseServer({ mode: 'openai', events: 8, periodMs: 250 });
  // Events every 150 ms, then 3 s of silence after the fourth: a model thinking mid-answer.
  slow = await startSseServer({ mode: 'openai', events: 6, periodMs: 150, pauseAfter: 4, pauseMs: 3000 });
  // Every answer after 2.5 s: a completion that takes a while before its first byte.
  late = await startCanned({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[]}' } as never, { delayMs: 2500 });
});
afterAll(async () => {
  for (const n of running) await n.close();
  await Promise.all([sse?.close(), slow?.close(), late?.close()]);
});

/** The good streaming location: what the remediations add up to. */
const GOOD = ['proxy_http_version 1.1;', 'proxy_set_header Connection "";', 'proxy_buffering off;', 'proxy_cache off;', 'proxy_read_timeout 300s;'];

async function nginx(up: number, location: string[], server: string[] = ['client_max_body_size 10m;'], http: string[] = []): Promise<NginxRun> {
  const n = await startCheckedNginx((port) => `${http.join('\n  ')}
  server {
    listen 127.0.0.1:${port};
    ${server.join('\n    ')}
    location /v1/ {
      proxy_pass http://127.0.0.1:${up};
      ${location.join('\n      ')}
    }
  }`);
  running.push(n);
  return n;
}

async function both(n: NginxRun, stream = true) {
  const lint = await runLint([n.confPath, '--json']);
  const probe = await runCli([`${n.url}/v1`, '--provider', 'openai-compatible', ...(stream ? ['--stream'] : []), '--timeout', '8s', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
  return { lint, probe, lintCodes: codes(lint), probeCodes: codesOf(probe.report!) };
}

describe.skipIf(!hasNginx)('lint and probe agree on real nginx', () => {
  it('the reference document\'s setup, adapted to loopback, is a config real nginx accepts (nginx -t)', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'lint-ref-log-'));
    try {
      const t = await nginxTest(referenceHttp({ port: 18443, redirectPort: 18080, up: 3000, logDir }));
      expect(t.ok, t.output).toBe(true);
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  });

  it('nginx defaults on a streaming route: lint CONFIG_SSE_BUFFERED, probe STREAM_BUFFERED; fixed: both clean', async () => {
    const bad = await both(await nginx(sse.port, ['proxy_read_timeout 300s;']));
    expect(bad.lintCodes).toContain('CONFIG_SSE_BUFFERED');
    expect(bad.lint.code).toBe(1);
    expect(bad.probeCodes, bad.probe.stdout).toContain('STREAM_BUFFERED');

    const good = await both(await nginx(sse.port, GOOD));
    expect(good.lintCodes, good.lint.stdout).toEqual([]);
    expect(good.probeCodes, good.probe.stdout).toEqual([]);
    expect(good.probe.code).toBe(0);
  });

  it('gzip on text/event-stream (HTTP/1.1, buffering on): lint CONFIG_GZIP_EVENT_STREAM, probe STREAM_BUFFERED; fixed: both clean', async () => {
    const gzip = ['gzip on;', 'gzip_types text/event-stream;'];
    const bad = await both(await nginx(sse.port, ['proxy_http_version 1.1;', 'proxy_set_header Connection "";', 'proxy_read_timeout 300s;'], undefined, gzip));
    expect(bad.lintCodes).toContain('CONFIG_GZIP_EVENT_STREAM');
    expect(bad.lint.json!.lint.findings.find((f) => f.code === 'CONFIG_GZIP_EVENT_STREAM')!.severity).toBe('error');
    expect(bad.probeCodes, bad.probe.stdout).toContain('STREAM_BUFFERED');

    const good = await both(await nginx(sse.port, [...GOOD, 'gzip off;'], undefined, gzip));
    expect(good.lintCodes, good.lint.stdout).toEqual([]);
    expect(good.probeCodes, good.probe.stdout).toEqual([]);
  });

  it('proxy_read_timeout 1s and a model that pauses 3 s mid-stream: lint CONFIG_TIMEOUT_TOO_SHORT, probe a cut stream; fixed: both clean', async () => {
    const bad = await both(await nginx(slow.port, [...GOOD.filter((d) => !d.startsWith('proxy_read_timeout')), 'proxy_read_timeout 1s;']));
    const f = bad.lint.json!.lint.findings.find((x) => x.code === 'CONFIG_TIMEOUT_TOO_SHORT')!;
    expect(f).toMatchObject({ severity: 'error', details: { directive: 'proxy_read_timeout', seconds: 1 } });
    expect(bad.probeCodes.some((c) => ['STREAM_STALLED', 'STREAM_TRUNCATED'].includes(c)), bad.probe.stdout).toBe(true);

    const good = await both(await nginx(slow.port, GOOD));
    expect(good.lintCodes, good.lint.stdout).toEqual([]);
    expect(good.probeCodes, good.probe.stdout).toEqual([]);
  });

  it('proxy_read_timeout 1s before a slow first byte: lint CONFIG_TIMEOUT_TOO_SHORT, probe GATEWAY_TIMEOUT (nginx 504); fixed: both clean', async () => {
    const bad = await both(await nginx(late.port, [...GOOD.filter((d) => !d.startsWith('proxy_read_timeout')), 'proxy_read_timeout 1s;']), false);
    expect(bad.lintCodes).toContain('CONFIG_TIMEOUT_TOO_SHORT');
    expect(bad.probeCodes, bad.probe.stdout).toContain('GATEWAY_TIMEOUT');
    expect(bad.probe.code).toBe(17);

    const good = await both(await nginx(late.port, GOOD), false);
    expect(good.lintCodes, good.lint.stdout).toEqual([]);
    expect(good.probeCodes, good.probe.stdout).toEqual([]);
  });

  it('client_max_body_size below the request: lint CONFIG_BODY_LIMIT_LOW, probe REQUEST_TOO_LARGE (nginx 413); fixed: both clean', async () => {
    const bad = await both(await nginx(sse.port, GOOD, ['client_max_body_size 16;']));
    expect(bad.lint.json!.lint.findings.find((x) => x.code === 'CONFIG_BODY_LIMIT_LOW')).toMatchObject({ severity: 'error', details: { bytes: 16 } });
    expect(bad.probeCodes, bad.probe.stdout).toContain('REQUEST_TOO_LARGE');

    const good = await both(await nginx(sse.port, GOOD));
    expect(good.lintCodes, good.lint.stdout).toEqual([]);
    expect(good.probeCodes, good.probe.stdout).toEqual([]);
  });

  it('limit_req without limit_req_status: lint CONFIG_RATE_LIMIT_503, probe reads the 503 page of nginx as its limit; with 429 lint is clean and the probe says RATE_LIMITED', async () => {
    const zone = ['limit_req_zone $binary_remote_addr zone=ai:1m rate=1r/m;'];
    const bad = await both(await nginx(sse.port, [...GOOD, 'limit_req zone=ai;'], undefined, zone));
    expect(bad.lintCodes).toEqual(['CONFIG_RATE_LIMIT_503']);
    const status = JSON.stringify(bad.probe.report!.stages);
    expect(status).toMatch(/\b503\b/);
    // nginx's own quick 503 page is read as its rate limit (issue 11, item 3): both sides name it,
    // the probe with the hint to send 429 instead.
    const limited = bad.probe.report!.diagnoses.find((d) => d.code === 'RATE_LIMITED');
    expect(limited?.details, bad.probe.stdout).toMatchObject({ limitedBy: 'nginx-limit' });

    const good = await both(await nginx(sse.port, [...GOOD, 'limit_req zone=ai;', 'limit_req_status 429;'], undefined, zone));
    expect(good.lintCodes, good.lint.stdout).toEqual([]);
    expect(good.probeCodes, good.probe.stdout).toContain('RATE_LIMITED');
  });
});
