/**
 * The signature algorithm of a certificate, read from its DER (Node 20's X509Certificate does not
 * expose it). Node reports OpenSSL's CA_MD_TOO_WEAK only as "UNSPECIFIED", so the weak digest is
 * found here instead. Pure; returns undefined for anything it cannot read.
 */

/** Signature algorithm OIDs worth naming (the weak ones, and the common good ones for contrast). */
const OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Names of algorithms whose digest OpenSSL 3 refuses at its default security level. */
export const WEAK_SIGNATURES = new Set(['md2WithRSAEncryption', 'md5WithRSAEncryption', 'sha1WithRSAEncryption', 'ecdsa-with-SHA1', 'dsa-with-SHA1']);

/** Read one TLV header at `at`: [tag, contentStart, contentLength]. */
function tlv(b: Buffer, at: number): [number, number, number] | undefined {
  if (at + 2 > b.length) return undefined;
  const tag = b[at]!;
  let len = b[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > b.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i]!;
    p += n;
  }
  if (p + len > b.length) return undefined;
  return [tag, p, len];
}

function oidText(b: Buffer): string {
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** The outer signatureAlgorithm of a DER certificate, by name when known, else its OID. */
export function signatureAlgorithm(der: Buffer): string | undefined {
  const cert = tlv(der, 0);
  if (!cert || cert[0] !== 0x30) return undefined;
  const tbs = tlv(der, cert[1]);
  if (!tbs || tbs[0] !== 0x30) return undefined;
  const alg = tlv(der, tbs[1] + tbs[2]);
  if (!alg || alg[0] !== 0x30) return undefined;
  const oid = tlv(der, alg[1]);
  if (!oid || oid[0] !== 0x06) return undefined;
  const text = oidText(der.subarray(oid[1], oid[1] + oid[2]));
  return OIDS[text] ?? text;
}
