/**
 * Held-out wire corners against scripted loopback servers and canned answers, through the CLI:
 * HTTP/1.0 close-delimited answers, bodies that never end or end short, an interim 100 Continue
 * nobody asked for, a head trickled byte by byte, an answer written before the request was read,
 * a status line cut by a reset, a captive portal's 200, and gateway answers served for real.
 */
import { describe, expect, it } from 'vitest';
import { startCanned } from '../../fixtures/http-api.js';
import { HELDOUT } from '../../fixtures/http-heldout.js';
import { startScripted, type Step } from '../../fixtures/http-scripted.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const KEY = 'sk-wire-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b';
const J = 'content-type: application/json\r\n';
const track = closeAfterAll();
async function diagnose(url: string, extra: string[] = []) {
  const run = await runCli([`${url}/v1`, '--provider', 'openai-compatible', '--json', '--allow-insecure-key', '--timeout', '3s', ...extra], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
  expect(run.code, run.stderr).not.toBe(3);
  expect(run.stdout + run.stderr).not.toContain(KEY);
  expect(run.stdout).not.toContain(KEY.slice(8, 20));
  return run;
}

describe('held-out wire corners', () => {
  it('HTTP/1.0 401 with a close-delimited body echoing the key masked: AUTH_INVALID, exit 15, no key piece in the output', async () => {
    const masked = `${KEY.slice(0, 10)}****************${KEY.slice(-4)}`;
    const srv = await track(startScripted([{ write: `HTTP/1.0 401 Unauthorized\r\n${J}\r\n{"error":{"message":"Incorrect API key provided: ${masked}.","type":"invalid_request_error","code":"invalid_api_key"}}` }, { end: true }]));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(15);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'AUTH_INVALID', details: { errorCode: 'invalid_api_key' } });
    expect(run.stdout).not.toContain(KEY.slice(0, 10));
  });

  it('a chunked 200 that never ends: RESPONSE_BODY_INCOMPLETE (stalled), exit 14, within the budget', async () => {
    const srv = await track(startScripted([{ write: `HTTP/1.1 200 OK\r\n${J}transfer-encoding: chunked\r\n\r\n` }, { trickle: '1\r\n \r\n', everyMs: 40, endless: true }]));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'RESPONSE_BODY_INCOMPLETE', details: { status: 200, how: 'stalled' } });
    expect((d.details as { bytes: number }).bytes).toBeGreaterThan(0);
    expect(d.evidence.join('\n')).toMatch(/never finished: \d+ bytes had arrived when the deadline ended the read/);
    // The stream check has nothing to build on.
    expect(stageOf(run.report!, 'stream').status).toBe('skip');
  });

  it('a 200 whose body ends short of content-length: RESPONSE_BODY_INCOMPLETE by FIN with both figures, exit 14', async () => {
    const srv = await track(startScripted([{ write: `HTTP/1.1 200 OK\r\n${J}content-length: 500\r\n\r\n{"object":"li` }, { end: true }]));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'RESPONSE_BODY_INCOMPLETE', details: { how: 'fin', bytes: 13, contentLength: '500' } });
    expect(d.evidence.join('\n')).toMatch(/after 13 bytes of the 500 that content-length announced/);
  });

  it('100 Continue to a GET and then silence: HTTP_PROTOCOL_ERROR (the client dropped it), not a reset by the peer', async () => {
    const srv = await track(startScripted([{ write: 'HTTP/1.1 100 Continue\r\n\r\n' }]));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses[0]!;
    expect(d).toMatchObject({ code: 'HTTP_PROTOCOL_ERROR', details: { how: 'client-abort', bytesRead: 25 } });
    expect(d.evidence.join('\n')).not.toMatch(/peer closed|TCP RST/);
  });

  it('a head trickled a byte at a time: HEADERS_TIMEOUT with the bytes that did come', async () => {
    const srv = await track(startScripted([{ trickle: `HTTP/1.1 200 OK\r\n${J}x-pad: ${'a'.repeat(200)}`, everyMs: 100 }]));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('HEADERS_TIMEOUT');
    expect((d.details as { bytesRead: number }).bytesRead).toBeGreaterThan(5);
    expect(d.evidence.join('\n')).toMatch(/\d+ bytes came back, but not a complete status line and headers/);
  });

  it('an answer written before the request was read: classified by what it says (503 from the API: OVERLOADED)', async () => {
    const body = '{"error":{"message":"Service is shutting down","type":"server_error"}}';
    const srv = await track(startScripted([{ write: `HTTP/1.1 503 Service Unavailable\r\n${J}content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}` }, { end: true }], { when: 'connect' }));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'OVERLOADED', owner: 'provider' });
  });

  it('a status line cut by a reset: RESET_BEFORE_HEADERS by RST, with the bytes read', async () => {
    const srv = await track(startScripted([{ write: 'HTTP/1.1 50' }, { wait: 30 }, { rst: true }]));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(14);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'RESET_BEFORE_HEADERS', details: { how: 'rst', bytesRead: 11 } });
  });
});

describe('held-out canned answers served for real', () => {
  const cases: Array<[keyof typeof HELDOUT, number, Record<string, unknown>]> = [
    ['portal.200.html', 17, { code: 'HTTP_NOT_API', origin: 'unknown' }],
    ['kong.429', 16, { code: 'RATE_LIMITED', origin: 'gateway', owner: 'gateway', details: { intermediary: 'kong', retryAfterSeconds: 41 } }],
    ['kong.503.ring', 17, { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', details: { intermediary: 'kong' } }],
    ['fastly.503.firstbyte', 17, { code: 'GATEWAY_TIMEOUT', origin: 'gateway', owner: 'gateway', details: { intermediary: 'varnish' } }],
    ['akamai.403', 15, { code: 'FORBIDDEN', origin: 'gateway', owner: 'gateway', details: { intermediary: 'akamai' } }],
    ['apim.403.quota', 16, { code: 'QUOTA_EXCEEDED' }],
    ['litellm.400.budget', 16, { code: 'QUOTA_EXCEEDED' }],
    ['caddy.502', 17, { code: 'BAD_GATEWAY', origin: 'gateway', owner: 'gateway', details: { intermediary: 'caddy' } }],
    ['vllm.404.route', 17, { code: 'NOT_FOUND', details: { notFound: 'path' } }],
  ];
  it.each(cases)('%s -> exit %d', async (name, exit, want) => {
    const srv = await track(startCanned(HELDOUT[name]));
    const run = await diagnose(srv.url);
    expect(run.code).toBe(exit);
    expect(run.report!.diagnoses[0]).toMatchObject(want);
    expect(run.report!.diagnoses[0]!.remediation.length).toBeGreaterThan(0);
  });
});
