/**
 * The signature algorithm of a certificate, read from its DER (Node 20's X509Certificate does not
 * expose it). Node reports OpenSSL's CA_MD_TOO_WEAK only as "UNSPECIFIED", so the weak digest is
 * found here instead. Pure; returns undefined for anything it cannot read.
 */
import { oidText, tlv } from './der.js';

/** Signature algorithm OIDs worth naming (the weak ones, and the common good ones for contrast). */
export const OIDS: Record<string, string> = {
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
