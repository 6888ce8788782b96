/**
 * --gateway against real nginx configured as the reference document sets it up
 * (fixtures/gateway-lab.ts): the complete setup probes healthy; each of its settings removed in
 * turn is caught by its check; the document as written is caught where it falls short (a 301
 * redirect, no HSTS, limit_req's default 503, add_header not inherited into a location that has
 * add_header of its own).
 */
import { describe, expect, it } from 'vitest';
import { COMPLETE, DOCUMENT, LAB_CA, LAB_KEY, LAB_ORIGIN, startGatewayLab, type LabSettings } from '../../fixtures/gateway-lab.js';
import { nginxPath } from '../../fixtures/nginx.js';
import type { GatewaySection } from '../../src/net/gateway/section.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const track = closeAfterAll();

async function probe(settings: LabSettings, opts: { ws?: boolean; burst?: number; wsIdle?: string } = {}) {
  const lab = await track(startGatewayLab(settings));
  const target = opts.ws ? lab.wsUrl : lab.apiUrl;
  // The WebSocket route lives beside the API: its target is checked at the root (generic provider, no key).
  const args = [target, '--provider', opts.ws ? 'generic' : 'openai-compatible', '--ca', LAB_CA, '--json', '--timeout', '5s', '--gateway', '--origin', LAB_ORIGIN, '--http-port', String(lab.httpPort)];
  if (opts.burst) args.push('--burst', String(opts.burst));
  if (opts.ws) args.push('--ws-idle', opts.wsIdle ?? '3s');
  const run = await runCli(args, { env: { ...cleanEnv(), OPENAI_API_KEY: LAB_KEY } });
  const g = run.report?.gateway as GatewaySection | undefined;
  if (!g || !('headers' in g)) throw new Error(`no gateway section (exit ${run.code}): ${run.stderr}${run.stdout.slice(0, 600)}`);
  const codes = run.report!.diagnoses.map((d) => d.code).sort();
  return { run, g, codes, lab, diag: (code: string) => run.report!.diagnoses.find((d) => d.code === code)! };
}

describe.skipIf(nginxPath() === undefined)('--gateway against the reference nginx setup', () => {
  it('the complete setup probes healthy: 308 redirect, HSTS, headers, CORS, 10 MiB bodies, a 429 limit', async () => {
    const { run, g, codes } = await probe(COMPLETE, { burst: 40 });
    expect(codes).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.report!.verdict).toBe('ok');
    expect(g.redirect).toMatchObject({ reply: { status: 308 }, location: expect.stringMatching(/^https:\/\//) });
    expect(g.cors).toMatchObject({ preflight: { reply: { status: 204 } }, error: { reply: { status: 401 } } });
    expect(g.body).toMatchObject({ largestAcceptedBytes: 10_485_760 });
    expect('smallestRefusedBytes' in g.body).toBe(false);
    // 10 r/s with burst=20 nodelay: 40 requests at once pass the burst and meet the limit.
    expect(g.burst).toMatchObject({ requests: 40, limited: { status: 429 } });
    expect(run.stderr).not.toMatch(/4xx lines/); // loopback: the tool knows it is the user's own host
  });

  it('the complete WebSocket route probes healthy: 101, and the idle socket outlives --ws-idle', async () => {
    const { run, g, codes } = await probe(COMPLETE, { ws: true, wsIdle: '3s' });
    expect(codes).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.report!.target.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws\/$/);
    expect(g.websocket).toMatchObject({ outcome: 'upgraded', status: 101, keySent: false, idle: { targetSeconds: 3 } });
    expect((g.websocket as { idle: object }).idle).not.toHaveProperty('closedAfterSeconds');
  });

  it('the document as written: 301 -> REDIRECT_DROPS_METHOD, no HSTS -> HSTS_MISSING, 503 limit -> RATE_LIMIT_WRONG_STATUS, security headers lost in /api/', async () => {
    const { run, codes, diag } = await probe(DOCUMENT, { burst: 40 });
    expect(codes).toEqual(['HSTS_MISSING', 'RATE_LIMIT_WRONG_STATUS', 'REDIRECT_DROPS_METHOD', 'SECURITY_HEADERS_MISSING']);
    expect(diag('REDIRECT_DROPS_METHOD')).toMatchObject({ severity: 'warning', stage: 'http', owner: 'gateway', details: { status: 301 } });
    expect(diag('REDIRECT_DROPS_METHOD').remediation.map((r) => r.command ?? '').join('\n')).toContain('return 308');
    expect(diag('RATE_LIMIT_WRONG_STATUS')).toMatchObject({ details: { status: 503, intermediary: 'nginx' } });
    expect(diag('RATE_LIMIT_WRONG_STATUS').remediation.map((r) => r.command ?? '').join('\n')).toContain('limit_req_status 429;');
    // The server-level add_header does not reach location /api/, which has CORS add_headers of its own.
    expect(diag('SECURITY_HEADERS_MISSING').details.missing).toEqual(expect.arrayContaining(['x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy']));
    expect(run.code).toBe(0);
    expect(run.report!.verdict).toBe('degraded');
  });

  const removals: Array<[string, Partial<LabSettings>, string, Record<string, unknown>?]> = [
    ['the 308 redirect replaced by a 302', { redirectStatus: 302 }, 'REDIRECT_DROPS_METHOD', { status: 302 }],
    ['HSTS', { hsts: false }, 'HSTS_MISSING'],
    ['the security headers', { securityHeaders: false }, 'SECURITY_HEADERS_MISSING'],
    ['`always` on the security headers', { securityAlways: false }, 'SECURITY_HEADERS_MISSING', { onErrorsOnly: true }],
    ['the CORS headers', { cors: false }, 'CORS_PREFLIGHT_REJECTED', { reason: 'no-allow-origin' }],
    ['the OPTIONS answer', { corsOptions: false }, 'CORS_PREFLIGHT_REJECTED', { reason: 'status', status: 401 }],
    ['`always` on the CORS headers', { corsAlways: false }, 'CORS_MISSING_ON_ERRORS', { status: 401 }],
    ['client_max_body_size 10m', { bodySize: false }, 'BODY_LIMIT_LOW', { largestAcceptedBytes: 1_048_576, refusedBytes: 4_194_304, refusedBy: 413 }],
  ];
  it.each(removals)('without %s -> %s', async (_what, change, code, details) => {
    const { codes, diag, run } = await probe({ ...COMPLETE, ...change });
    expect(codes).toContain(code);
    expect(diag(code)).toMatchObject({ stage: 'http', origin: 'gateway', owner: 'gateway', ...(details ? { details } : {}) });
    expect(diag(code).evidence.length).toBeGreaterThan(0);
    if (code === 'CORS_PREFLIGHT_REJECTED') expect(run.code).toBe(17);
  });

  it('without limit_req_status 429 -> RATE_LIMIT_WRONG_STATUS (nginx 503); without --burst nothing is sent', async () => {
    const { codes, diag } = await probe({ ...COMPLETE, limitReqStatus429: false }, { burst: 40 });
    expect(codes).toEqual(['RATE_LIMIT_WRONG_STATUS']);
    expect(diag('RATE_LIMIT_WRONG_STATUS').evidence[0]).toMatch(/40 requests at once .* 503/);
    const quiet = await probe({ ...COMPLETE, limitReqStatus429: false });
    expect(quiet.codes).toEqual([]);
    expect(quiet.g.burst).toEqual({ skipped: 'no --burst given' });
  });

  it("limit_req_status 429 alone -> RATE_LIMIT_NO_RETRY_AFTER; the catalogue's Retry-After snippet fixes it", async () => {
    const bare = await probe({ ...COMPLETE, retryAfter: false }, { burst: 40 });
    expect(bare.codes).toEqual(['RATE_LIMIT_NO_RETRY_AFTER']);
    expect(bare.g.burst).toMatchObject({ limited: { status: 429 } });
    expect((bare.g.burst as { limited: object }).limited).not.toHaveProperty('retryAfter');
    const d = bare.diag('RATE_LIMIT_NO_RETRY_AFTER');
    expect(d).toMatchObject({ severity: 'warning', stage: 'http', owner: 'gateway', details: { status: 429, retryAfter: null, intermediary: 'nginx' } });
    expect(d.evidence[0]).toMatch(/429 \(server nginx[^)]*\), but without a Retry-After header/);
    expect(bare.run.code).toBe(0);
    const snippet = d.remediation.map((r) => r.command ?? '').join('\n');
    expect(snippet).toContain('add_header Retry-After 1 always;');

    const { codes, g } = await probe({ ...COMPLETE, retryAfter: true }, { burst: 40 });
    expect(codes).toEqual([]);
    expect(g.burst).toMatchObject({ limited: { status: 429, retryAfter: '1' } });
  });

  it('the SSE route streams with proxy_buffering off; without it --stream names STREAM_BUFFERED', async () => {
    const stream = async (settings: LabSettings) => {
      const lab = await track(startGatewayLab(settings));
      const run = await runCli([lab.streamUrl, '--provider', 'openai-compatible', '--ca', LAB_CA, '--json', '--timeout', '5s', '--stream'], { env: { ...cleanEnv(), OPENAI_API_KEY: LAB_KEY } });
      return run.report!.diagnoses.map((d) => d.code);
    };
    expect(await stream(COMPLETE)).toEqual([]);
    expect(await stream({ ...COMPLETE, sseBufferingOff: false })).toContain('STREAM_BUFFERED');
  });

  it('without the Upgrade/Connection headers -> WEBSOCKET_UPGRADE_FAILED (the upstream answers 426), exit 17', async () => {
    const { run, codes, diag, g } = await probe({ ...COMPLETE, wsUpgradeHeaders: false }, { ws: true });
    expect(codes).toEqual(['WEBSOCKET_UPGRADE_FAILED']);
    expect(g.websocket).toMatchObject({ outcome: 'refused', status: 426 });
    expect(diag('WEBSOCKET_UPGRADE_FAILED').evidence[0]).toMatch(/answered 426 .*instead of 101/);
    expect(run.code).toBe(17);
  });

  it('a short proxy_read_timeout on the WebSocket route -> WEBSOCKET_IDLE_CLOSED after it', async () => {
    // 2 s stands in for nginx's 60 s default (what removing proxy_read_timeout 86400s leaves), to keep the test short.
    const { codes, diag } = await probe({ ...COMPLETE, wsTimeout: '2s' }, { ws: true, wsIdle: '5s' });
    expect(codes).toEqual(['WEBSOCKET_IDLE_CLOSED']);
    const s = diag('WEBSOCKET_IDLE_CLOSED').details.idleSeconds as number;
    expect(s).toBeGreaterThanOrEqual(1.6);
    expect(s).toBeLessThan(5);
  });
});
