/**
 * OpenSSL verification errors that no other tls rule explains (not a date, not an untrusted root,
 * not the host name), each with a reading in plain words. Data only: matched by OpenSSL's stable
 * code as Node reports it in `authorizationError`. Any code missing here still fails the stage
 * (TLS_CERT_REJECTED with the bare code): an unknown verify error is never a pass.
 */

/** What a verification error means, and who acts on it. */
export interface VerifyErrorReading {
  reason: string;
  /** `server`: the certificate the server sends must change; `local`: this machine's policy or store. */
  fix: 'server' | 'local';
}

export const VERIFY_ERRORS: Readonly<Record<string, VerifyErrorReading>> = {
  CA_MD_TOO_WEAK: {
    reason: 'a certificate in the chain is signed with a digest too weak for this TLS library (SHA-1 or MD5): OpenSSL 3 refuses it at its default security level, as browsers and curl do',
    fix: 'server',
  },
  EE_KEY_TOO_SMALL: { reason: "the server certificate's key is too small for this TLS library's security level (an RSA key under 2048 bits, for instance)", fix: 'server' },
  CA_KEY_TOO_SMALL: { reason: "a CA certificate's key in the chain is too small for this TLS library's security level", fix: 'server' },
  INVALID_PURPOSE: {
    reason: 'a certificate in the chain is not allowed for TLS servers (its extended key usage lacks serverAuth, e.g. a client or code-signing certificate)',
    fix: 'server',
  },
  CERT_SIGNATURE_FAILURE: { reason: 'a signature in the chain does not verify: the certificate was altered, or it was paired with the wrong issuer', fix: 'server' },
  CERT_REVOKED: { reason: 'a certificate in the chain has been revoked by its issuer', fix: 'server' },
  INVALID_CA: { reason: 'a certificate used as an issuer is not a CA certificate (basicConstraints CA:false or missing): a leaf signed by another leaf', fix: 'server' },
  PATH_LENGTH_EXCEEDED: { reason: "the chain is longer than a CA's pathLenConstraint allows (an intermediate signed another intermediate it may not)", fix: 'server' },
  CERT_CHAIN_TOO_LONG: { reason: 'the chain is longer than the verifier accepts', fix: 'server' },
  INVALID_EXTENSION: { reason: 'a certificate carries an extension that is invalid or inconsistent', fix: 'server' },
  UNHANDLED_CRITICAL_EXTENSION: { reason: 'a certificate carries a critical extension this TLS library does not understand, so it must refuse it', fix: 'server' },
  KEYUSAGE_NO_CERTSIGN: { reason: 'an issuer in the chain lacks keyCertSign in its key usage, so it may not sign certificates', fix: 'server' },
  INVALID_NON_CA: { reason: 'a non-CA certificate appears where a CA is required', fix: 'server' },
  CERT_REJECTED: { reason: 'the trust store marks a certificate of the chain as rejected for TLS servers', fix: 'local' },
  CERT_UNTRUSTED: { reason: 'the trust store does not trust the root for TLS servers', fix: 'local' },
  UNSUPPORTED_SIGNATURE_ALGORITHM: { reason: 'a certificate is signed with an algorithm this TLS library does not support', fix: 'server' },
  EC_KEY_EXPLICIT_PARAMS: { reason: 'a certificate uses an elliptic-curve key with explicit parameters, which OpenSSL 3 refuses', fix: 'server' },
};

export function readVerifyError(code: string): VerifyErrorReading {
  return VERIFY_ERRORS[code] ?? { reason: `OpenSSL refused the chain with ${code}, an error this tool has no plainer reading for`, fix: 'server' };
}
