/**
 * One TLS verdict, from the path Node verified (issue 11, item 1). Real TLS servers on loopback (Node's
 * and `openssl s_server`) with the certificates of fixtures/certs/make-acc-tls-certs.sh:
 * - the 2021 Let's Encrypt shape: an expired cross-signed root sent for old clients, not on the
 *   path a current client verifies, must neither fail the run nor blame anyone;
 * - verify errors the tool had no name for (SHA-1 / MD5 signatures, a client-only certificate) fail
 *   the tls stage with their reason instead of surfacing as an HTTP transport error;
 * - "interception" only where it can be: not a lone self-signed leaf, not a --ca root, not an IP
 *   literal, localhost or a custom host named with --provider.
 * Nothing here asks DNS.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:https';
import { describe, expect, it } from 'vitest';
import { listenFixture } from '../../fixtures/listen.js';
import { startOpensslServer } from '../../fixtures/openssl-server.js';
import { CERT_DIR, TEST_CA_PATH, startTlsServer } from '../../fixtures/tls-server.js';
import type { Report } from '../../src/report.js';
import { codesOf, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();
const pem = (n: string) => readFileSync(join(CERT_DIR, n), 'utf8');
const pair = (leaf: string, extra: string[] = []) => ({ key: pem(`${leaf}-key.pem`), cert: pem(`${leaf}.pem`) + extra.map(pem).join('') });
const tmp = mkdtempSync(join(tmpdir(), 'ud-acc-tls-'));
/** A CA bundle file holding these certificates. */
function bundle(name: string, certs: string[]): string {
  const p = join(tmp, name);
  writeFileSync(p, certs.map(pem).join(''));
  return p;
}

/** An HTTPS server at OpenSSL security level 0, which accepts weak certificates for itself. */
async function startWeakServer(kp: { key: string; cert: string }) {
  const server = createServer({ ...kp, ciphers: 'DEFAULT@SECLEVEL=0' }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"object":"list","data":[]}');
  });
  server.on('tlsClientError', () => undefined);
  return listenFixture(server, { host: '127.0.0.1', scheme: 'https', path: '/' });
}

function diagnose(port: number, extra: string[] = [], host = 'localhost') {
  return runCli([`https://${host}:${port}/v1`, '--resolve', `${host}:${port}:127.0.0.1`, '--json', '--timeout', '3s', ...extra]);
}
const evidence = (r: Report, code: string) => (r.diagnoses.find((d) => d.code === code)?.evidence ?? []).join('\n');

describe('the verified path decides the dates (the 2021 Let\'s Encrypt shape)', () => {
  const LE_CHAIN = ['acc-r3.pem', 'acc-newroot-cross.pem'];

  it('an expired cross-signed root the server still sends is not on the path: the run passes and blames no one', async () => {
    const s = await keep(startTlsServer({ cert: pair('acc-le-leaf', LE_CHAIN) }));
    // The client trusts both roots, as a machine with an older bundle does; the new one wins.
    const run = await diagnose(s.port, ['--ca', bundle('le-both.pem', ['acc-newroot.pem', 'acc-oldroot.pem'])]);
    const tls = stageOf(run.report!, 'tls');
    expect(tls.status).toBe('pass');
    expect(codesOf(run.report!).filter((c) => c.startsWith('TLS_'))).toEqual([]);
    expect(run.code).toBe(0);
    // Node's own chain still runs through the expired cross-sign; the path does not.
    const chain = tls.data.chain as Array<{ subject: string; issuer: string }>;
    expect(chain.some((c) => c.issuer.includes('Old Root X3'))).toBe(true);
    const path = tls.data.verifiedPath as { indexes: number[]; anchor?: { subject: string } };
    expect(path.anchor!.subject).toContain('Upstream Doctor Root X1');
    expect(path.indexes.map((i) => chain[i]!.issuer).some((i) => i.includes('Old Root X3'))).toBe(false);
    expect(tls.summary).toContain('not on the verified path');
  });

  it('the same shape served by openssl s_server, the new root alone trusted', async () => {
    const chainFile = bundle('le-chain.pem', LE_CHAIN);
    const s = await keep(startOpensslServer({ cert: 'acc-le-leaf', args: ['-cert_chain', chainFile] }));
    const run = await diagnose(s.port, ['--ca', join(CERT_DIR, 'acc-newroot.pem')]);
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(codesOf(run.report!)).not.toContain('TLS_CERT_EXPIRED');
  });

  it('a client that trusts only the old root does verify through the expired cross-sign: TLS_CERT_EXPIRED names it', async () => {
    const s = await keep(startTlsServer({ cert: pair('acc-le-leaf', LE_CHAIN) }));
    const run = await diagnose(s.port, ['--ca', join(CERT_DIR, 'acc-oldroot.pem')]);
    expect(run.code).toBe(12);
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_CERT_EXPIRED')!;
    expect(d).toBeDefined();
    expect(String(d.details.subject)).toContain('Root X1');
    expect(d.details.chainIndex).toBeGreaterThan(0);
  });
});

describe('any verify error fails the tls stage, with its reason', () => {
  it('a leaf signed with SHA-1: TLS_CERT_REJECTED (CA_MD_TOO_WEAK) at the tls stage, http skipped', async () => {
    // A server on an old TLS stack (security level 0) still loads and serves it.
    const s = await keep(startWeakServer(pair('acc-sha1')));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    expect(run.report!.rootCause).toBe('TLS_CERT_REJECTED');
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_CERT_REJECTED')!;
    // Node reports OpenSSL's CA_MD_TOO_WEAK as "UNSPECIFIED": the reason is read from the certificate.
    expect(d.details).toMatchObject({ reasonCode: 'CA_MD_TOO_WEAK', weakSignature: 'ecdsa-with-SHA1', fix: 'server' });
    expect(d.evidence.join('\n')).toMatch(/SHA-1 or MD5/);
    expect(stageOf(run.report!, 'tls').status).toBe('fail');
    expect(stageOf(run.report!, 'http').status).toBe('skip');
    expect(codesOf(run.report!)).not.toContain('HTTP_TRANSPORT_ERROR');
  });

  it('a leaf signed with MD5 under an RSA root, served by openssl s_server', async () => {
    const s = await keep(startOpensslServer({ cert: 'acc-md5', args: ['-cipher', 'DEFAULT@SECLEVEL=0'] }));
    const run = await diagnose(s.port, ['--ca', join(CERT_DIR, 'acc-rsaroot.pem')]);
    expect(run.code).toBe(12);
    expect(run.report!.diagnoses[0]).toMatchObject({ code: 'TLS_CERT_REJECTED', details: { reasonCode: 'CA_MD_TOO_WEAK', weakSignature: 'md5WithRSAEncryption' } });
  });

  it('a client-only certificate (extendedKeyUsage clientAuth) on a server: INVALID_PURPOSE, not "untrusted root"', async () => {
    const s = await keep(startTlsServer({ cert: pair('acc-clientonly') }));
    const run = await diagnose(s.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_CERT_REJECTED']);
    expect(run.report!.diagnoses[0]!.details.verifyError).toBe('INVALID_PURPOSE');
    expect(evidence(run.report!, 'TLS_CERT_REJECTED')).toContain('serverAuth');
  });
});

describe('interception is said only where it can be true', () => {
  it('a lone self-signed certificate on api.openai.com is an untrusted certificate, not interception', async () => {
    const s = await keep(startTlsServer({ cert: pair('acc-selfsigned-api') }));
    const run = await diagnose(s.port, [], 'api.openai.com');
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_UNTRUSTED_CA']);
  });

  it('an IP literal with --provider openai and a private chain: untrusted, and no "public API" claim', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const run = await runCli([`https://127.0.0.1:${s.port}/v1`, '--provider', 'openai', '--json', '--timeout', '3s']);
    expect(codesOf(run.report!)).toEqual(['TLS_UNTRUSTED_CA']);
    expect(JSON.stringify(run.report!.diagnoses)).not.toContain('public API');
  });

  it('a custom host named with --provider anthropic: untrusted, not interception', async () => {
    const s = await keep(startTlsServer({ cert: pair('ho-leaf-via-inter', ['ho-inter.pem']) }));
    const run = await diagnose(s.port, ['--provider', 'anthropic'], 'localhost');
    expect(codesOf(run.report!)).toEqual(['TLS_UNTRUSTED_CA']);
  });

  it('a private root the user passes with --ca on a well-known name is their choice: no interception', async () => {
    const s = await keep(startTlsServer({ cert: pair('acc-le-leaf', ['acc-r3.pem']) }));
    // The LE-shape leaf names localhost only: pin api.test (in its SANs) to keep the name check quiet.
    const run = await diagnose(s.port, ['--ca', join(CERT_DIR, 'acc-newroot.pem')], 'api.test');
    expect(stageOf(run.report!, 'tls').status).toBe('pass');
    expect(codesOf(run.report!)).not.toContain('TLS_INTERCEPTED');
  });
});
