/**
 * Is the root of an untrusted chain in the operating system's CA bundle? Node ships its own CA list
 * and ignores the system one, so a corporate root installed the usual way is trusted by curl and
 * Python yet not by Node programs: the commonest reason behind "self-signed certificate in chain".
 */
import { X509Certificate } from 'node:crypto';
import { readCapped } from '../../safe-io/read-capped.js';
import type { CertInfo } from './cert.js';

/** Where Debian, RHEL and others keep the bundle; SSL_CERT_FILE first, as OpenSSL reads it. */
export const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/** What the bundle says about the chain. */
export interface SystemStoreCheck {
  /** The bundle read. */
  path: string;
  /** The bundle holds the chain's top certificate or its issuer. */
  trusts: boolean;
  /** The subject of the bundle's certificate that matched. */
  matched?: string;
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** A bundle larger than this is not read (a normal one is about 200 KB). */
const MAX_BUNDLE = 8 * 1024 * 1024;

function dn(text: string): string {
  return text.split('\n').filter(Boolean).join(', ');
}

/** Does the bundle text hold the chain's top certificate (by fingerprint) or a certificate named as its issuer? Pure. */
export function bundleTrusts(bundle: string, chain: CertInfo[]): string | undefined {
  const top = chain[chain.length - 1];
  if (!top) return undefined;
  for (const pem of bundle.match(PEM) ?? []) {
    let x: X509Certificate;
    try {
      x = new X509Certificate(pem);
    } catch {
      continue;
    }
    if (x.fingerprint256 === top.sha256 || (x.ca && dn(x.subject) === top.issuer)) return dn(x.subject);
  }
  return undefined;
}

/** Read the first system bundle that exists and check the chain against it; undefined when there is none. */
export async function checkSystemStore(chain: CertInfo[], env: Record<string, string | undefined>): Promise<SystemStoreCheck | undefined> {
  const candidates = [...(env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : []), ...SYSTEM_BUNDLES];
  for (const path of candidates) {
    let text: string;
    try {
      const buf = await readCapped(path, { maxBytes: MAX_BUNDLE, timeoutMs: 2000 });
      if (buf.length > MAX_BUNDLE) continue;
      text = buf.toString('utf8');
    } catch {
      continue;
    }
    const matched = bundleTrusts(text, chain);
    return { path, trusts: matched !== undefined, ...(matched ? { matched } : {}) };
  }
  return undefined;
}
