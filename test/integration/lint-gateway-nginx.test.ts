/**
 * The "Done when", on real nginx (fixtures/gateway-lab.ts, the reference document's setup
 * on loopback, its config checked with `nginx -t`): the complete setup (the document plus the fixes
 * lint and --gateway ask for) lints clean with --strict and probes healthy with --gateway, on the
 * WebSocket route and with --stream on the SSE route; then each setting removed in turn is named by
 * lint and, where the setting has a symptom a probe sees in test time, by --gateway or --stream.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMPLETE, DOCUMENT, LAB_CA, LAB_KEY, LAB_ORIGIN, startGatewayLab, type GatewayLab, type LabSettings } from '../../fixtures/gateway-lab.js';
import { nginxPath } from '../../fixtures/nginx.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { codes, runLint } from '../helpers/lint.js';

const track = closeAfterAll();
const bin = nginxPath();
type Probe = 'gateway' | 'burst' | 'ws' | 'ws-idle' | 'stream';

async function lab(settings: LabSettings): Promise<GatewayLab> {
  const l = await track(startGatewayLab(settings));
  await promisify(execFile)(bin!, [...l.nginxArgs, '-t']); // throws with nginx's message if refused
  return l;
}

async function probe(l: GatewayLab, kind: Probe): Promise<{ codes: string[]; exit: number; out: string }> {
  const base = ['--ca', LAB_CA, '--json', '--timeout', '5s'];
  let args: string[];
  if (kind === 'stream') args = [l.streamUrl, '--provider', 'openai-compatible', ...base, '--stream'];
  else if (kind === 'ws' || kind === 'ws-idle') args = [l.wsUrl, '--provider', 'generic', ...base, '--gateway', '--http-port', String(l.httpPort), '--ws-idle', kind === 'ws-idle' ? '5s' : '3s'];
  else args = [l.apiUrl, '--provider', 'openai-compatible', ...base, '--gateway', '--origin', LAB_ORIGIN, '--http-port', String(l.httpPort), ...(kind === 'burst' ? ['--burst', '40'] : [])];
  const run = await runCli(args, { env: { ...cleanEnv(), OPENAI_API_KEY: LAB_KEY } });
  if (!run.report) throw new Error(`no report (exit ${run.code}): ${run.stderr}`);
  return { codes: [...new Set(run.report.diagnoses.map((d) => d.code))].sort(), exit: run.code, out: run.stdout.slice(0, 2000) };
}

describe.skipIf(bin === undefined)('lint and --gateway agree on the reference setup (real nginx)', () => {
  it('the complete setup lints clean with --strict and probes healthy (--gateway with --burst, the WebSocket route, --stream)', async () => {
    const l = await lab(COMPLETE);
    const lint = await runLint([l.confPath, '--json', '--strict']);
    expect(lint.json!.lint.findings, lint.stdout).toEqual([]);
    expect(lint.code).toBe(0);
    expect(lint.json!.lint.kind).toBe('nginx');
    for (const kind of ['burst', 'ws', 'stream'] as const) {
      const p = await probe(l, kind);
      expect(p.codes, `${kind}: ${p.out}`).toEqual([]);
      expect(p.exit).toBe(0);
    }
  });

  it('the document as written: lint and --gateway name the same four shortfalls (and lint the ones without a quick symptom)', async () => {
    const l = await lab(DOCUMENT);
    const lint = codes(await runLint([l.confPath, '--json']));
    expect([...new Set(lint)].sort()).toEqual(['CONFIG_ADD_HEADER_NOT_INHERITED', 'CONFIG_RATE_LIMIT_503', 'CONFIG_REDIRECT_DROPS_METHOD', 'CONFIG_SECURITY_HEADERS_MISSING', 'CONFIG_TIMEOUT_TOO_SHORT', 'CONFIG_UPSTREAM_HTTP10']);
    const p = await probe(l, 'burst');
    expect(p.codes, p.out).toEqual(['HSTS_MISSING', 'RATE_LIMIT_WRONG_STATUS', 'REDIRECT_DROPS_METHOD', 'SECURITY_HEADERS_MISSING']);
  });

  // [setting removed (or the document's value put back), the change, lint's codes, the probe, what it must name ([] = no symptom it can see in test time)]
  const REMOVALS: Array<[string, Partial<LabSettings>, string[], Probe, string[]]> = [
    ['the 308 redirect (the document\'s 301)', { redirectStatus: 301 }, ['CONFIG_REDIRECT_DROPS_METHOD'], 'gateway', ['REDIRECT_DROPS_METHOD']],
    ['HSTS', { hsts: false }, ['CONFIG_SECURITY_HEADERS_MISSING'], 'gateway', ['HSTS_MISSING']],
    ['the security headers', { securityHeaders: false }, ['CONFIG_SECURITY_HEADERS_MISSING'], 'gateway', ['HSTS_MISSING', 'SECURITY_HEADERS_MISSING']],
    ['`always` on the security headers', { securityAlways: false }, ['CONFIG_ADD_HEADER_NOT_ALWAYS'], 'gateway', ['HSTS_MISSING', 'SECURITY_HEADERS_MISSING']],
    ['the security headers repeated in /api/', { securityInLocations: false }, ['CONFIG_ADD_HEADER_NOT_INHERITED'], 'gateway', ['HSTS_MISSING', 'SECURITY_HEADERS_MISSING']],
    ['the CORS headers', { cors: false }, ['CONFIG_CORS_PREFLIGHT_INCOMPLETE'], 'gateway', ['CORS_PREFLIGHT_REJECTED']],
    ['the OPTIONS answer', { corsOptions: false }, ['CONFIG_CORS_PREFLIGHT_INCOMPLETE'], 'gateway', ['CORS_PREFLIGHT_REJECTED']],
    ['`always` on the CORS headers', { corsAlways: false }, ['CONFIG_ADD_HEADER_NOT_ALWAYS'], 'gateway', ['CORS_MISSING_ON_ERRORS']],
    ['client_max_body_size 10m', { bodySize: false }, ['CONFIG_BODY_LIMIT_LOW'], 'gateway', ['BODY_LIMIT_LOW']],
    ['limit_req_status 429', { limitReqStatus429: false }, ['CONFIG_RATE_LIMIT_503'], 'burst', ['RATE_LIMIT_WRONG_STATUS']],
    ['the WebSocket Upgrade/Connection headers', { wsUpgradeHeaders: false }, ['CONFIG_WEBSOCKET_HEADERS_MISSING'], 'ws', ['WEBSOCKET_UPGRADE_FAILED']],
    // 2 s stands in for nginx's 60 s default, so that the probe sees the close in test time.
    ['proxy_read_timeout 86400s on /ws/ (2 s instead)', { wsTimeout: '2s' }, ['CONFIG_TIMEOUT_TOO_SHORT'], 'ws-idle', ['WEBSOCKET_IDLE_CLOSED']],
    ['proxy_read_timeout 86400s on /ws/ (nginx\'s 60 s)', { wsTimeout: undefined }, ['CONFIG_TIMEOUT_TOO_SHORT'], 'ws', []],
    ['proxy_buffering off on /api/stream/', { sseBufferingOff: false }, ['CONFIG_SSE_BUFFERED'], 'stream', ['STREAM_BUFFERED']],
    ['proxy_http_version 1.1 on /api/ and the model routes', { upstreamHttp11: false }, ['CONFIG_UPSTREAM_HTTP10'], 'gateway', []],
    ['proxy_read_timeout 300s on the model routes', { longReads: false }, ['CONFIG_TIMEOUT_TOO_SHORT'], 'stream', []],
  ];

  it.each(REMOVALS)('without %s (%j): lint %j, probe %s %j', async (_what, change, lintCodes, kind, probeCodes) => {
    const l = await lab({ ...COMPLETE, ...change });
    const lint = await runLint([l.confPath, '--json']);
    expect([...new Set(codes(lint))].sort(), lint.stdout).toEqual(lintCodes);
    for (const f of lint.json!.lint.findings) expect(f.line, f.code).toBeGreaterThan(0);
    const p = await probe(l, kind);
    expect(p.codes, p.out).toEqual(probeCodes);
  });
});
