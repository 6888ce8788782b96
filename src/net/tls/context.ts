/**
 * One secure context per run (per trusted-CA text, for the whole process): Node's roots plus the
 * --ca certificates are parsed once, before any handshake clock starts, and every connection of
 * the run (the tls stage's handshake, the http and stream probes, the samples of --repeat) reuses
 * it. Without --ca it is Node's default context, built here rather than inside the first handshake.
 */
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/** Contexts by CA text ('' for Node's default store); a handful at most (diagnose serve, fleets). */
const contexts = new Map<string, SecureContext>();
const MAX_CONTEXTS = 8;

/** The context for this CA text and, with --cert/--key, this client certificate (a context holds both). */
export function secureContextFor(ca: string | undefined, client?: { cert: string; key: string }): SecureContext {
  const key = `${ca ?? ''}\0${client ? `${client.cert}\0${client.key}` : ''}`;
  let sc = contexts.get(key);
  if (sc) return sc;
  sc = createSecureContext({ ...(ca === undefined ? {} : { ca: [...rootCertificates, ca] }), ...(client ?? {}) });
  if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
  contexts.set(key, sc);
  return sc;
}
