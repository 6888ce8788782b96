/**
 * The certification path OpenSSL most likely verified, rebuilt from the certificates Node reports.
 *
 * `getPeerCertificate(true)` links the certificates the server SENT by name (and completes the top
 * from the store), so it can run through a cross-signed copy of a root that the verifier never used:
 * OpenSSL looks for a trusted issuer first (X509_V_FLAG_TRUSTED_FIRST, the default since 1.1.0) and
 * stops at the first trust anchor. A server that still sends an expired cross-sign for old clients
 * (Let's Encrypt's 2021 "ISRG Root X1 cross-signed by DST Root CA X3") verifies fine, yet that
 * expired certificate sits in Node's chain. Dates and names must be judged on the path built here.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { BoundedMap } from '../../bounded-map.js';
import { x509Of, x509OfPem } from './cert.js';

/** How many certificates a path may hold (a hostile peer cannot make it loop or grow). */
const MAX_PATH = 10;

/** Parsed anchors by CA text (callers build a fresh list each time; the text is what counts); a few at most. */
const anchorCache = new BoundedMap<string, X509Certificate[]>(8);
let defaultAnchors: X509Certificate[] | undefined;

function parseAll(pems: readonly string[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of pems) {
    // A --ca file may hold several certificates in one string.
    for (const pem of block.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      try {
        out.push(x509OfPem(pem));
      } catch {
        // an unreadable anchor cannot be on the path
      }
    }
  }
  return out;
}

/** The trust anchors for a CA list (undefined: Node's bundled store). */
export function anchorsFor(ca: readonly string[] | undefined): X509Certificate[] {
  if (!ca) return (defaultAnchors ??= parseAll(rootCertificates));
  const key = ca.join('\n');
  let hit = anchorCache.get(key);
  if (!hit) {
    hit = parseAll(ca);
    anchorCache.set(key, hit);
  }
  return hit;
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function selfSigned(c: X509Certificate): boolean {
  return issuedBy(c, c);
}

/**
 * The path from the leaf: at each step a trusted issuer first (the path ends there), else an issuer
 * among the certificates Node reported. Returns indexes into `chain` for the certificates the peer
 * sent or Node linked, and the anchor's fingerprint when the path ends at one that is not in `chain`.
 */
export interface VerifiedPath {
  /** Indexes into the reported chain, in path order (leaf first). */
  indexes: number[];
  /** The trust anchor that ends the path (SHA-256 fingerprint and subject), when one was found. */
  anchor?: { sha256: string; subject: string; validFrom: string; validTo: string; inChainAt?: number };
}

export function buildPath(chainDer: Buffer[], anchors: X509Certificate[]): VerifiedPath | undefined {
  let chain: X509Certificate[];
  try {
    chain = chainDer.map((d) => x509Of(d));
  } catch {
    return undefined;
  }
  if (chain.length === 0) return undefined;
  const indexes = [0];
  let cur = chain[0]!;
  while (indexes.length < MAX_PATH) {
    const anchor = anchors.find((a) => a.fingerprint256 === cur.fingerprint256) ?? anchors.find((a) => issuedBy(cur, a));
    if (anchor) {
      if (anchor.fingerprint256 === cur.fingerprint256) {
        return { indexes, anchor: describe(anchor, indexes[indexes.length - 1]) };
      }
      const at = chain.findIndex((c) => c.fingerprint256 === anchor.fingerprint256);
      if (at >= 0 && !indexes.includes(at)) indexes.push(at);
      return { indexes, anchor: describe(anchor, at >= 0 ? at : undefined) };
    }
    if (selfSigned(cur)) return { indexes };
    const next = chain.findIndex((c, i) => !indexes.includes(i) && issuedBy(cur, c));
    if (next < 0) return { indexes };
    indexes.push(next);
    cur = chain[next]!;
  }
  return { indexes };
}

function describe(a: X509Certificate, inChainAt: number | undefined) {
  const dn = (t: string) => t.split('\n').filter(Boolean).join(', ');
  const iso = (t: string) => new Date(Date.parse(t)).toISOString();
  return { sha256: a.fingerprint256, subject: dn(a.subject), validFrom: iso(a.validFrom), validTo: iso(a.validTo), ...(inChainAt !== undefined ? { inChainAt } : {}) };
}

/** The DER bytes of the chain Node reports, leaf first, each certificate once, at most MAX_PATH. */
export function peerChainDer(socket: import('node:tls').TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let cur: import('node:tls').DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cur && cur.raw && out.length < MAX_PATH) {
    if (seen.has(cur.fingerprint256)) break;
    seen.add(cur.fingerprint256);
    out.push(cur.raw);
    cur = cur.issuerCertificate;
  }
  return out;
}
