/**
 * The reference document's own nginx setup (adapted to loopback) lints without errors, and each of
 * its settings that lint owns, removed in turn, is caught with the code that names it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codes, referenceHttp, runLint, wrapHttp } from '../helpers/lint.js';

const dir = mkdtempSync(join(tmpdir(), 'lint-ref-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const REF = referenceHttp({ port: 8443, redirectPort: 8080, up: 3000, logDir: dir });
let n = 0;
async function lintText(http: string) {
  const f = join(dir, `nginx-${n++}.conf`);
  writeFileSync(f, wrapHttp(http));
  return runLint([f, '--json']);
}
/** Remove exactly one occurrence of `what` inside the block that starts with `block`. */
function without(block: string, what: string, replacement = ''): string {
  const start = REF.indexOf(block);
  const at = REF.indexOf(what, start);
  expect(start, block).toBeGreaterThanOrEqual(0);
  expect(at, `${what} in ${block}`).toBeGreaterThan(start);
  return REF.slice(0, at) + replacement + REF.slice(at + what.length);
}

describe('the reference document\'s nginx setup', () => {
  it('lints with no error (exit 0); what remains are warnings the document really earns', async () => {
    const r = await lintText(REF);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json!.lint.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Its limit_req has no limit_req_status (nginx answers 503), /api/, /api/generate/ and
    // /api/upload/ speak HTTP/1.0 upstream, and the model routes keep nginx's 60 s read timeout.
    // As --gateway finds on the live setup: its redirect is a 301, it sets no HSTS, and location
    // /api/ (CORS add_header of its own) drops the server's security headers.
    expect([...new Set(codes(r))].sort()).toEqual(['CONFIG_ADD_HEADER_NOT_INHERITED', 'CONFIG_RATE_LIMIT_503', 'CONFIG_REDIRECT_DROPS_METHOD', 'CONFIG_SECURITY_HEADERS_MISSING', 'CONFIG_TIMEOUT_TOO_SHORT', 'CONFIG_UPSTREAM_HTTP10']);
    expect(r.json!.lint.findings.find((f) => f.code === 'CONFIG_SECURITY_HEADERS_MISSING')!.details.missing).toBe('strict-transport-security');
    expect(r.json!.lint.findings.find((f) => f.code === 'CONFIG_ADD_HEADER_NOT_INHERITED')!.details).toMatchObject({ location: '/api/', dropped: 'X-Content-Type-Options,X-Frame-Options,X-XSS-Protection,Referrer-Policy,Content-Security-Policy' });
    const timeouts = r.json!.lint.findings.filter((f) => f.code === 'CONFIG_TIMEOUT_TOO_SHORT').map((f) => f.details.location);
    expect(timeouts.sort()).toEqual(['/api/generate/', '/api/stream/']);
  });

  it('with limit_req_status 429, HTTP/1.1 and 300 s on the model routes, a 308 redirect, HSTS and the headers repeated in /api/, it lints clean even with --strict', async () => {
    const security = REF.slice(REF.indexOf('    add_header X-Content-Type-Options'), REF.indexOf('    location / {'));
    const hsts = '    add_header Strict-Transport-Security "max-age=31536000" always;\n';
    const fixed = REF.replace('client_max_body_size 10m;', 'client_max_body_size 10m;\n  limit_req_status 429;\n  proxy_http_version 1.1;\n  proxy_read_timeout 300s;')
      .replace('return 301', 'return 308')
      .replace('    add_header X-Content-Type-Options', `${hsts}    add_header X-Content-Type-Options`)
      .replace('      if ($request_method = OPTIONS)', `${hsts}${security}      if ($request_method = OPTIONS)`);
    const r = await lintText(fixed);
    expect(r.json!.lint.findings, r.stdout).toEqual([]);
    const f = join(dir, 'fixed.conf');
    writeFileSync(f, wrapHttp(fixed));
    expect((await runLint([f, '--strict'])).code).toBe(0);
  });

  // [block it sits in, the setting, what lint must then say (code, severity)]
  const REMOVALS: Array<[string, string, string, string]> = [
    ['location / {', 'proxy_http_version 1.1;', 'CONFIG_UPSTREAM_HTTP10', 'warning'],
    ['location /api/stream/', 'proxy_buffering off;', 'CONFIG_SSE_BUFFERED', 'warning'],
    ['location /api/stream/', 'proxy_http_version 1.1;', 'CONFIG_UPSTREAM_HTTP10', 'warning'],
    ['location /ws/', 'proxy_set_header Upgrade $http_upgrade;', 'CONFIG_WEBSOCKET_HEADERS_MISSING', 'error'],
    ['location /ws/', 'proxy_set_header Connection "upgrade";', 'CONFIG_WEBSOCKET_HEADERS_MISSING', 'error'],
    ['location /ws/', 'proxy_http_version 1.1;', 'CONFIG_UPSTREAM_HTTP10', 'error'],
    ['location /ws/', 'proxy_read_timeout 86400s;', 'CONFIG_TIMEOUT_TOO_SHORT', 'warning'],
    ['limit_req_zone', 'client_max_body_size 10m;', 'CONFIG_BODY_LIMIT_LOW', 'warning'],
    ['location /api/upload/', 'client_max_body_size 100m;', 'CONFIG_BODY_LIMIT_LOW', 'warning'],
    ['location /api/upload/', 'proxy_read_timeout 300s;', 'CONFIG_TIMEOUT_TOO_SHORT', 'warning'],
    ['location /api/ {', '"https://stevecv.com" always;', 'CONFIG_ADD_HEADER_NOT_ALWAYS', 'warning'],
    ['add_header X-Content-Type-Options', 'nosniff always;', 'CONFIG_ADD_HEADER_NOT_ALWAYS', 'warning'],
    ['add_header X-Frame-Options', 'DENY always;', 'CONFIG_ADD_HEADER_NOT_ALWAYS', 'warning'],
    ['add_header Content-Security-Policy', '"default-src \'self\'" always;', 'CONFIG_ADD_HEADER_NOT_ALWAYS', 'warning'],
  ];

  it.each(REMOVALS)('%s without %s: %s (%s)', async (block, setting, code, severity) => {
    const base = await lintText(REF);
    const key = (f: { code: string; line: number; severity: string }) => `${f.code}:${f.line}:${f.severity}`;
    const before = new Set(base.json!.lint.findings.map(key));
    // `always` removed keeps the header: only the keyword goes.
    const replacement = setting.endsWith(' always;') ? `${setting.slice(0, -' always;'.length)};` : '';
    const r = await lintText(without(block, setting, replacement));
    const added = r.json!.lint.findings.filter((f) => !before.has(key(f)));
    expect(added.map((f) => [f.code, f.severity]), r.stdout).toContainEqual([code, severity]);
    expect(r.code).toBe(severity === 'error' ? 1 : 0);
  });
});
