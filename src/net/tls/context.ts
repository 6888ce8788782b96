/**
 * One secure context per run (per trusted-CA text, for the whole process): Node's roots plus the
 * --ca certificates are parsed once, before any handshake clock starts, and every connection of
 * the run (the tls stage's handshake, the http and stream probes, the samples of --repeat) reuses
 * it. Without --ca it is Node's default context, built here rather than inside the first handshake.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { CA_BUNDLE_MAX } from '../../safe-io/read-capped.js';
import { BoundedMap } from '../../bounded-map.js';

/** The native context's addCACert (copy-on-write of the shared root store), or the documented `ca` option when absent. */
function addCa(sc: SecureContext, ca: string): boolean {
  const native = (sc as unknown as { context?: { addCACert?: (pem: string) => void } }).context;
  if (typeof native?.addCACert !== 'function') return false;
  native.addCACert(ca);
  return true;
}

/** Contexts by CA text ('' for Node's default store); a handful at most (diagnose serve, fleets). */
const contexts = new BoundedMap<string, SecureContext>(8);

const keyOf = (ca: string | undefined, client?: { cert: string; key: string }) => `${ca ?? ''}\0${client ? `${client.cert}\0${client.key}` : ''}`;

/** Whether the context for this CA text and client certificate is built already (its cost paid). */
export function hasSecureContext(ca: string | undefined, client?: { cert: string; key: string }): boolean {
  return contexts.has(keyOf(ca, client));
}

/** The context for this CA text and, with --cert/--key, this client certificate (a context holds both). */
export function secureContextFor(ca: string | undefined, client?: { cert: string; key: string }): SecureContext {
  const key = keyOf(ca, client);
  let sc = contexts.get(key);
  if (sc) return sc;
  // Node's default store (its bundled roots, parsed once per process in C++, plus NODE_EXTRA_CA_CERTS)
  // with the --ca certificates added to a copy of it: the same trust as `ca: [...rootCertificates,
  // ca]` without handing ~140 PEM texts to OpenSSL again (about 40 ms of a run). Node's copy holds
  // its bundled roots only, so the NODE_EXTRA_CA_CERTS certificates are added to it again.
  sc = createSecureContext({ ...(client ?? {}) });
  if (ca !== undefined) {
    const extra = nodeExtraCas();
    if (!addCa(sc, extra !== undefined ? `${extra}\n${ca}` : ca)) sc = createSecureContext({ ca: [...rootCertificates, ...(extra !== undefined ? [extra] : []), ca], ...(client ?? {}) });
  }
  contexts.set(key, sc);
  return sc;
}

let extraCas: { text: string | undefined } | undefined;

/**
 * The certificates Node added to its store at start-up from NODE_EXTRA_CA_CERTS, read once more
 * (a regular file of at most CA_BUNDLE_MAX only: a FIFO was drained by Node and would block).
 */
export function nodeExtraCas(): string | undefined {
  if (extraCas) return extraCas.text;
  extraCas = { text: undefined };
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (st.isFile() && st.size <= CA_BUNDLE_MAX) extraCas.text = readFileSync(fd, 'latin1');
  } catch {
    // unreadable: Node warned at start-up and runs without it too
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return extraCas.text;
}
