/**
 * The tls stage against fixture servers that fail on purpose, through the in-process CLI.
 * Targets are IP literals or --resolve pins: nothing here asks DNS.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startBlackhole, startCloser, startPlainHttp, startResetter, startSpeaker } from '../../fixtures/tcp-servers.js';
import { INTERCEPT_ROOT_PATH, TEST_CA_PATH, makeExpiringCert, startTlsServer, type TlsFixture } from '../../fixtures/tls-server.js';
import { startProxy } from '../../fixtures/proxy-servers.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();

/** Diagnose https://localhost:PORT pinned to 127.0.0.1 (SNI = localhost, no DNS). */
function diagnoseLocal(port: number, extra: string[] = []) {
  return runCli([`https://localhost:${port}/v1`, '--resolve', `localhost:${port}:127.0.0.1`, '--json', '--timeout', '3s', ...extra]);
}

interface Chain {
  subject: string;
  issuer: string;
  sans: string[];
  validFrom: string;
  validTo: string;
  sha256: string;
  selfSigned: boolean;
}

describe('tls stage: healthy', () => {
  let srv: TlsFixture;
  beforeAll(async () => {
    srv = await keep(startTlsServer({ cert: 'valid', alpn: ['h2', 'http/1.1'] }));
  });

  it('passes with the test CA, records protocol, ALPN and the whole chain', async () => {
    const run = await diagnoseLocal(srv.port, ['--ca', TEST_CA_PATH]);
    const r = run.report!;
    const tls = stageOf(r, 'tls');
    expect(tls.status).toBe('pass');
    expect(codesOf(r).filter((c) => c.startsWith('TLS_') || c.startsWith('TCP_'))).toEqual([]);
    expect(tls.data.sni).toBe('localhost');
    // The server offers h2 and http/1.1; the tool offers only what its HTTP/1.1 request will use
    // (issue 11: offering h2 hid h2-only servers until the request failed). --http2 offers h2 first.
    expect(tls.data.alpn).toBe('http/1.1');
    expect(tls.data.alpnOffered).toEqual(['http/1.1']);
    expect(String(tls.data.protocol)).toMatch(/^TLSv1\.[23]$/);
    expect(tls.data.verifyError).toBeNull();
    const chain = tls.data.chain as Chain[];
    expect(chain[0]!.subject).toContain('CN=localhost');
    expect(chain[0]!.sans).toContain('DNS:localhost');
    expect(chain[0]!.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // Node completes the chain from the trust store: the test root is there, self-signed.
    expect(chain.at(-1)!.subject).toContain('Upstream Doctor Test Root CA');
    expect(chain.at(-1)!.selfSigned).toBe(true);
    expect(stageOf(r, 'tcp').status).toBe('pass');
  });

  it('an IP-literal target sends no SNI and checks the IP against the certificate', async () => {
    const run = await runCli([`https://127.0.0.1:${srv.port}`, '--json', '--timeout', '3s', '--ca', TEST_CA_PATH]);
    const tls = stageOf(run.report!, 'tls');
    expect(tls.status).toBe('pass');
    expect(tls.data.sni).toBeUndefined();
  });

  it('plain http targets skip the stage', async () => {
    const run = await runCli([`http://127.0.0.1:${srv.port}`, '--json', '--timeout', '3s']);
    const tls = stageOf(run.report!, 'tls');
    expect(tls.status).toBe('skip');
    expect(tls.summary).toContain('plain http');
  });
});

describe('tls stage: certificate problems (exit 12)', () => {
  it('untrusted: the same valid certificate without --ca', async () => {
    const srv = await keep(startTlsServer({ cert: 'valid' }));
    const run = await diagnoseLocal(srv.port);
    expect(run.code).toBe(12);
    expect(run.report!.rootCause).toBe('TLS_UNTRUSTED_CA');
    const d = run.report!.diagnoses[0]!;
    // A lone leaf from an unknown CA: OpenSSL names it one of these two ways.
    expect(d.details.verifyError).toMatch(/^UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT_LOCALLY)$/);
    // The chain is kept although verification failed.
    expect((stageOf(run.report!, 'tls').data.chain as Chain[])[0]!.subject).toContain('CN=localhost');
  });

  it('self-signed', async () => {
    const srv = await keep(startTlsServer({ cert: 'selfsigned' }));
    const run = await diagnoseLocal(srv.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_UNTRUSTED_CA']);
    expect(run.report!.diagnoses[0]!.details.verifyError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect((stageOf(run.report!, 'tls').data.chain as Chain[])[0]!.selfSigned).toBe(true);
  });

  it('wrong host: a trusted chain for another name', async () => {
    const srv = await keep(startTlsServer({ cert: 'wronghost' }));
    const run = await diagnoseLocal(srv.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_HOSTNAME_MISMATCH']);
    expect(run.report!.diagnoses[0]!.details.sans).toEqual(['DNS:wrong-host.example']);
  });

  it('expired, with a clock check against the server Date (clocks agree: the certificate really expired)', async () => {
    const srv = await keep(startTlsServer({ cert: 'expired' }));
    const run = await diagnoseLocal(srv.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('TLS_CERT_EXPIRED');
    expect(d.details.clockWrong).toBe(false);
    expect(Math.abs(d.details.clockSkewSeconds as number)).toBeLessThanOrEqual(60);
    expect(d.owner).not.toBe('you');
    expect(d.evidence.join('\n')).toMatch(/Date header/);
    expect(srv.requests()).toBe(1);
    expect(d.remediation.map((s) => s.command ?? '').join('\n')).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED/);
  });

  it('not yet valid, and the server clock says 2045: the local clock is wrong', async () => {
    const srv = await keep(startTlsServer({ cert: 'notyet', date: () => new Date('2045-06-01T12:00:00Z') }));
    const run = await diagnoseLocal(srv.port, ['--ca', TEST_CA_PATH]);
    expect(run.code).toBe(12);
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('TLS_CERT_NOT_YET_VALID');
    expect(d.details.clockWrong).toBe(true);
    expect(d.origin).toBe('local');
    expect(d.owner).toBe('you');
    expect(d.details.serverDate).toBe('Thu, 01 Jun 2045 12:00:00 GMT');
  });

  it('not yet valid by both clocks', async () => {
    const srv = await keep(startTlsServer({ cert: 'notyet' }));
    const run = await diagnoseLocal(srv.port, ['--ca', TEST_CA_PATH]);
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('TLS_CERT_NOT_YET_VALID');
    expect(d.details.clockWrong).toBe(false);
  });

  it('expiring within 14 days: a warning, and the run goes on', async () => {
    const srv = await keep(startTlsServer({ cert: makeExpiringCert(5) }));
    const run = await diagnoseLocal(srv.port, ['--ca', TEST_CA_PATH]);
    const tls = stageOf(run.report!, 'tls');
    expect(tls.status).toBe('warn');
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_CERT_EXPIRING')!;
    expect(d.severity).toBe('warning');
    expect(d.details.daysLeft).toBeGreaterThanOrEqual(4);
    expect(d.details.daysLeft).toBeLessThanOrEqual(5);
    expect(run.report!.rootCause === undefined || !run.report!.rootCause.startsWith('TLS_')).toBe(true);
  });
});

describe('tls stage: interception', () => {
  it('a chain from an intercepting product is TLS_INTERCEPTED, naming the product', async () => {
    const srv = await keep(startTlsServer({ cert: 'intercept' }));
    const run = await runCli([`https://api.openai.com:${srv.port}/v1`, '--resolve', `api.openai.com:${srv.port}:127.0.0.1`, '--json', '--timeout', '3s']);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_INTERCEPTED']);
    const d = run.report!.diagnoses[0]!;
    expect(d.details.product).toBe('Zscaler');
    expect(d.details.trusted).toBe(false);
    const steps = d.remediation.map((s) => `${s.text} ${s.command ?? ''}`).join('\n');
    expect(steps).toContain('NODE_EXTRA_CA_CERTS');
    expect(steps).not.toMatch(/NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*0/);
  });

  it('a root that is in the system CA bundle (which Node ignores) is pointed out', async () => {
    const srv = await keep(startTlsServer({ cert: 'intercept' }));
    const env = cleanEnv({ SSL_CERT_FILE: INTERCEPT_ROOT_PATH });
    const run = await runCli([`https://api.openai.com:${srv.port}`, '--resolve', `api.openai.com:${srv.port}:127.0.0.1`, '--json', '--timeout', '3s'], { env });
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('TLS_INTERCEPTED');
    expect(d.details.inSystemStore).toBe(true);
    expect(d.evidence.join('\n')).toContain(`the system CA bundle ${INTERCEPT_ROOT_PATH} does hold this root`);
    expect(d.remediation.map((s) => s.command)).toContain(`NODE_EXTRA_CA_CERTS=${INTERCEPT_ROOT_PATH} node app.js`);
    // Without it, the real system bundle has no such root.
    const plain = await runCli([`https://api.openai.com:${srv.port}`, '--resolve', `api.openai.com:${srv.port}:127.0.0.1`, '--json', '--timeout', '3s']);
    expect(plain.report!.diagnoses[0]!.details.inSystemStore).toBe(false);
  });

  it('when the intercepting root is the one passed with --ca, it is the user\'s chosen trust: no finding, the summary names the product', async () => {
    const srv = await keep(startTlsServer({ cert: 'intercept' }));
    const run = await diagnoseLocal(srv.port, ['--ca', INTERCEPT_ROOT_PATH]);
    const tls = stageOf(run.report!, 'tls');
    expect(tls.status).toBe('pass');
    expect(codesOf(run.report!)).not.toContain('TLS_INTERCEPTED');
    expect(tls.summary).toContain('--ca root of Zscaler');
  });

  it('an unnamed private CA on a public API host is interception too', async () => {
    const srv = await keep(startTlsServer({ cert: 'valid' }));
    const run = await runCli([`https://api.anthropic.com:${srv.port}`, '--resolve', `api.anthropic.com:${srv.port}:127.0.0.1`, '--json', '--timeout', '3s']);
    expect(codesOf(run.report!)).toContain('TLS_INTERCEPTED');
    expect(run.report!.diagnoses[0]!.details.product).toBe('unidentified');
  });
});

describe('tls stage: handshake failures (exit 12)', () => {
  it('a reset after the ClientHello is TLS_HANDSHAKE_RESET', async () => {
    const srv = await keep(startResetter('first-bytes'));
    const run = await diagnoseLocal(srv.port);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_HANDSHAKE_RESET']);
    const d = run.report!.diagnoses[0]!;
    expect(d.details.kind).toBe('reset');
    expect(d.details.bytesWritten).toBeGreaterThan(0);
    expect(d.details.bytesRead).toBe(0);
    expect(stageOf(run.report!, 'tcp').status).toBe('pass');
  });

  it('a clean close mid-handshake is TLS_HANDSHAKE_RESET too, told apart as closed', async () => {
    const srv = await keep(startCloser());
    const run = await diagnoseLocal(srv.port);
    expect(codesOf(run.report!)).toEqual(['TLS_HANDSHAKE_RESET']);
    expect(run.report!.diagnoses[0]!.details.kind).toBe('closed');
  });

  it('a reset right at accept', async () => {
    const srv = await keep(startResetter('accept'));
    const run = await diagnoseLocal(srv.port);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_HANDSHAKE_RESET']);
  });

  it('a blackhole is TLS_HANDSHAKE_TIMEOUT and marks a stall for the mtu stage', async () => {
    const srv = await keep(startBlackhole());
    const run = await runCli([`https://localhost:${srv.port}`, '--resolve', `localhost:${srv.port}:127.0.0.1`, '--json', '--timeout', '1500ms']);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toContain('TLS_HANDSHAKE_TIMEOUT');
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_HANDSHAKE_TIMEOUT')!;
    expect(d.details.noBytesBack).toBe(true);
    expect(d.details.bytesWritten).toBeGreaterThan(0);
    expect(stageOf(run.report!, 'tls').status).toBe('fail');
    // The mtu stage ran on the stall and ruled MTU out: the stall's steps no longer point there.
    expect(codesOf(run.report!)).toContain('MTU_RULED_OUT');
    expect(JSON.stringify(d.remediation)).not.toMatch(/--mtu|tun0 mtu/);
  });

  it('a plain HTTP server on the port is TLS_PROTOCOL_ERROR, and the first bytes say so', async () => {
    const srv = await keep(startPlainHttp());
    const run = await diagnoseLocal(srv.port);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_PROTOCOL_ERROR']);
    const d = run.report!.diagnoses[0]!;
    expect(d.details.peerSpeaks).toBe('http');
    expect(String(d.details.firstBytes)).toContain('HTTP/1.1 400');
  });

  it('an SSH banner on the port: TLS_PROTOCOL_ERROR, peer speaks ssh', async () => {
    const srv = await keep(startSpeaker({ bytes: Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n') }));
    const run = await diagnoseLocal(srv.port);
    expect(codesOf(run.report!)).toEqual(['TLS_PROTOCOL_ERROR']);
    expect(run.report!.diagnoses[0]!.details.peerSpeaks).toBe('ssh');
  });

  it('endless junk cannot keep the tool busy: TLS_PROTOCOL_ERROR at once', async () => {
    const srv = await keep(startSpeaker({ bytes: Buffer.alloc(16 * 1024, 0xa5), everyMs: 1 }));
    const run = await diagnoseLocal(srv.port);
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).toEqual(['TLS_PROTOCOL_ERROR']);
    expect(run.report!.internalErrors).toBeUndefined();
  });

  it('a handshake that starts and never ends: TLS_HANDSHAKE_TIMEOUT with the bytes that did come', async () => {
    // A TLS handshake record header announcing 16 KB, then one byte every 100 ms.
    const srv = await keep(startSpeaker({ bytes: Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]), everyMs: 100 }));
    const run = await runCli([`https://localhost:${srv.port}`, '--resolve', `localhost:${srv.port}:127.0.0.1`, '--json', '--timeout', '1500ms']);
    // The mtu stage runs on this stall, but a peer that dribbles the same bytes to every probe
    // gives no size contrast: the TLS stall stays the root cause.
    expect(run.code).toBe(12);
    expect(codesOf(run.report!)).not.toContain('MTU_BLACKHOLE_SUSPECTED');
    expect(stageOf(run.report!, 'tls').status).toBe('fail');
    const d = run.report!.diagnoses.find((x) => x.code === 'TLS_HANDSHAKE_TIMEOUT')!;
    expect(d.details.noBytesBack).toBe(false);
    expect(d.details.bytesRead as number).toBeGreaterThan(0);
    expect(run.report!.internalErrors).toBeUndefined();
  });

  it('a closed port stops at tcp (exit 11) and tls is skipped', async () => {
    const port = await closedPort();
    const run = await diagnoseLocal(port.port);
    expect(run.code).toBe(11);
    expect(stageOf(run.report!, 'tls').status).toBe('skip');
  });
});

describe('tls stage through a forward proxy tunnel', () => {
  /** https://api.test:PORT through a CONNECT proxy that maps api.test to 127.0.0.1; the pin keeps any lookup off DNS. */
  async function viaProxy(port: number, extra: string[] = []) {
    const proxy = await keep(startProxy({ kind: 'allow', hosts: { 'api.test': '127.0.0.1' } }));
    const run = await runCli([`https://api.test:${port}/v1`, '--proxy', `http://127.0.0.1:${proxy.port}`, '--resolve', `api.test:${port}:127.0.0.1`, '--json', '--timeout', '3s', ...extra]);
    return { run, proxy };
  }

  it('a healthy handshake inside the tunnel, SNI = the target host', async () => {
    const srv = await keep(startTlsServer({ cert: 'valid' }));
    const { run, proxy } = await viaProxy(srv.port, ['--ca', TEST_CA_PATH]);
    expect(proxy.requests.map((r) => r.authority)).toContain(`api.test:${srv.port}`);
    const tls = stageOf(run.report!, 'tls');
    expect(tls.status).toBe('pass');
    expect(tls.data.sni).toBe('api.test');
  });

  it('plain HTTP behind the proxy is TLS_PROTOCOL_ERROR, said to be inside the tunnel', async () => {
    const srv = await keep(startPlainHttp());
    const { run } = await viaProxy(srv.port);
    expect(run.code).toBe(12);
    const d = run.report!.diagnoses[0]!;
    expect(d.code).toBe('TLS_PROTOCOL_ERROR');
    expect(d.details.peerSpeaks).toBe('http');
    expect(d.evidence[0]).toContain('through the proxy tunnel');
    expect(d.evidence[0]).toContain('from the proxy or the target');
  });
});
