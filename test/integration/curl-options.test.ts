/**
 * The options people bring from curl, against loopback fixtures: -H (a secret header reaches the
 * server and no output), --connect-to, --cert/--key against openssl s_server demanding a client
 * certificate, -q, -v, --no-color; and --curl, whose printed commands are run here with the real
 * curl and openssl and must succeed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpensslServer, type OpensslFixture } from '../../fixtures/openssl-server.js';
import { startProxy, type ProxyFixture } from '../../fixtures/proxy-servers.js';
import { startSseServer, type SseFixture } from '../../fixtures/sse-server.js';
import { CERT_DIR, loadCert, TEST_CA_PATH } from '../../fixtures/tls-server.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-curl-Z8qW3eR5tY7uI9oP1aS2dF4g';
const HEADER_SECRET = 'gw-tok-4Hq8Lm2Np6Rs0Tv3Xz7Bc9Df';

describe('curl-like options against a TLS API fixture', () => {
  let api: SseFixture;
  let proxy: ProxyFixture;
  const base = () => [`https://localhost:${api.port}/v1`, '--provider', 'openai-compatible', '--resolve', `localhost:${api.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--timeout', '5s'];
  const env = () => cleanEnv({ OPENAI_API_KEY: KEY });

  beforeAll(async () => {
    api = await startSseServer({ mode: 'openai', events: 4, periodMs: 20, tls: loadCert('valid') });
    proxy = await startProxy({ kind: 'allow', hosts: { localhost: '127.0.0.1' } });
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
  });

  it('-H: the headers reach the server; an auth-looking one is never printed, in any format or with -v', async () => {
    const args = [...base(), '-H', `X-Gateway-Token: ${HEADER_SECRET}`, '-H', 'OpenAI-Organization: org-7'];
    const json = await runCli([...args, '--json'], { env: env() });
    expect(json.code).toBe(0);
    const seen = api.requests.filter((q) => q.headers['x-gateway-token'] === HEADER_SECRET);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.headers['openai-organization']).toBe('org-7');
    const human = await runCli([...args, '-v'], { env: env() });
    for (const r of [json, human]) {
      expect(r.stdout + r.stderr).not.toContain(HEADER_SECRET);
      expect(r.stdout + r.stderr).not.toContain(KEY);
    }
    const sent = (stageOf(json.report!, 'http').data.request as { headers: Record<string, string> }).headers;
    expect(sent['x-gateway-token']).toBe('[REDACTED]');
    expect(sent.authorization).toBe('[REDACTED]');
    // -v: the heads as curl -v shows them, on stderr.
    expect(human.stderr).toMatch(/^> GET \/v1\/models HTTP\/1\.1$/m);
    expect(human.stderr).toMatch(/^> authorization: \[REDACTED\]$/m);
    expect(human.stderr).toMatch(/^> openai-organization: org-7$/m);
    expect(human.stderr).toMatch(/^< HTTP\/1\.1 200$/m);
    expect(human.stderr).toMatch(/^< content-type: /m);
  });

  it('the human report shows the key fingerprint and its source', async () => {
    const run = await runCli(base(), { env: env() });
    expect(run.stdout).toMatch(/^key sk-…dF4g from \$OPENAI_API_KEY$/m);
  });

  it('-q prints only the verdict line; --no-color beats FORCE_COLOR', async () => {
    const q = await runCli([...base(), '-q'], { env: env() });
    expect(q.code).toBe(0);
    expect(q.stdout).toMatch(/^OK in \S+ m?s · exit 0\n$/);
    const nc = await runCli([...base(), '--no-color'], { env: cleanEnv({ OPENAI_API_KEY: KEY, FORCE_COLOR: '1', NO_COLOR: undefined }) });
    expect(nc.stdout).not.toContain('\u001b[');
    const col = await runCli(base(), { env: cleanEnv({ OPENAI_API_KEY: KEY, FORCE_COLOR: '1', NO_COLOR: undefined }) });
    expect(col.stdout).toContain('\u001b[');
  });

  it('--connect-to: a name with no address reaches the fixture; SNI and Host stay the target', async () => {
    const run = await runCli(['https://api.test:443/v1', '--provider', 'openai-compatible', '--connect-to', `api.test:443:127.0.0.1:${api.port}`, '--ca', TEST_CA_PATH, '--json'], { env: env() });
    expect(run.code, run.stdout).toBe(0);
    expect(stageOf(run.report!, 'tls').data).toMatchObject({ sni: 'api.test' });
    expect(api.requests.some((q) => q.headers.host === 'api.test')).toBe(true);
    // Without the rule the name does not resolve: the option is what made it work.
    const without = await runCli(['https://api.test:443/v1', '--provider', 'openai-compatible', '--ca', TEST_CA_PATH, '--json', '--timeout', '2s'], { env: env() });
    expect(without.code).not.toBe(0);
  });

  it('--curl prints only (no request reaches the server) and exits 0', async () => {
    const before = api.requests.length;
    const run = await runCli([...base(), '--curl'], { env: env() });
    expect(run.code).toBe(0);
    expect(api.requests.length).toBe(before);
    expect(run.stdout).toContain('$OPENAI_API_KEY');
    expect(run.stdout).not.toContain(KEY);
  });

  /** Run each printed command with bash (asynchronously: the fixtures live in this process). */
  const runPrinted = async (printed: string) => {
    const lines = printed.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const out: Array<{ line: string; code: number | null; out: string }> = [];
    for (const line of lines) {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('bash', ['-o', 'pipefail', '-c', line], { env: { PATH: process.env.PATH, OPENAI_API_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        child.on('close', (code) => resolve({ code, out: text }));
      });
      out.push({ line, ...r });
    }
    return out;
  };

  it('the commands --curl prints work: openssl verifies the chain, curl gets 200 with the key, the stream ends with [DONE]', async () => {
    const printed = (await runCli([...base(), '--curl'], { env: env() })).stdout;
    const before = api.requests.length;
    const results = await runPrinted(printed);
    for (const r of results) expect(r.code, `${r.line}\n${r.out}`).toBe(0);
    expect(results.find((r) => r.line.startsWith('openssl'))!.out).toMatch(/Verification: OK/);
    expect(results.find((r) => r.line.includes(' -i '))!.out).toMatch(/^HTTP\/1\.1 200/m);
    expect(results.find((r) => r.line.includes(' -N '))!.out).toContain('[DONE]');
    const got = api.requests.slice(before);
    expect(got.map((q) => `${q.method} ${q.url}`)).toEqual(['GET /v1/models', 'POST /v1/chat/completions']);
    expect(got.every((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it('through a proxy, the printed openssl uses -proxy and curl -x, and both get through the tunnel', async () => {
    const printed = (await runCli([...base(), '--proxy', `http://127.0.0.1:${proxy.port}`, '--curl'], { env: env() })).stdout;
    expect(printed).toContain(`-proxy 127.0.0.1:${proxy.port}`);
    expect(printed).toContain(`-x http://127.0.0.1:${proxy.port}`);
    const tunnels = proxy.requests.length;
    const results = await runPrinted(printed);
    for (const r of results) expect(r.code, `${r.line}\n${r.out}`).toBe(0);
    expect(proxy.requests.length - tunnels).toBeGreaterThanOrEqual(3);
  });

  it('bad values: one line on stderr, exit 2', async () => {
    for (const argv of [
      ['-H', 'no colon here'],
      ['-H', 'Host: evil.test'],
      ['--connect-to', 'a:b'],
      ['--connect-to', 'api.test:443::'],
      ['--key', join(CERT_DIR, 'valid-key.pem')],
      ['--cert', '/nonexistent/client.pem'],
      ['--cert', join(CERT_DIR, 'valid.pem')],
      ['--cert', join(CERT_DIR, 'valid.pem'), '--key', join(CERT_DIR, 'valid.pem')],
      ['-q', '-v'],
    ]) {
      const r = await runCli([...base(), ...argv], { env: env() });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});

describe('--cert/--key: a gateway that demands a client certificate (openssl s_server -Verify)', () => {
  let dir: string;
  let server: OpensslFixture;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ud-client-cert-'));
    const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client-key.pem', '-subj', '/CN=upstream-doctor test client', '-out', 'client.csr');
    writeFileSync(join(dir, 'ext.cnf'), 'extendedKeyUsage=clientAuth\n');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', TEST_CA_PATH, '-CAkey', join(CERT_DIR, 'ca-key.pem'), '-CAserial', 'ca.srl', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'client.pem');
    server = await startOpensslServer({ args: ['-Verify', '1', '-verifyCAfile', TEST_CA_PATH] });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without: TLS_CLIENT_CERT_REQUIRED naming --cert/--key; with them: the handshake and the request pass', async () => {
    const target = `https://localhost:${server.port}`;
    const args = [target, '--resolve', `localhost:${server.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--timeout', '4s', '--json'];
    const without = await runCli(args, { env: cleanEnv() });
    expect(without.report!.rootCause).toBe('TLS_CLIENT_CERT_REQUIRED');
    const cmds = without.report!.diagnoses[0]!.remediation.map((r) => r.command ?? '').join('\n');
    expect(cmds).toContain(`--cert client.pem --key client-key.pem`);
    expect(cmds).toMatch(/^diagnose https:\/\/localhost:\d+ --resolve .* --cert client\.pem --key client-key\.pem$/m);

    const withCert = await runCli([...args, '--cert', join(dir, 'client.pem'), '--key', join(dir, 'client-key.pem')], { env: cleanEnv() });
    expect(stageOf(withCert.report!, 'tls').status, server.output()).toBe('pass');
    // s_server -www answers the request with its status page: the http stage ran over the same client certificate.
    expect(stageOf(withCert.report!, 'http').data).toMatchObject({ status: 200 });
    expect(withCert.report!.diagnoses.map((d) => d.code)).not.toContain('TLS_CLIENT_CERT_REQUIRED');
  });
});
