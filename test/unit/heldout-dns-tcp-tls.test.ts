/**
 * Held-out review of the dns, tcp and tls rules: failure shapes the original tables did not have,
 * as pure tables (no I/O). Each case is a family, not a string: other products, other wordings.
 */
import { describe, expect, it } from 'vitest';
import { decideDns, type DnsFacts } from '../../src/diagnose/dns/rules.js';
import { matchInterceptor } from '../../src/diagnose/tls/interceptors.js';
import { chainShape, hostnameHints, readAlert } from '../../src/diagnose/tls/explain.js';
import { decideTls, type TlsFacts } from '../../src/diagnose/tls/rules.js';
import type { CertInfo } from '../../src/net/tls/cert.js';
import type { DnsQueryResult } from '../../src/net/dns/query.js';
import type { SystemLookupResult } from '../../src/net/dns/system.js';
import { handshakeTypes } from '../../src/net/tls/records.js';
import type { HandshakeFacts } from '../../src/net/tls/probe.js';

type Q = Partial<DnsQueryResult> & Pick<DnsQueryResult, 'server' | 'type'>;
const q = (x: Q): DnsQueryResult => ({ name: 'h', transport: 'udp', truncated: false, outcome: 'answer', rcode: 'NOERROR', addresses: [], cnames: [], ms: 5, ...x });
const both = (server: string, x: Partial<DnsQueryResult>, aaaa: Partial<DnsQueryResult> = x) => [q({ server, type: 'A', ...x }), q({ server, type: 'AAAA', ...aaaa })];
const sys = (addresses: string[], error?: string): SystemLookupResult => ({ addresses: addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })), ms: 7, ...(error ? { error } : {}) });
const dnsFacts = (over: Partial<DnsFacts>): DnsFacts => ({ host: 'api.openai.com', directFrom: 'resolv.conf', queries: [], hostsEntries: [], hostsFile: '/etc/hosts', ...over });
const dnsCodes = (f: DnsFacts) => decideDns(f).findings.map((x) => x.code).sort();

describe('held-out dns: sinkholes, dangling aliases, a dead first nameserver', () => {
  it.each<[string, Partial<DnsFacts>, string[], 'pass' | 'warn' | 'fail']>([
    ['a filter answering :: for AAAA and 0.0.0.0 for A', { system: sys(['0.0.0.0', '::']), queries: both('10.0.0.2:53', { addresses: ['0.0.0.0'] }, { addresses: ['::'] }) }, ['DNS_BLOCKED'], 'fail'],
    ['a sinkhole on a name nobody lists as public is still a block', { host: 'llm.internal.example', system: sys(['0.0.0.0']) }, ['DNS_BLOCKED'], 'fail'],
    [
      'an ad-blocking hosts file (0.0.0.0 line): the override and the block',
      { system: sys(['0.0.0.0']), hostsEntries: [{ address: '0.0.0.0', names: ['api.openai.com'], line: 12 }], queries: both('10.0.0.2:53', { addresses: ['162.159.140.245'] }) },
      ['DNS_BLOCKED', 'DNS_HOSTS_OVERRIDE'],
      'fail',
    ],
    ['a sinkhole next to a real address is not a block', { system: sys(['0.0.0.0', '162.159.140.245']) }, ['DNS_PRIVATE_ADDRESS'], 'warn'],
    [
      'BIND-style dangling CNAME: NXDOMAIN with the alias in the answer',
      { host: 'api.corp.example', system: sys([], 'ENOTFOUND'), queries: both('10.0.0.2:53', { rcode: 'NXDOMAIN', cnames: ['gone.cdn.example'] }) },
      ['DNS_NO_ADDRESS'],
      'fail',
    ],
    [
      'first nameserver silent, second answers, system lookup slow but done',
      { host: 'api.corp.example', system: { ...sys(['10.1.2.3']), ms: 5004 }, queries: [...both('10.0.0.2:53', { outcome: 'timeout', rcode: undefined }), ...both('10.0.0.3:53', { addresses: ['10.1.2.3'] })] },
      ['DNS_SERVER_UNRESPONSIVE'],
      'warn',
    ],
    [
      'first nameserver silent and the system lookup still waiting: go on with the answer, warn',
      { host: 'api.corp.example', system: sys([], 'TIMEOUT'), queries: [...both('10.0.0.2:53', { outcome: 'timeout', rcode: undefined }), ...both('10.0.0.3:53', { addresses: ['10.1.2.3'] })] },
      ['DNS_SERVER_UNRESPONSIVE'],
      'warn',
    ],
    [
      'a silent second nameserver costs nothing while the first answers',
      { host: 'api.corp.example', system: sys(['10.1.2.3']), queries: [...both('10.0.0.3:53', { addresses: ['10.1.2.3'] }), ...both('10.0.0.2:53', { outcome: 'timeout', rcode: undefined })] },
      [],
      'pass',
    ],
    ['A answered, AAAA SERVFAIL: the name works', { host: 'api.corp.example', system: sys(['10.1.2.3']), queries: both('10.0.0.2:53', { addresses: ['10.1.2.3'] }, { rcode: 'SERVFAIL' }) }, [], 'pass'],
  ])('%s', (_name, over, expected, status) => {
    const f = dnsFacts(over);
    expect(dnsCodes(f)).toEqual(expected);
    expect(decideDns(f).status).toBe(status);
  });

  it('a block passes no address on, and the evidence names the hosts line', () => {
    const d = decideDns(dnsFacts({ system: sys(['0.0.0.0']), hostsEntries: [{ address: '0.0.0.0', names: ['api.openai.com'], line: 12 }] }));
    expect(d.addresses).toEqual([]);
    const f = d.findings.find((x) => x.code === 'DNS_BLOCKED')!;
    expect(f.evidence.join('\n')).toContain('/etc/hosts line 12');
    expect(f.owner).toBe('you');
  });

  it('a dangling alias names its target', () => {
    const d = decideDns(dnsFacts({ host: 'api.corp.example', system: sys([], 'ENOTFOUND'), queries: both('10.0.0.2:53', { rcode: 'NXDOMAIN', cnames: ['edge.corp.example', 'gone.cdn.example'] }) }));
    const f = d.findings[0]!;
    expect(f.details).toMatchObject({ danglingTarget: 'gone.cdn.example', cnames: ['edge.corp.example', 'gone.cdn.example'] });
    expect(f.evidence.join('\n')).toMatch(/alias .*gone\.cdn\.example/);
  });

  it('with the system lookup still waiting, the run continues on the answering server', () => {
    const d = decideDns(dnsFacts({ host: 'api.corp.example', system: sys([], 'TIMEOUT'), queries: [...both('10.0.0.2:53', { outcome: 'timeout', rcode: undefined }), ...both('10.0.0.3:53', { addresses: ['10.1.2.3'] })] }));
    expect(d.addresses).toEqual(['10.1.2.3']);
    expect(d.findings[0]!.details).toMatchObject({ silent: ['10.0.0.2:53'], answering: ['10.0.0.3:53'] });
  });
});

const NOW = Date.parse('2026-06-01T12:00:00Z');
function cert(over: Partial<CertInfo> = {}): CertInfo {
  return { subject: 'CN=api.example.test', issuer: 'CN=Issuing CA 1', sans: ['DNS:api.example.test'], validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', sha256: 'AA', serialNumber: '01', selfSigned: false, ca: false, ...over };
}
const rootCert = (subject: string) => cert({ subject, issuer: subject, sans: [], ca: true, selfSigned: true });
const ok = (over: Partial<HandshakeFacts> = {}): HandshakeFacts => ({ kind: 'ok', ms: 12, bytesWritten: 517, bytesRead: 3000, protocol: 'TLSv1.3', alpn: 'h2', hostname: { ok: true }, chain: [cert(), rootCert('CN=Root')], ...over });
const alert = (code: string, over: Partial<HandshakeFacts> = {}): HandshakeFacts => ({ kind: 'alert', code, ms: 20, bytesWritten: 385, bytesRead: 7, ...over });
const tlsFacts = (h: HandshakeFacts, over: Partial<TlsFacts> = {}): TlsFacts => ({ host: 'api.example.test', port: 443, provider: 'generic', handshake: h, nowMs: NOW, extraCa: false, viaProxy: false, ...over });

describe('held-out tls: interception by products and in-house CAs no table names', () => {
  it.each<[string, string | undefined]>([
    ['C=IL, O=Cato Networks, CN=Cato Networks Root CA', 'Cato Networks'],
    ['O=Example Corp, OU=IT Security, CN=Example Corp SSL Inspection CA', 'a TLS inspection CA (product not named)'],
    ['CN=Forward-Trust-CA, O=Example Corp', 'a TLS inspection CA (product not named)'],
    ['CN=ACME TLS Decryption Root', 'a TLS inspection CA (product not named)'],
    ['CN=HTTPS Interception Authority, O=Acme', 'a TLS inspection CA (product not named)'],
    ['CN=Squid CA, O=proxy.corp', 'Squid ssl-bump'],
    ['C=US, O=Amazon, CN=Amazon RSA 2048 M02', undefined],
    ['C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1', undefined],
    ['C=BE, O=GlobalSign nv-sa, CN=GlobalSign GCC R3 DV TLS CA 2020', undefined],
    ['C=GB, O=Sectigo Limited, CN=Sectigo RSA Domain Validation Secure Server CA', undefined],
  ])('%s -> %s', (issuer, product) => {
    expect(matchInterceptor([cert({ issuer }), rootCert(issuer)])?.product).toBe(product);
  });

  it('an unnamed private CA on a well-known API host is interception even with --provider generic', () => {
    const f = decideTls(tlsFacts(ok({ chainError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chain: [cert({ subject: 'CN=api.groq.com', issuer: 'CN=Corp Root' })] }), { host: 'api.groq.com' }));
    expect(f.map((x) => x.code)).toEqual(['TLS_INTERCEPTED']);
    // The top certificate is the forged leaf, not a root: no root is claimed, its issuer is named.
    expect(f[0]!.details).toMatchObject({ rootSubject: undefined, issuerOfTop: 'CN=Corp Root' });
  });
});

describe('held-out tls: chains and names', () => {
  it('a leaf sent without its intermediate is called an incomplete chain', () => {
    const f = decideTls(tlsFacts(ok({ chainError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chain: [cert()] }), { extraCa: true }));
    expect(f.map((x) => x.code)).toEqual(['TLS_UNTRUSTED_CA']);
    expect(f[0]!.details).toMatchObject({ incompleteChain: true, missingIssuer: 'CN=Issuing CA 1', rootSubject: undefined });
    expect(f[0]!.evidence.join('\n')).toMatch(/only its own certificate.*intermediate/);
  });

  it('a chain that ends at a self-signed root is not called incomplete', () => {
    expect(chainShape([cert({ selfSigned: true })], 'DEPTH_ZERO_SELF_SIGNED_CERT')).toEqual({ endsAtRoot: true, leafOnly: false });
  });

  it('an expired intermediate is named as such', () => {
    const inter = cert({ subject: 'CN=Issuing CA old', ca: true, validTo: '2020-01-01T00:00:00.000Z' });
    const f = decideTls(tlsFacts(ok({ chainError: 'CERT_HAS_EXPIRED', chain: [cert(), inter, rootCert('CN=Root')] })));
    expect(f[0]!.code).toBe('TLS_CERT_EXPIRED');
    expect(f[0]!.details).toMatchObject({ chainIndex: 1 });
    expect(f[0]!.evidence[0]).toMatch(/intermediate/);
  });

  it.each<[string, string[], RegExp | undefined]>([
    ['a.b.api.test', ['DNS:*.api.test'], /exactly one label/],
    ['api.test', ['DNS:*.api.test'], /not api\.test itself/],
    ['x.api.test', ['DNS:*.api.test'], undefined],
    ['10.0.0.5', ['DNS:gw.corp.test'], /lists no IP address/],
    ['10.0.0.5', ['IP Address:10.0.0.6'], undefined],
    ['gw.corp.test', [], /no subjectAltName/],
  ])('hostname hints for %s against %j', (host, sans, want) => {
    const hints = hostnameHints(host, sans).join('\n');
    if (want) expect(hints).toMatch(want);
    else expect(hints).toBe('');
  });
});

describe('held-out tls: what the peer’s alert means', () => {
  it.each<[string, HandshakeFacts, string, Record<string, unknown>]>([
    ['TLS 1.0-only server', alert('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), 'TLS_PROTOCOL_ERROR', { meaning: 'version', alert: 'protocol_version' }],
    ['no shared cipher', alert('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'TLS_PROTOCOL_ERROR', { meaning: 'cipher', certRequested: false }],
    ['handshake_failure after a CertificateRequest (TLS 1.2 mTLS)', alert('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', { certRequested: true, bytesRead: 900 }), 'TLS_CLIENT_CERT_REQUIRED', { meaning: 'client-cert' }],
    ['certificate_required after the handshake (TLS 1.3 mTLS)', alert('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', { afterHandshake: true }), 'TLS_CLIENT_CERT_REQUIRED', { alert: 'certificate_required', afterHandshake: true }],
    ['unknown SNI', alert('ERR_SSL_TLSV1_UNRECOGNIZED_NAME'), 'TLS_PROTOCOL_ERROR', { meaning: 'sni', alertNumber: 112 }],
    ['no common ALPN', alert('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL'), 'TLS_PROTOCOL_ERROR', { meaning: 'alpn', alertNumber: 120 }],
  ])('%s', (_name, h, code, details) => {
    const [f] = decideTls(tlsFacts(h));
    expect(f!.code).toBe(code);
    expect(f!.details).toMatchObject(details);
  });

  it('a refusal by version is for whoever runs the server, an unknown name for the caller', () => {
    expect(decideTls(tlsFacts(alert('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')))[0]!.owner).toBe('gateway');
    expect(decideTls(tlsFacts(alert('ERR_SSL_TLSV1_UNRECOGNIZED_NAME')))[0]!.owner).toBe('you');
  });

  it('an unknown code reads as other', () => expect(readAlert('ERR_SSL_SOMETHING_NEW').meaning).toBe('other'));
});

describe('held-out tls: the plaintext server flight', () => {
  const rec = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]);
  const msg = (t: number, len: number) => Buffer.concat([Buffer.from([t, 0, len >> 8, len & 0xff]), Buffer.alloc(len)]);

  it('finds a CertificateRequest among the handshake messages, across records', () => {
    const flight = Buffer.concat([msg(2, 70), msg(11, 300), msg(13, 20), msg(14, 0)]);
    const bytes = Buffer.concat([rec(22, flight.subarray(0, 100)), rec(22, flight.subarray(100))]);
    expect(handshakeTypes(bytes)).toEqual([2, 11, 13, 14]);
  });

  it('stops at encrypted records (TLS 1.3) and at truncated or hostile input', () => {
    expect(handshakeTypes(Buffer.concat([rec(22, msg(2, 90)), rec(23, Buffer.alloc(500))]))).toEqual([2]);
    expect(handshakeTypes(Buffer.from([22, 3, 3, 0xff, 0xff, 1, 2]))).toEqual([]);
    expect(handshakeTypes(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toEqual([]);
  });
});
