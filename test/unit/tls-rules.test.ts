/** The tls rules as tables: handshake facts and clocks in, findings out. No sockets. */
import { describe, expect, it } from 'vitest';
import { decideTls, needsClockCheck, type TlsFacts } from '../../src/diagnose/tls/rules.js';
import type { CertInfo } from '../../src/net/tls/cert.js';
import type { HandshakeFacts } from '../../src/net/tls/probe.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

function cert(over: Partial<CertInfo> = {}): CertInfo {
  return {
    subject: 'CN=api.example.test',
    issuer: 'C=US, O=Public CA Inc, CN=Public CA R1',
    sans: ['DNS:api.example.test'],
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    sha256: 'AA:BB',
    serialNumber: '01',
    selfSigned: false,
    ca: false,
    ...over,
  };
}
const root = (subject = 'C=US, O=Public CA Inc, CN=Public Root') => cert({ subject, issuer: subject, sans: [], ca: true, selfSigned: true, validTo: '2040-01-01T00:00:00.000Z' });

function ok(over: Partial<HandshakeFacts> = {}): HandshakeFacts {
  return { kind: 'ok', ms: 12, bytesWritten: 517, bytesRead: 3000, protocol: 'TLSv1.3', alpn: 'h2', hostname: { ok: true }, chain: [cert(), root()], ...over };
}
function facts(h: HandshakeFacts, over: Partial<TlsFacts> = {}): TlsFacts {
  return { host: 'api.example.test', port: 443, provider: 'generic', handshake: h, nowMs: NOW, extraCa: false, viaProxy: false, ...over };
}
const codes = (f: TlsFacts) => decideTls(f).map((x) => x.code);

describe('decideTls: completed handshakes', () => {
  const cases: Array<{ name: string; f: TlsFacts; codes: string[] }> = [
    { name: 'healthy', f: facts(ok()), codes: [] },
    { name: 'expired leaf (OpenSSL says so)', f: facts(ok({ chainError: 'CERT_HAS_EXPIRED', chain: [cert({ validTo: '2026-05-01T00:00:00.000Z' }), root()] })), codes: ['TLS_CERT_EXPIRED'] },
    {
      name: 'expired but also untrusted: OpenSSL names only the trust, the dates still count',
      f: facts(ok({ chainError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chain: [cert({ validTo: '2026-05-01T00:00:00.000Z' })] })),
      codes: ['TLS_CERT_EXPIRED', 'TLS_UNTRUSTED_CA'],
    },
    { name: 'expired intermediate', f: facts(ok({ chainError: 'CERT_HAS_EXPIRED', chain: [cert(), cert({ subject: 'CN=Inter', ca: true, validTo: '2026-02-01T00:00:00.000Z' }), root()] })), codes: ['TLS_CERT_EXPIRED'] },
    { name: 'not yet valid', f: facts(ok({ chainError: 'CERT_NOT_YET_VALID', chain: [cert({ validFrom: '2026-07-01T00:00:00.000Z' }), root()] })), codes: ['TLS_CERT_NOT_YET_VALID'] },
    { name: 'host name mismatch on a trusted chain', f: facts(ok({ hostname: { ok: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: "Host: x. is not in the cert's altnames" } })), codes: ['TLS_HOSTNAME_MISMATCH'] },
    { name: 'self-signed', f: facts(ok({ chainError: 'DEPTH_ZERO_SELF_SIGNED_CERT', chain: [cert({ selfSigned: true })] })), codes: ['TLS_UNTRUSTED_CA'] },
    { name: 'missing intermediate', f: facts(ok({ chainError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' })), codes: ['TLS_UNTRUSTED_CA'] },
    { name: 'expires in 5 days: warning', f: facts(ok({ chain: [cert({ validTo: new Date(NOW + 5 * DAY).toISOString() }), root()] })), codes: ['TLS_CERT_EXPIRING'] },
    { name: 'expires in 20 days: nothing', f: facts(ok({ chain: [cert({ validTo: new Date(NOW + 20 * DAY).toISOString() }), root()] })), codes: [] },
    {
      name: 'a named interception product on an untrusted chain: INTERCEPTED, not UNTRUSTED_CA',
      f: facts(ok({ chainError: 'SELF_SIGNED_CERT_IN_CHAIN', chain: [cert({ issuer: 'CN=Zscaler Intermediate Root CA (zscaler.net), O=Zscaler Inc.' }), root('O=Zscaler Inc., CN=Zscaler Root CA')] })),
      codes: ['TLS_INTERCEPTED'],
    },
    {
      name: 'an unnamed private CA on a public API host is interception',
      f: facts(ok({ chainError: 'SELF_SIGNED_CERT_IN_CHAIN', chain: [cert({ issuer: 'CN=Corp Root' }), root('CN=Corp Root')] }), { provider: 'openai', host: 'api.openai.com' }),
      codes: ['TLS_INTERCEPTED'],
    },
    {
      name: 'the same private CA on a generic host is just untrusted',
      f: facts(ok({ chainError: 'SELF_SIGNED_CERT_IN_CHAIN', chain: [cert({ issuer: 'CN=Corp Root' }), root('CN=Corp Root')] })),
      codes: ['TLS_UNTRUSTED_CA'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(codes(c.f)).toEqual(c.codes));

  it('interception through a trusted root is a warning that names the product', () => {
    const [f] = decideTls(facts(ok({ chain: [cert({ issuer: 'CN=FGT60E4Q16000000, O=Fortinet' }), root('CN=FGT60E4Q16000000, O=Fortinet')] })));
    expect(f!.code).toBe('TLS_INTERCEPTED');
    expect(f!.severity).toBe('warning');
    expect(f!.details).toMatchObject({ product: 'Fortinet FortiGate', trusted: true });
    expect(f!.params!.product).toBe('Fortinet FortiGate');
  });

  it('an untrusted interception is an error (catalogue severity, no override)', () => {
    const [f] = decideTls(facts(ok({ chainError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', chain: [cert({ issuer: 'CN=mitmproxy, O=mitmproxy' })] })));
    expect(f!.code).toBe('TLS_INTERCEPTED');
    expect(f!.severity).toBeUndefined();
    expect(f!.details!.trusted).toBe(false);
  });
});

describe('decideTls: the clock check', () => {
  const expired = ok({ chainError: 'CERT_HAS_EXPIRED', chain: [cert({ validFrom: '2025-01-01T00:00:00.000Z', validTo: '2026-01-01T00:00:00.000Z' }), root()] });

  it('server clock agrees with ours: the certificate really expired, the server side fixes it', () => {
    const [f] = decideTls(facts(expired, { serverDate: { date: 'x', ms: NOW + 3000 } }));
    expect(f!.details).toMatchObject({ clockWrong: false, clockSkewSeconds: -3 });
    expect(f!.owner).toBe('gateway');
    expect(f!.evidence.join('\n')).toMatch(/valid from 2025-01-01.* local clock says 2026-06-01T12:00:00Z: it expired 152 days before that/);
  });

  it('the same on a provider host makes the provider the owner', () => {
    const [f] = decideTls(facts(expired, { serverDate: { date: 'x', ms: NOW }, provider: 'openai', host: 'api.openai.com' }));
    expect(f!.owner).toBe('provider');
    // --provider alone does not make a name the provider's (issue 11, second held-out run).
    const [g] = decideTls(facts(expired, { serverDate: { date: 'x', ms: NOW }, provider: 'openai' }));
    expect(g!.owner).toBe('gateway');
  });

  it('server clock inside the window and ours months ahead: the local clock is wrong', () => {
    const [f] = decideTls(facts(expired, { serverDate: { date: 'Wed, 01 Oct 2025 00:00:00 GMT', ms: Date.parse('2025-10-01T00:00:00Z') } }));
    expect(f!.details!.clockWrong).toBe(true);
    expect(f!.origin).toBe('local');
    expect(f!.owner).toBe('you');
    expect(f!.evidence.join('\n')).toMatch(/local clock ahead by \d+ s.*local clock is wrong/);
  });

  it('no server date: said so; no owner guessed for a provider\'s name, a name of the user\'s side is theirs', () => {
    const [f] = decideTls(facts(expired, { serverDate: { error: 'no Date header' }, host: 'api.openai.com' }));
    expect(f!.details!.clockWrong).toBeNull();
    expect(f!.owner).toBeUndefined();
    expect(decideTls(facts(expired, { serverDate: { error: 'no Date header' } }))[0]!.owner).toBe('gateway');
    expect(f!.evidence.join('\n')).toContain('no Date header');
  });

  it('needsClockCheck only for a certificate outside its dates', () => {
    expect(needsClockCheck(ok(), NOW)).toBe(false);
    expect(needsClockCheck(expired, NOW)).toBe(true);
    expect(needsClockCheck(ok({ chainError: 'CERT_NOT_YET_VALID' }), NOW)).toBe(true);
    expect(needsClockCheck({ kind: 'reset', ms: 1, bytesWritten: 1, bytesRead: 0 }, NOW)).toBe(false);
  });
});

describe('decideTls: handshakes that did not complete', () => {
  const fail = (h: Partial<HandshakeFacts>) => decideTls(facts({ kind: 'error', ms: 5, bytesWritten: 517, bytesRead: 0, ...h }));

  it('stalled with no byte back: TLS_HANDSHAKE_TIMEOUT, noBytesBack', () => {
    const [f] = fail({ kind: 'timeout', ms: 1800 });
    expect(f!.code).toBe('TLS_HANDSHAKE_TIMEOUT');
    expect(f!.details).toMatchObject({ noBytesBack: true, bytesWritten: 517 });
  });
  it('stalled after part of the answer', () => {
    const [f] = fail({ kind: 'timeout', ms: 1800, bytesRead: 1200 });
    expect(f!.details!.noBytesBack).toBe(false);
    expect(f!.evidence[1]).toContain('stopped after 1200 bytes');
  });
  it('reset and close are one code, two kinds', () => {
    expect(fail({ kind: 'reset', code: 'ECONNRESET' })[0]!).toMatchObject({ code: 'TLS_HANDSHAKE_RESET', details: { kind: 'reset' } });
    expect(fail({ kind: 'closed' })[0]!).toMatchObject({ code: 'TLS_HANDSHAKE_RESET', details: { kind: 'closed' } });
  });
  it('plain HTTP on the port', () => {
    const [f] = fail({ kind: 'not-tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER', head: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', bytesRead: 47 });
    expect(f!.code).toBe('TLS_PROTOCOL_ERROR');
    expect(f!.details).toMatchObject({ peerSpeaks: 'http', firstBytes: '"HTTP/1.1 400 Bad Request"' });
  });
  it('a TLS alert is a protocol error of kind alert', () => {
    const [f] = fail({ kind: 'alert', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', message: 'tlsv1 alert protocol version' });
    expect(f!).toMatchObject({ code: 'TLS_PROTOCOL_ERROR', details: { kind: 'alert', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' } });
  });
  it('through a proxy tunnel the evidence says so', () => {
    const [f] = decideTls(facts({ kind: 'reset', ms: 5, bytesWritten: 517, bytesRead: 0 }, { viaProxy: true }));
    expect(f!.evidence[0]).toContain('through the proxy tunnel');
  });
  it('params fill the openssl command: SNI for names, none for IPs', () => {
    expect(fail({ kind: 'reset' })[0]!.params).toMatchObject({ hostPort: 'api.example.test:443', sniArg: ' -servername api.example.test' });
    const [ip] = decideTls(facts({ kind: 'reset', ms: 1, bytesWritten: 1, bytesRead: 0 }, { host: '::1', port: 8443 }));
    expect(ip!.params).toMatchObject({ hostPort: '[::1]:8443', sniArg: '' });
  });
});
