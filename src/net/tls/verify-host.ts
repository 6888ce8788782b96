/**
 * TLS options that verify the certificate for the target's own host or IP. A TLS socket made
 * over an existing stream (`tls.connect({ socket })`) without a servername checks the
 * certificate against "localhost": for an IP target (no SNI) that is the wrong name, and a request
 * that carries the key could go to a server whose certificate does not cover the target.
 */
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';

export function verifyFor(host: string): Pick<ConnectionOptions, 'checkServerIdentity'> {
  return { checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert) };
}
