/**
 * The peer's certificate chain as plain data: read from a TLS socket (even one that failed
 * verification), and the host-name check done separately so both it and the chain check are known.
 */
import { X509Certificate } from 'node:crypto';
import { BoundedMap, cached } from '../../bounded-map.js';
import { signatureAlgorithm } from './sigalg.js';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';

/** One certificate of the peer's chain, leaf first. */
export interface CertInfo {
  /** Distinguished name, `CN=..., O=...` in the certificate's order. */
  subject: string;
  issuer: string;
  /** Subject alternative names as the certificate lists them (`DNS:api.openai.com`, `IP Address:1.2.3.4`). */
  sans: string[];
  /** ISO 8601 start and end of validity. */
  validFrom: string;
  validTo: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  sha256: string;
  serialNumber: string;
  /** Issued by itself (a root, or a lone self-signed certificate). */
  selfSigned: boolean;
  /** A CA certificate (basicConstraints CA:true). */
  ca: boolean;
  /** The algorithm the issuer signed it with (sha256WithRSAEncryption, ecdsa-with-SHA1 ...). */
  signatureAlgorithm?: string;
}

/** `C=US\nO=Org\nCN=name` (X509Certificate's form) -> `C=US, O=Org, CN=name`. */
function dn(text: string): string {
  return text.split('\n').filter(Boolean).join(', ');
}

function iso(text: string): string {
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
}

/** Parsed certificates by their DER buffer: a handshake's chain is read by several checks, parsed once. */
const parsed = new WeakMap<Buffer, X509Certificate>();

/** The X509Certificate of these DER bytes (the same Buffer gives the same object; throws when unreadable). */
export function x509Of(der: Buffer): X509Certificate {
  return cached(parsed, der, (d) => new X509Certificate(d));
}

/**
 * Parsed certificates by their PEM text: a --ca file is parsed when it is read (to refuse a bad one
 * at once) and its certificates are the anchors of the tls stage's checks; parsed once. A few
 * hundred at most (a bundle's worth); an unreadable one throws each time.
 */
const parsedPem = new BoundedMap<string, X509Certificate>(512);

/** The X509Certificate of one PEM block (throws when unreadable). */
export function x509OfPem(pem: string): X509Certificate {
  return cached(parsedPem, pem, (p) => new X509Certificate(p));
}

/** The parsed certificate for these DER bytes from now on (one parsed elsewhere, e.g. a trust anchor). */
export function rememberX509(der: Buffer, x: X509Certificate): void {
  parsed.set(der, x);
}

const selfSignedCache = new WeakMap<X509Certificate, boolean>();

/** Issued by itself: its issuer is its subject and its own key verifies its signature (computed once per certificate). */
export function isSelfSigned(x: X509Certificate): boolean {
  let v = selfSignedCache.get(x);
  if (v === undefined) {
    try {
      v = x.checkIssued(x) && x.verify(x.publicKey);
    } catch {
      v = false;
    }
    selfSignedCache.set(x, v);
  }
  return v;
}

/** Plain data about one certificate (DER bytes in). */
export function certInfo(der: Buffer): CertInfo {
  const x = x509Of(der);
  const selfSigned = isSelfSigned(x);
  const sigAlg = signatureAlgorithm(der);
  return {
    subject: dn(x.subject),
    issuer: dn(x.issuer),
    sans: x.subjectAltName ? x.subjectAltName.split(/,\s*/).filter(Boolean) : [],
    validFrom: iso(x.validFrom),
    validTo: iso(x.validTo),
    sha256: x.fingerprint256,
    serialNumber: x.serialNumber,
    selfSigned,
    ca: x.ca,
    ...(sigAlg ? { signatureAlgorithm: sigAlg } : {}),
  };
}

/**
 * The chain the peer presented (completed by Node from the trust store where it could), leaf first,
 * from its DER bytes (path.ts's peerChainDer: bounded, no loops). A certificate Node could parse for
 * the handshake but X509Certificate cannot ends it.
 */
export function chainInfo(ders: readonly Buffer[]): CertInfo[] {
  const chain: CertInfo[] = [];
  for (const der of ders) {
    try {
      chain.push(certInfo(der));
    } catch {
      break;
    }
  }
  return chain;
}

/** The result of the host-name check against the leaf. */
export interface HostnameCheck {
  ok: boolean;
  /** ERR_TLS_CERT_ALTNAME_INVALID and its reason when it failed. */
  code?: string;
  reason?: string;
}

/** Does the leaf cover `host`? (Node's own check, run whatever the chain verification said.) */
export function checkHostname(socket: TLSSocket, host: string): HostnameCheck {
  const leaf: PeerCertificate = socket.getPeerCertificate(false);
  if (!leaf || !leaf.raw) return { ok: false, code: 'NO_PEER_CERTIFICATE', reason: 'the peer sent no certificate' };
  const err = checkServerIdentity(host, leaf) as (Error & { code?: string; reason?: string }) | undefined;
  if (!err) return { ok: true };
  return { ok: false, code: err.code, reason: err.reason ?? err.message };
}
