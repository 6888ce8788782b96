/**
 * Pure pieces of issue 11 (items 1, 4, 5), table-tested without I/O: the signature algorithm read
 * from DER, the verified-path builder, key shapes, HTTP/2 error frames and frame sniffing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CERT_DIR } from '../../fixtures/tls-server.js';
import { signatureAlgorithm } from '../../src/net/tls/sigalg.js';
import { buildPath } from '../../src/net/tls/path.js';
import { keyShape } from '../../src/diagnose/key/shape.js';
import { h2Facts, looksLikeH2Frame } from '../../src/net/http/h2.js';
import { h2Meaning } from '../../src/diagnose/http/h2-rules.js';
import { readVerifyError } from '../../src/diagnose/tls/verify-errors.js';

const der = (n: string) => new X509Certificate(readFileSync(join(CERT_DIR, n))).raw;

describe('signatureAlgorithm', () => {
  it.each([
    ['acc-sha1.pem', 'ecdsa-with-SHA1'],
    ['acc-md5.pem', 'md5WithRSAEncryption'],
    ['valid.pem', 'ecdsa-with-SHA256'],
    ['acc-rsaroot.pem', 'sha256WithRSAEncryption'],
  ])('%s -> %s', (file, alg) => expect(signatureAlgorithm(der(file))).toBe(alg));
  it('garbage is undefined, not a throw', () => {
    expect(signatureAlgorithm(Buffer.from([0x30, 0x84, 0xff]))).toBeUndefined();
    expect(signatureAlgorithm(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('buildPath (trusted issuer first)', () => {
  const chain = ['acc-le-leaf.pem', 'acc-r3.pem', 'acc-newroot-cross.pem', 'acc-oldroot.pem'].map(der);
  const anchor = (n: string) => new X509Certificate(readFileSync(join(CERT_DIR, n)));
  it('stops at the new root when it is trusted: the expired cross-sign is off the path', () => {
    const p = buildPath(chain, [anchor('acc-newroot.pem'), anchor('acc-oldroot.pem')])!;
    expect(p.indexes).toEqual([0, 1]);
    expect(p.anchor!.subject).toContain('Root X1');
  });
  it('with only the old root trusted, the path runs through the cross-sign', () => {
    const p = buildPath(chain, [anchor('acc-oldroot.pem')])!;
    expect(p.indexes).toEqual([0, 1, 2, 3]);
  });
  it('no anchor: the path follows the sent certificates', () => {
    expect(buildPath(chain.slice(0, 2), [])!.indexes).toEqual([0, 1]);
  });
});

describe('keyShape', () => {
  it.each<[string, boolean, string[]]>([
    ['sk-abc', false, []],
    ['"sk-abc"', false, ['quoted']],
    ["'sk-abc'", false, ['quoted']],
    [' sk-abc ', false, ['whitespace']],
    ['sk-abc\n', false, ['newline']],
    ['Bearer sk-abc', false, ['bearer-prefix']],
    ['"Bearer sk-abc"\n', false, ['newline', 'quoted', 'bearer-prefix']],
    ['sk-abc\n', true, []],
    ['sk-abc\r\n', true, ['newline']],
    ['\n\n  sk-abc\n', true, ['whitespace']],
  ])('%j (file: %s) -> %j', (raw, file, issues) => expect(keyShape(raw, file)).toEqual(issues));
});

describe('HTTP/2 frames', () => {
  it('reads undici GOAWAY and stream errors and Node RST_STREAM names', () => {
    expect(h2Facts(new Error('HTTP/2: "GOAWAY" frame received with code 11'))).toEqual({ frame: 'GOAWAY', code: 11, name: 'ENHANCE_YOUR_CALM' });
    expect(h2Facts(Object.assign(new Error('wrap'), { cause: new Error('Stream closed with error code NGHTTP2_REFUSED_STREAM') }))).toEqual({ frame: 'RST_STREAM', code: 7, name: 'REFUSED_STREAM' });
    expect(h2Facts(new Error('HTTP/2: "stream error" received - code 8'))?.name).toBe('CANCEL');
    expect(h2Facts(new Error('HTTP/2: "GOAWAY" frame received with code 99'))?.name).toBe('0x63');
    expect(h2Facts(new Error('other side closed'))).toBeUndefined();
  });
  it('meanings decide retry', () => {
    expect(h2Meaning('REFUSED_STREAM').retry).toBe('yes');
    expect(h2Meaning('ENHANCE_YOUR_CALM').retry).toBe('no');
  });
  it('a SETTINGS frame on stream 0 is an HTTP/2 frame; an HTTP status line is not', () => {
    expect(looksLikeH2Frame(Buffer.from('000006040000000000000300000064', 'hex').toString('latin1'))).toBe(true);
    expect(looksLikeH2Frame('HTTP/1.1 200 OK\r\n')).toBe(false);
    expect(looksLikeH2Frame(undefined)).toBe(false);
  });
});

describe('verify errors', () => {
  it('every error has a reading, unknown ones by their code', () => {
    expect(readVerifyError('CA_MD_TOO_WEAK').reason).toMatch(/SHA-1 or MD5/);
    expect(readVerifyError('X509_V_ERR_SOMETHING_NEW').reason).toContain('X509_V_ERR_SOMETHING_NEW');
  });
});
