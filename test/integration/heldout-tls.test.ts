/**
 * Held-out TLS scenarios: peers and certificates the tls stage's own tests do not use. Real
 * `openssl s_server` and real nginx as TLS peers beside Node servers; chains that are incomplete or
 * carry an expired intermediate; names a wildcard or an IP target miss; servers that refuse by
 * alert (old versions only, a client certificate demanded, no common ALPN, an unknown SNI); and
 * interception CAs from products and in-house names no table lists. Nothing here asks DNS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { startOpensslServer } from '../../fixtures/openssl-server.js';
import { CERT_DIR, TEST_CA_PATH, startTlsServer } from '../../fixtures/tls-server.js';
import { listenFixture } from '../../fixtures/listen.js';
import type { Report } from '../../src/report.js';
import { codesOf, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();

const pem = (n: string) => readFileSync(join(CERT_DIR, n), 'utf8');
/** A key pair from fixtures/certs (make-heldout-certs.sh), with extra certificates appended to the chain. */
const pair = (leaf: string, extra: string[] = []) => ({ key: pem(`${leaf}-key.pem`), cert: pem(`${leaf}.pem`) + extra.map(pem).join('') });

/** Diagnose https://HOST:PORT pinned to 127.0.0.1 (SNI = HOST, no DNS). */
function diagnose(port: number, extra: string[] = [], host = 'localhost') {
  return runCli([`https://${host}:${port}/v1`, '--resolve', `${host}:${port}:127.0.0.1`, '--json', '--timeout', '3s', ...extra]);
}
const first = (r: Report) => r.diagnoses[0]!;
const text = (r: Report) => first(r).evidence.join('\n');

describe('held-out tls: chains', () => {
  it('a server that forgot its intermediate: untrusted, and said to be an incomplete chain', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-leaf-via-inter') }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_UNTRUSTED_CA']);
    expect(first(run.report!).details).toMatchObject({ incompleteChain: true, missingIssuer: 'CN=Upstream Doctor Test Issuing CA 1, O=upstream-doctor tests', chainLength: 1 });
    expect(first(run.report!).details.rootSubject).toBeUndefined();
    expect(text(run.report!)).toMatch(/intermediate/);
  });

  it('the same leaf with its intermediate sent passes', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-leaf-via-inter', ['ho-inter.pem']) }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect((stageOf(run.report!, 'tls').data.chain as unknown[]).length).toBe(3);
  });

  it('an expired intermediate under a valid leaf: TLS_CERT_EXPIRED naming the intermediate, clocks agree', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-leaf-via-expired', ['ho-inter-expired.pem']) }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    const d = first(run.report!);
    expect(d.code).toBe('TLS_CERT_EXPIRED');
    expect(d.details).toMatchObject({ chainIndex: 1, clockWrong: false, subject: 'CN=Upstream Doctor Test Issuing CA (old), O=upstream-doctor tests' });
    expect(d.evidence[0]).toMatch(/intermediate/);
    expect(d.owner).not.toBe('you');
  });
});

describe('held-out tls: names', () => {
  it('a wildcard does not cover a name two labels below it', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-wildcard') }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH], 'eu.west.api.test');
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_HOSTNAME_MISMATCH']);
    expect(first(run.report!).details.sans).toEqual(['DNS:*.api.test']);
    expect(text(run.report!)).toMatch(/exactly one label/);
    // ... and one label below is fine.
    const okRun = await diagnose(s.port, ['--ca', TEST_CA_PATH], 'eu.api.test');
    expect(stageOf(okRun.report!, 'tls').status).toBe('pass');
  });

  it('nor the bare name it is a wildcard of', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-wildcard') }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH], 'api.test');
    expect(codesOf(run.report!)).toEqual(['TLS_HOSTNAME_MISMATCH']);
    expect(text(run.report!)).toMatch(/not api\.test itself/);
  });

  it('an IP-literal target against a certificate with names only: the way out is to connect by name', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-names-only') }));
    const run = await runCli([`https://127.0.0.1:${s.port}/v1`, '--json', '--timeout', '3s', '--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_HOSTNAME_MISMATCH']);
    expect(text(run.report!)).toMatch(/lists no IP address.*--resolve/s);
    expect(text(run.report!)).not.toMatch(/list: $/m);
  });

  it('a legacy certificate with the name only in its CN: Node still accepts it, so the run passes', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-cn-only') }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect((stageOf(run.report!, 'tls').data.chain as Array<{ sans: string[] }>)[0]!.sans).toEqual([]);
  });
});

describe('held-out tls: a real openssl s_server refusing by alert', () => {
  it('TLS 1.0 only: TLS_PROTOCOL_ERROR, alert protocol_version, the server side owns it', async () => {
    const s = await keep(startOpensslServer({ args: ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'] }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(run.code, s.output()).toBe(12);
    const d = first(run.report!);
    expect(d.code).toBe('TLS_PROTOCOL_ERROR');
    expect(d.details).toMatchObject({ kind: 'alert', meaning: 'version', alert: 'protocol_version', alertNumber: 70 });
    expect(d.owner).toBe('gateway');
    expect(d.evidence.join('\n')).toMatch(/TLS versions offered/);
  });

  it('a client certificate demanded over TLS 1.3: caught right after the handshake, not left to the http stage', async () => {
    const s = await keep(startOpensslServer({ args: ['-Verify', '1', '-verifyCAfile', TEST_CA_PATH] }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(run.code, s.output()).toBe(12);
    expect(run.report!.rootCause).toBe('TLS_CLIENT_CERT_REQUIRED');
    const d = first(run.report!);
    expect(d.details).toMatchObject({ alert: 'certificate_required', alertNumber: 116, afterHandshake: true });
    expect(d).toMatchObject({ origin: 'gateway', owner: 'you', retry: 'no' });
    expect(stageOf(run.report!, 'http').status).toBe('skip');
  });

  it('a client certificate demanded over TLS 1.2: handshake_failure read with the CertificateRequest seen on the wire', async () => {
    const s = await keep(startOpensslServer({ args: ['-Verify', '1', '-tls1_2', '-verifyCAfile', TEST_CA_PATH] }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(run.report!.rootCause).toBe('TLS_CLIENT_CERT_REQUIRED');
    expect(first(run.report!).details).toMatchObject({ alert: 'handshake_failure', certRequested: true });
  });

  it('an optional client certificate (-verify) is no failure', async () => {
    const s = await keep(startOpensslServer({ args: ['-verify', '1', '-verifyCAfile', TEST_CA_PATH] }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
  });

  it('a fatal alert for an SNI it does not serve: unrecognized_name, check the host name', async () => {
    const s = await keep(startOpensslServer({ args: ['-servername', 'api.test', '-servername_fatal', '-cert2', join(CERT_DIR, 'valid.pem'), '-key2', join(CERT_DIR, 'valid-key.pem')] }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    const d = first(run.report!);
    expect(d.code).toBe('TLS_PROTOCOL_ERROR');
    expect(d.details).toMatchObject({ meaning: 'sni', alert: 'unrecognized_name' });
    expect(d.evidence.join('\n')).toContain('(localhost)');
    expect(d.owner).toBe('you');
    // The name it does serve passes.
    const good = await diagnose(s.port, ['--ca', TEST_CA_PATH], 'api.test');
    expect(stageOf(good.report!, 'tls').status).toBe('pass');
  });

  it('no ALPN in common: no_application_protocol, the offer is named', async () => {
    const s = await keep(startOpensslServer({ args: ['-alpn', 'grpc-exp'] }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    const d = first(run.report!);
    expect(d.details).toMatchObject({ meaning: 'alpn', alertNumber: 120 });
    // The tls stage offers what the request will use (issue 11): http/1.1 alone unless --http2.
    expect(d.evidence.join('\n')).toContain('(http/1.1)');
    // A server that takes h2 neither is no h2-only server: the refusal stays a TLS one.
    expect(d.code).toBe('TLS_PROTOCOL_ERROR');
  });
});

describe('held-out tls: Node and nginx peers', () => {
  it('a Node TLS server speaking only a non-HTTP ALPN protocol', async () => {
    const server: TlsServer = createTlsServer({ ...pair('valid'), ALPNProtocols: ['x-custom/1'] }, (c) => c.end());
    server.on('tlsClientError', () => undefined);
    const { port } = await keep(listenFixture(server));
    const run = await diagnose(port, ['--ca', TEST_CA_PATH]);
    expect(first(run.report!).details).toMatchObject({ meaning: 'alpn' });
  });

  it.skipIf(!nginxPath())('nginx with ssl_reject_handshake: unrecognized_name', async () => {
    const ng = await keep(startNginx({ server: `ssl on; ssl_certificate ${join(CERT_DIR, 'valid.pem')}; ssl_certificate_key ${join(CERT_DIR, 'valid-key.pem')}; ssl_reject_handshake on;` }));
    const run = await diagnose(ng.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    expect(first(run.report!).details).toMatchObject({ meaning: 'sni', alert: 'unrecognized_name' });
  });

  it.skipIf(!nginxPath())('nginx that only allows TLS 1.3 with a client certificate required', async () => {
    const ng = await keep(
      startNginx({
        server: `ssl on; ssl_protocols TLSv1.3; ssl_certificate ${join(CERT_DIR, 'valid.pem')}; ssl_certificate_key ${join(CERT_DIR, 'valid-key.pem')}; ssl_client_certificate ${TEST_CA_PATH}; ssl_verify_client on; location / { return 200 "ok"; }`,
      }),
    );
    const run = await diagnose(ng.port, ['--ca', TEST_CA_PATH]);
    // nginx finishes the handshake and answers the request with a 400 page ("No required SSL certificate was sent"):
    // the handshake itself is healthy, and the refusal is an HTTP answer, not a TLS one.
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(run.code).not.toBe(3);
  });
});

describe('held-out tls: interception by names no table lists', () => {
  it('an in-house "SSL Inspection CA" on api.groq.com (/v1: provider openai-compatible): TLS_INTERCEPTED, not UNTRUSTED_CA', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-inspect-corp-leaf') }));
    const run = await diagnose(s.port, [], 'api.groq.com');
    expect(run.code).toBe(12);
    expect(run.report!.target.provider).toBe('openai-compatible');
    expect(codesOf(run.report!)).toEqual(['TLS_INTERCEPTED']);
    expect(first(run.report!).details).toMatchObject({ product: 'a TLS inspection CA (product not named)', trusted: false, issuerOfTop: 'O=Example Corp, OU=IT Security, CN=Example Corp SSL Inspection CA' });
    expect(first(run.report!).remediation.map((r) => `${r.text} ${r.command ?? ''}`).join('\n')).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED=0/);
  });

  it('Cato Networks on api.openai.com: the product is named', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-inspect-cato-leaf') }));
    const run = await diagnose(s.port, [], 'api.openai.com');
    expect(first(run.report!)).toMatchObject({ code: 'TLS_INTERCEPTED', origin: 'network', owner: 'network' });
    expect(first(run.report!).details.product).toBe('Cato Networks');
  });

  it('an unnamed private CA on a well-known host with --provider openai-compatible is interception', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-leaf-via-inter', ['ho-inter.pem']) }));
    // The test CA is not trusted here: a private chain where a public one must be.
    const run = await runCli([`https://api.mistral.ai:${s.port}/v1`, '--resolve', `api.mistral.ai:${s.port}:127.0.0.1`, '--provider', 'openai-compatible', '--json', '--timeout', '3s']);
    expect(codesOf(run.report!)).toContain('TLS_INTERCEPTED');
  });

  it('a Forward-Trust CA passed with --ca on an internal gateway: the user\'s chosen root, no interception verdict, the run goes on', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-inspect-fwdtrust-leaf') }));
    const run = await diagnose(s.port, ['--ca', join(CERT_DIR, 'ho-inspect-fwdtrust-root.pem')], 'llm.corp.test');
    expect(run.code).toBe(0);
    expect(run.report!.diagnoses.map((d) => d.code)).not.toContain('TLS_INTERCEPTED');
    expect(stageOf(run.report!, 'tls').summary).toMatch(/--ca root of .*inspection product/);
    expect(stageOf(run.report!, 'http').status).toBe('pass');
  });
});
