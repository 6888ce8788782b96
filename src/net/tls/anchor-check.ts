/**
 * The tls stage's first handshake without Node's root store, when the verdict can be had without it.
 *
 * Node 20 parses its ~140 bundled root certificates (about 20 ms, on the main thread) the first
 * time any secure context gets trust anchors: `ca: [...]` included, since the copy-on-write check
 * builds the shared store first. A one-shot run needs one anchor of them, or none (--ca).
 *
 * So the first handshake runs with a context that trusts nothing (`ca: []`: Node's defaults for
 * everything else, the same ClientHello). OpenSSL still checks what the peer sent (signatures
 * between the sent certificates, dates, extensions, purpose) and can only miss the anchor. Then
 * this module finishes the path here, against the same anchors the full store holds (Node's roots,
 * NODE_EXTRA_CA_CERTS, --ca), and accepts only a plain path: the anchor a self-signed root that
 * signed the top of the path, every certificate on it within its dates, CA flags, key usage,
 * purpose (server authentication), path length, signature algorithms and key sizes of the common
 * kinds, and no critical extension it does not know. Anything else, OpenSSL's code anything but
 * "anchor missing" included, is left to the full store: the caller handshakes again with it, and
 * OpenSSL's own verdict is what the report says. Pure but for the caches.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { BoundedMap } from '../../bounded-map.js';
import { basicConstraints, certFields, extendedKeyUsage, keyUsageBits, subjectOf, type CertFields } from './der.js';
import { anchorsFor } from './path.js';
import { isSelfSigned, rememberX509, x509Of } from './cert.js';

/** OpenSSL's codes for a chain whose only fault, with an empty store, is the missing anchor. */
export const MISSING_ANCHOR = new Set(['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

/** How many certificates a path may hold. */
const MAX_PATH = 10;

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
};
/** The only extensions a certificate on an accepted path may mark critical. */
const KNOWN_CRITICAL = new Set([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName]);
/** Extensions whose processing is left to OpenSSL, critical or not (name and policy constraints). */
const LEFT_TO_OPENSSL = new Set(['2.5.29.30', '2.5.29.36', '2.5.29.54']);
/** Signature algorithms accepted here: RSA PKCS#1 and ECDSA with SHA-2, Ed25519, Ed448. */
const GOOD_SIGNATURES = new Set([
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
  '1.2.840.10045.4.3.2',
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
  '1.3.101.112',
  '1.3.101.113',
]);
const GOOD_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * Whether this process may take the light path: Node's store is its bundled roots (not
 * --use-openssl-ca, which reads the system's) and OpenSSL runs without a configuration of the
 * user's that could change what it accepts.
 */
export function anchorCheckAllowed(): boolean {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (/--use-openssl-ca|--openssl-config|--openssl-shared-config|--openssl-legacy-provider/.test(flags)) return false;
  return process.env.OPENSSL_CONF === undefined;
}

const lightContexts = new BoundedMap<string, SecureContext>(4);

/** A secure context with Node's defaults that trusts no certificate (and, with --cert/--key, presents that one). */
export function untrustingContext(client?: { cert: string; key: string }): SecureContext {
  const key = client ? `${client.cert}\0${client.key}` : '';
  let sc = lightContexts.get(key);
  if (!sc) {
    sc = createSecureContext({ ca: [], ...(client ?? {}) });
    lightContexts.set(key, sc);
  }
  return sc;
}

/** Node's bundled roots by subject (the DER of the Name, as hex), decoded on first use; parsed only when matched. */
let rootsBySubject: Map<string, string[]> | undefined;

function rootIndex(): Map<string, string[]> {
  if (rootsBySubject) return rootsBySubject;
  const index = new Map<string, string[]>();
  for (const pem of rootCertificates) {
    // Between the armour lines (the base64 decoder skips the line breaks).
    const body = pem.slice(pem.indexOf('\n') + 1, pem.lastIndexOf('-----END'));
    const subject = subjectOf(Buffer.from(body, 'base64'));
    if (!subject) continue;
    const k = subject.toString('hex');
    const list = index.get(k);
    if (list) list.push(pem);
    else index.set(k, [pem]);
  }
  return (rootsBySubject = index);
}

const parsedRoots = new BoundedMap<string, X509Certificate>(32);

/** Node's roots whose subject is this Name (DER), parsed on first match. */
export function rootsNamed(issuer: Buffer): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const pem of rootIndex().get(issuer.toString('hex')) ?? []) {
    let x = parsedRoots.get(pem);
    if (!x) {
      try {
        x = new X509Certificate(pem);
      } catch {
        continue;
      }
      parsedRoots.set(pem, x);
    }
    out.push(x);
  }
  return out;
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

interface Link {
  x: X509Certificate;
  der: Buffer;
  f: CertFields;
}

function link(der: Buffer): Link | undefined {
  const f = certFields(der);
  if (!f) return undefined;
  try {
    return { x: x509Of(der), der, f };
  } catch {
    return undefined;
  }
}

/** The link of an anchor parsed already (its DER then maps to the same object). */
function anchorLink(x: X509Certificate): Link | undefined {
  const der = x.raw;
  const f = certFields(der);
  if (!f) return undefined;
  rememberX509(der, x);
  return { x, der, f };
}

/** The verdict of the check: trusted with the anchor that ended the path, or why it is left to OpenSSL. */
export type AnchorVerdict = { trusted: true; anchor: Buffer; anchorInChain: boolean } | { trusted: false; reason: string };

/**
 * Finish the path of a chain OpenSSL checked with no anchors (`opensslCode`: its verdict then),
 * against the anchors of the run: Node's roots, and `extraCas` (NODE_EXTRA_CA_CERTS, --ca).
 */
export function checkAgainstAnchors(chainDer: Buffer[], opensslCode: string | undefined, extraCas: readonly string[], nowMs: number): AnchorVerdict {
  if (opensslCode === undefined || !MISSING_ANCHOR.has(opensslCode)) return { trusted: false, reason: `OpenSSL's code without anchors was ${opensslCode ?? 'none'}` };
  const chain: Link[] = [];
  for (const der of chainDer.slice(0, MAX_PATH)) {
    const l = link(der);
    if (!l) return { trusted: false, reason: 'a certificate could not be read' };
    chain.push(l);
  }
  if (chain.length === 0) return { trusted: false, reason: 'no certificate' };
  const extras = extraCas.length > 0 ? anchorsFor([...extraCas]) : [];
  const path: Link[] = [chain[0]!];
  for (;;) {
    const cur = path[path.length - 1]!;
    const self = isSelfSigned(cur.x);
    // A self-signed certificate the anchors hold ends the path (a pinned leaf, a root the peer sent).
    if (self) {
      const fp = cur.x.fingerprint256;
      if (extras.some((a) => a.fingerprint256 === fp) || rootsNamed(cur.f.subject).some((a) => a.fingerprint256 === fp)) return judge(path, path.length - 1, true, nowMs);
    }
    // Trusted first, as OpenSSL looks: an anchor that issued it.
    const anchor = extras.find((a) => issuedBy(cur.x, a)) ?? rootsNamed(cur.f.issuer).find((a) => issuedBy(cur.x, a));
    if (anchor) {
      if (!isSelfSigned(anchor)) return { trusted: false, reason: 'the anchor is not a self-signed root' };
      const a = anchorLink(anchor);
      if (!a) return { trusted: false, reason: 'the anchor could not be read' };
      const fp = anchor.fingerprint256;
      const inChain = chain.some((c) => c.x.fingerprint256 === fp);
      return judge([...path, a], path.length, inChain, nowMs);
    }
    if (self) return { trusted: false, reason: 'a self-signed certificate no anchor matches' };
    if (path.length >= MAX_PATH) return { trusted: false, reason: 'the path is too long' };
    const next = chain.find((c) => !path.includes(c) && issuedBy(cur.x, c.x));
    if (!next) return { trusted: false, reason: 'no issuer among the sent certificates or the anchors' };
    path.push(next);
  }
}

/** The checks on a path ending at its anchor (index `anchorAt`). */
function judge(path: Link[], anchorAt: number, anchorInChain: boolean, nowMs: number): AnchorVerdict {
  for (let k = 0; k < path.length; k++) {
    const { x, f } = path[k]!;
    const why = certProblem(x, f, k, nowMs);
    if (why) return { trusted: false, reason: `${why} (certificate ${k} of the path)` };
    if (k < anchorAt && !GOOD_SIGNATURES.has(f.signatureOid)) return { trusted: false, reason: `signature algorithm ${f.signatureOid} (certificate ${k} of the path)` };
  }
  return { trusted: true, anchor: path[anchorAt]!.der, anchorInChain };
}

/** Why one certificate at position k of the path (0 the leaf) is left to OpenSSL, if it is. */
function certProblem(x: X509Certificate, f: CertFields, k: number, nowMs: number): string | undefined {
  const from = Date.parse(x.validFrom);
  const to = Date.parse(x.validTo);
  if (!(from <= nowMs && nowMs <= to)) return 'outside its dates';
  const seen = new Set<string>();
  for (const e of f.extensions) {
    if (seen.has(e.oid)) return `extension ${e.oid} twice`;
    seen.add(e.oid);
    if (LEFT_TO_OPENSSL.has(e.oid)) return `extension ${e.oid}`;
    if (e.critical && !KNOWN_CRITICAL.has(e.oid)) return `critical extension ${e.oid}`;
  }
  const ext = (oid: string) => f.extensions.find((e) => e.oid === oid)?.value;
  const eku = ext(OID.extKeyUsage);
  if (eku) {
    const purposes = extendedKeyUsage(eku);
    if (!purposes || !(purposes.includes(OID.serverAuth) || purposes.includes(OID.anyExtendedKeyUsage))) return 'not for server authentication';
  }
  const ku = ext(OID.keyUsage);
  const bits = ku ? keyUsageBits(ku) : undefined;
  if (ku && !bits) return 'key usage unreadable';
  if (k === 0) {
    if (bits && !(bits(0) || bits(2) || bits(4))) return 'key usage not for TLS';
  } else {
    const bc = ext(OID.basicConstraints);
    const c = bc ? basicConstraints(bc) : undefined;
    if (!c?.ca) return 'not a CA';
    if (c.pathLen !== undefined && k - 1 > c.pathLen) return 'path length exceeded';
    if (bits && !bits(5)) return 'key usage without certificate signing';
  }
  const d = x.publicKey.asymmetricKeyDetails;
  const type = x.publicKey.asymmetricKeyType;
  if (type === 'rsa') {
    if ((d?.modulusLength ?? 0) < 2048) return 'RSA key under 2048 bits';
  } else if (type === 'ec') {
    if (!GOOD_CURVES.has(d?.namedCurve ?? '')) return `curve ${d?.namedCurve ?? 'unknown'}`;
  } else if (type !== 'ed25519' && type !== 'ed448') return `key type ${type ?? 'unknown'}`;
  return undefined;
}
