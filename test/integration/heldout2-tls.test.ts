/**
 * Second held-out run, class 1 (TLS, one verdict from the chain Node built), on the merged code:
 * an expired intermediate that IS on the verified path must fail, and its owner follows the host
 * (a provider's public name vs the user's own loopback/private server, whatever --provider says);
 * a leaf valid for another name behind --connect-to; an inspection product's root the user passed
 * with --ca (their chosen trust, not interception); a private CA in front of localhost.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startOpensslServer } from '../../fixtures/openssl-server.js';
import { CERT_DIR, INTERCEPT_ROOT_PATH, TEST_CA_PATH, startTlsServer } from '../../fixtures/tls-server.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();
const KEY = 'sk-proj-Rf4Tg7Yh2Jk9Lm3Nb6Vc8Xz1';
const pem = (n: string) => readFileSync(join(CERT_DIR, n), 'utf8');
const viaExpired = () => ({ key: pem('ho-leaf-via-expired-key.pem'), cert: pem('ho-leaf-via-expired.pem') + pem('ho-inter-expired.pem') });
const diag = (r: Report, code: string) => r.diagnoses.find((d) => d.code === code)!;
const all = (r: Report) => JSON.stringify(r.diagnoses);

describe('an expired intermediate on the verified path fails, and the owner follows the host', () => {
  it('localhost: TLS_CERT_EXPIRED names the intermediate; the server is the user\'s own (owner gateway, not provider)', async () => {
    const s = await keep(startTlsServer({ cert: viaExpired() }));
    const run = await runCli([`https://localhost:${s.port}/v1`, '--resolve', `localhost:${s.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--json', '--timeout', '3s']);
    expect(run.code).toBe(12);
    expect(run.report!.rootCause).toBe('TLS_CERT_EXPIRED');
    const d = diag(run.report!, 'TLS_CERT_EXPIRED');
    expect(d.evidence[0]).toMatch(/intermediate CA certificate chain\[1\].*Issuing CA \(old\)/);
    expect(d.owner).toBe('gateway');
  });

  it('the same loopback server with --provider openai is still not the provider\'s to fix', async () => {
    const s = await keep(startTlsServer({ cert: viaExpired() }));
    const run = await runCli([`https://localhost:${s.port}/v1`, '--provider', 'openai', '--resolve', `localhost:${s.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--json', '--timeout', '3s']);
    expect(run.report!.rootCause).toBe('TLS_CERT_EXPIRED');
    expect(diag(run.report!, 'TLS_CERT_EXPIRED').owner).toBe('gateway');
  });

  it('an IP literal served by openssl s_server with the stale chain file: fails, owner gateway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ud-h2tls-'));
    const chainFile = join(dir, 'chain.pem');
    writeFileSync(chainFile, pem('ho-inter-expired.pem'));
    const s = await keep(startOpensslServer({ cert: 'ho-leaf-via-expired', args: ['-cert_chain', chainFile] }));
    const run = await runCli([`https://127.0.0.1:${s.port}/v1`, '--provider', 'openai', '--ca', TEST_CA_PATH, '--json', '--timeout', '3s']);
    expect(run.code).toBe(12);
    expect(stageOf(run.report!, 'tls').status).toBe('fail');
    expect(diag(run.report!, 'TLS_CERT_EXPIRED').owner).toBe('gateway');
  });

  it('the provider\'s public name (api.openai.com, reached with --connect-to): owner provider', async () => {
    const s = await keep(startTlsServer({ cert: { key: pem('ho-leaf-via-expired-key.pem'), cert: pem('ho-leaf-via-expired.pem') + pem('ho-inter-expired.pem') } }));
    // The leaf names localhost/api.test only: a name mismatch comes too, but the date is the root cause.
    const run = await runCli(['https://api.openai.com/v1', '--connect-to', `api.openai.com:443:127.0.0.1:${s.port}`, '--ca', TEST_CA_PATH, '--json', '--timeout', '3s'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toContain('TLS_CERT_EXPIRED');
    expect(diag(run.report!, 'TLS_CERT_EXPIRED').owner).toBe('provider');
    expect(codesOf(run.report!)).not.toContain('TLS_INTERCEPTED');
  });
});

describe('names behind --connect-to', () => {
  it('a leaf valid for another name: TLS_HOSTNAME_MISMATCH for the name asked, naming what the certificate covers', async () => {
    const s = await keep(startTlsServer({ cert: 'wronghost' }));
    const run = await runCli(['https://api.test/v1', '--connect-to', `api.test:443:127.0.0.1:${s.port}`, '--ca', TEST_CA_PATH, '--json', '--timeout', '3s']);
    expect(run.code).toBe(12);
    expect(run.report!.rootCause).toBe('TLS_HOSTNAME_MISMATCH');
    const d = diag(run.report!, 'TLS_HOSTNAME_MISMATCH');
    expect(d.evidence.join('\n')).toContain('api.test');
    expect(d.evidence.join('\n')).toContain('wrong-host.example');
    expect(codesOf(run.report!)).not.toContain('TLS_UNTRUSTED_CA');
  });

  it('--connect-to another name whose certificate is valid there: the name checked is the target\'s', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const run = await runCli(['https://llm.internal.test/v1', '--connect-to', `llm.internal.test:443:localhost:${s.port}`, '--resolve', `localhost:${s.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--json', '--timeout', '3s']);
    expect(run.report!.rootCause).toBe('TLS_HOSTNAME_MISMATCH');
    expect(diag(run.report!, 'TLS_HOSTNAME_MISMATCH').evidence[0]).toContain('llm.internal.test');
  });
});

describe('interception is not the user\'s own choice of root', () => {
  it('an inspection product\'s root passed with --ca, on api.openai.com: the chain verified to the chosen root, no TLS_INTERCEPTED', async () => {
    const s = await keep(startTlsServer({ cert: 'intercept' }));
    const run = await runCli(['https://api.openai.com/v1', '--connect-to', `api.openai.com:443:127.0.0.1:${s.port}`, '--ca', INTERCEPT_ROOT_PATH, '--json', '--timeout', '3s'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(codesOf(run.report!)).not.toContain('TLS_INTERCEPTED');
    expect(run.code).toBe(0);
  });

  it('control: the same forged chain without --ca is interception by the product named', async () => {
    const s = await keep(startTlsServer({ cert: 'intercept' }));
    const run = await runCli(['https://api.openai.com/v1', '--connect-to', `api.openai.com:443:127.0.0.1:${s.port}`, '--json', '--timeout', '3s'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    expect(run.report!.rootCause).toBe('TLS_INTERCEPTED');
    expect(diag(run.report!, 'TLS_INTERCEPTED').evidence[0]).toContain('Zscaler');
  });

  it('a private CA in front of localhost, not trusted: TLS_UNTRUSTED_CA, no interception, no "public API" claim', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    for (const extra of [[], ['--provider', 'openai']]) {
      const run = await runCli([`https://localhost:${s.port}/v1`, '--resolve', `localhost:${s.port}:127.0.0.1`, '--json', '--timeout', '3s', ...extra]);
      expect(run.code).toBe(12);
      expect(run.report!.rootCause).toBe('TLS_UNTRUSTED_CA');
      expect(codesOf(run.report!)).not.toContain('TLS_INTERCEPTED');
      expect(all(run.report!)).not.toMatch(/public API|public root/);
    }
  });
});
