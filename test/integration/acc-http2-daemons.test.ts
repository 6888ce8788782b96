/**
 * HTTP/2 through real daemons (issue 11, item 5): HAProxy forcing h2 on its TLS bind (`proto h2`)
 * closes an HTTP/1.1 request without a word (no frame, no status), which must read as an h2-only
 * server (the same request offering h2 alone gets through), not as a garbled error; nginx with
 * `listen ... ssl http2` serves both, HTTP/1.1 by default and h2 with --http2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { CERT_DIR, TEST_CA_PATH, startTlsServer } from '../../fixtures/tls-server.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();
const env = cleanEnv({ OPENAI_API_KEY: 'sk-test-h2d-000000000abcd' });
const tmp = mkdtempSync(join(tmpdir(), 'ud-acc-h2d-'));
/** HAProxy wants the certificate and its key in one file. */
const combined = join(tmp, 'site.pem');
writeFileSync(combined, readFileSync(join(CERT_DIR, 'valid.pem'), 'utf8') + readFileSync(join(CERT_DIR, 'valid-key.pem'), 'utf8'));

function diagnose(port: number, extra: string[] = []) {
  return runCli([`https://localhost:${port}/v1`, '--resolve', `localhost:${port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--provider', 'openai-compatible', '--json', '--timeout', '3s', ...extra], { env });
}

describe.skipIf(!haproxyPath())('HAProxy with h2 forced on its bind line', () => {
  it('an HTTP/1.1 request is dropped without an answer: HTTP2_ONLY_SERVER, not a garbled transport error', async () => {
    const up = await keep(startTlsServer({ cert: 'valid' }));
    const hp = await keep(startHaproxy({ servers: [`server up 127.0.0.1:${up.port} ssl verify none`], bind: `ssl crt ${combined} alpn h2 proto h2` }));
    const run = await diagnose(hp.port);
    expect(run.code).toBe(14);
    expect(run.report!.rootCause).toBe('HTTP2_ONLY_SERVER');
    expect(run.report!.diagnoses[0]!.details).toMatchObject({ seenBy: 'h2-retry', h2Status: 200 });
    expect(run.report!.diagnoses.map((d) => d.code)).not.toContain('HTTP_PROTOCOL_ERROR');
  });

  it('the same HAProxy with --http2: h2 end to end, the upstream answers', async () => {
    const up = await keep(startTlsServer({ cert: 'valid' }));
    const hp = await keep(startHaproxy({ servers: [`server up 127.0.0.1:${up.port} ssl verify none`], bind: `ssl crt ${combined} alpn h2 proto h2` }));
    const run = await diagnose(hp.port, ['--http2']);
    expect(run.code).toBe(0);
    expect(stageOf(run.report!, 'http').data.httpVersion).toBe('2');
  });
});

describe.skipIf(!nginxPath())('nginx with listen ... ssl http2', () => {
  const server = `ssl_certificate ${join(CERT_DIR, 'valid.pem')}; ssl_certificate_key ${join(CERT_DIR, 'valid-key.pem')}; location / { default_type application/json; return 200 '{"object":"list","data":[]}'; }`;

  it('serves HTTP/1.1 to the default run (ALPN http/1.1) and h2 with --http2', async () => {
    const ng = await keep(startNginx({ listen: 'ssl http2', server }));
    const h1 = await diagnose(ng.port);
    expect(h1.code).toBe(0);
    expect(stageOf(h1.report!, 'tls').data.alpn).toBe('http/1.1');
    const h2 = await diagnose(ng.port, ['--http2']);
    expect(h2.code).toBe(0);
    expect(stageOf(h2.report!, 'tls').data.alpn).toBe('h2');
    expect(stageOf(h2.report!, 'http').data.httpVersion).toBe('2');
  });
});
