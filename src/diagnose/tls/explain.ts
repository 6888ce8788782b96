/**
 * Readings of TLS facts that sharpen the evidence (pure): an incomplete chain, why a certificate's
 * names miss the host (wildcard depth, an IP target against names only), and what a TLS alert the
 * peer sent means. Codes are matched by OpenSSL's stable reason codes, never by message text.
 */
import { isIP } from '../../net/is-ip.js';
import type { CertInfo } from '../../net/tls/cert.js';

/** Verification errors that mean "the issuer of the top certificate was not found". */
const ISSUER_MISSING = new Set(['UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** What the chain's shape says when its top certificate is not a root. */
export interface ChainShape {
  /** The top certificate is self-signed (a root, or a lone self-signed leaf). */
  endsAtRoot: boolean;
  /** The issuer named by the top certificate, when it was neither sent nor found locally. */
  missingIssuer?: string;
  /** Only the leaf was sent, and it is not self-signed. */
  leafOnly: boolean;
}

export function chainShape(chain: CertInfo[], verifyError: string | undefined): ChainShape {
  const top = chain[chain.length - 1];
  const endsAtRoot = top?.selfSigned === true;
  const missing = !endsAtRoot && top && verifyError && ISSUER_MISSING.has(verifyError) ? top.issuer : undefined;
  return { endsAtRoot, leafOnly: chain.length === 1 && !endsAtRoot, ...(missing ? { missingIssuer: missing } : {}) };
}

/** Evidence about a chain that stops before a root. */
export function chainShapeLines(shape: ChainShape, chainLength: number): string[] {
  if (!shape.missingIssuer) return [];
  if (shape.leafOnly) {
    return [
      `the server sent only its own certificate (1 certificate); its issuer "${shape.missingIssuer}" was not sent and is not a trusted CA here: ` +
        'either the server leaves out its intermediate certificate (browsers hide this by fetching it themselves; Node, curl and Python do not), ' +
        'or that issuer is a private CA that is not installed on this machine',
    ];
  }
  return [`the chain of ${chainLength} certificates stops at "${shape.missingIssuer}", which was neither sent by the server nor found among the trusted CAs`];
}

/** A wildcard SAN covers exactly one label: `*.a.b` covers `x.a.b`, not `a.b` nor `y.x.a.b`. */
function wildcardMiss(host: string, san: string): string | undefined {
  if (!san.startsWith('*.')) return undefined;
  const suffix = san.slice(1).toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === suffix.slice(1)) return `${san} covers names one label below ${suffix.slice(1)}, not ${suffix.slice(1)} itself`;
  if (h.endsWith(suffix) && h.slice(0, -suffix.length).includes('.')) {
    return `${san} covers exactly one label before ${suffix}; ${h} has ${h.slice(0, -suffix.length).split('.').length}`;
  }
  return undefined;
}

/** Why the certificate's names miss the host, beyond "not in the list" (empty when nothing more to say). */
export function hostnameHints(host: string, sans: string[]): string[] {
  const out: string[] = [];
  const dns = sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const ips = sans.filter((s) => s.startsWith('IP Address:'));
  if (isIP(host)) {
    if (ips.length === 0) {
      out.push(
        `the target is the IP address ${host} and the certificate lists no IP address at all, only names: connect by one of its names ` +
          `(pin the address with --resolve NAME:PORT:${host}, or a hosts-file line) instead of the bare address`,
      );
    }
    return out;
  }
  for (const san of dns) {
    const miss = wildcardMiss(host, san);
    if (miss) out.push(miss);
  }
  if (sans.length === 0) out.push('the certificate has no subjectAltName at all: it names its host only in the subject CN (which Go and browsers no longer accept at all), and that CN does not match either');
  return out;
}

/** What an alert the peer sent (read from OpenSSL's reason code) says about the refusal. */
export type AlertMeaning = 'version' | 'cipher' | 'sni' | 'alpn' | 'client-cert' | 'other';

/** The alert's number and name as TLS defines them, and its meaning. */
export interface AlertReading {
  meaning: AlertMeaning;
  /** The TLS alert name, e.g. `protocol_version`; absent when the code is not an alert from the peer. */
  alert?: string;
  number?: number;
}

const ALERTS: Array<[RegExp, AlertReading]> = [
  [/ALERT_PROTOCOL_VERSION$|UNSUPPORTED_PROTOCOL$|WRONG_SSL_VERSION$|VERSION_TOO_LOW$/, { meaning: 'version', alert: 'protocol_version', number: 70 }],
  [/ALERT_INSUFFICIENT_SECURITY$/, { meaning: 'cipher', alert: 'insufficient_security', number: 71 }],
  [/NO_SHARED_CIPHER$|NO_CIPHERS_AVAILABLE$/, { meaning: 'cipher' }],
  [/ALERT_HANDSHAKE_FAILURE$/, { meaning: 'cipher', alert: 'handshake_failure', number: 40 }],
  [/UNRECOGNIZED_NAME$/, { meaning: 'sni', alert: 'unrecognized_name', number: 112 }],
  [/ALERT_NO_APPLICATION_PROTOCOL$/, { meaning: 'alpn', alert: 'no_application_protocol', number: 120 }],
  [/ALERT_CERTIFICATE_REQUIRED$/, { meaning: 'client-cert', alert: 'certificate_required', number: 116 }],
  [/ALERT_BAD_CERTIFICATE$/, { meaning: 'client-cert', alert: 'bad_certificate', number: 42 }],
  [/ALERT_UNKNOWN_CA$/, { meaning: 'client-cert', alert: 'unknown_ca', number: 48 }],
  [/ALERT_ACCESS_DENIED$/, { meaning: 'client-cert', alert: 'access_denied', number: 49 }],
];

export function readAlert(code: string | undefined): AlertReading {
  if (!code) return { meaning: 'other' };
  for (const [re, reading] of ALERTS) if (re.test(code)) return reading;
  return { meaning: 'other' };
}

/** One line in plain words for an alert's meaning (the offer is what the tool sent). */
export function alertLine(r: AlertReading, offer: { sni?: string; alpn: string[]; certRequested: boolean }): string {
  const name = r.alert ? `alert ${r.number} ${r.alert}` : 'the refusal';
  switch (r.meaning) {
    case 'version':
      return `${name}: the server accepts none of the TLS versions offered (TLS 1.2 and 1.3): it only speaks older, insecure versions, or only newer ones than the client allows`;
    case 'cipher':
      return offer.certRequested
        ? `${name}, after the server asked for a client certificate and none was sent: this endpoint requires mutual TLS`
        : `${name}: the server and this client have no cipher suite, curve or signature algorithm in common (or the server refused the handshake for a reason it does not say)`;
    case 'sni':
      return `${name}: the server has no site for the name sent as SNI (${offer.sni ?? 'none, the target is an IP address'}): a wrong host name for this address, or a default server that rejects unknown names`;
    case 'alpn':
      return `${name}: the server accepts none of the application protocols offered (${offer.alpn.join(', ')}): it does not serve HTTP on this port (gRPC only, another protocol), or its ALPN list is misconfigured`;
    case 'client-cert':
      return `${name}: the server requires a client certificate (mutual TLS) and none acceptable was presented`;
    default:
      return `${name}: no more specific reason given by the peer`;
  }
}
