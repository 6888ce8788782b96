/**
 * Observe one TLS handshake over an open byte stream: raw bytes counted both ways, the first bytes
 * the peer sent kept (to tell a plain-HTTP port from a TLS one), the chain captured even when it
 * does not verify. Never rejects: every outcome is a value.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';
import { certInfo, chainInfo, checkHostname, type CertInfo, type HostnameCheck } from './cert.js';
import { errorFacts } from '../failure.js';
import { HANDSHAKE, handshakeTypes } from './records.js';
import { anchorsFor, buildPath, peerChainDer, type VerifiedPath } from './path.js';
import { checkAgainstAnchors } from './anchor-check.js';
import { onArrival } from '../arrival.js';
import { splitHandshakeTime, type WireEvent } from './wire-time.js';

/** How many of the peer's first bytes are kept. */
const HEAD_BYTES = 64;
/** How much of the peer's plaintext flight is kept to read its handshake messages. */
const EARLY_BYTES = 16 * 1024;
/**
 * After a TLS 1.3 handshake a server that asked for a client certificate still judges ours (absent):
 * one that requires it sends its alert right after our Finished. Wait this long for that alert, or
 * for the session ticket a content server sends instead: 1.5 handshake times, within these bounds
 * (ms). A server that asked for none is not waited for.
 */
const LINGER_MIN_MS = 100;
const LINGER_MAX_MS = 1000;
/** Wire events kept per handshake (a handshake is a few flights; a hostile trickle must not grow the list). */
const MAX_EVENTS = 4096;

/**
 * A pass-through stream over the raw socket that counts bytes and remembers how the peer ended.
 * TLS runs on top of it, so the counts are bytes on the wire, not decrypted bytes.
 */
class CountingTap extends Duplex {
  bytesRead = 0;
  bytesWritten = 0;
  head = Buffer.alloc(0);
  /** The first EARLY_BYTES the peer sent (its plaintext handshake flight). */
  early = Buffer.alloc(0);
  /** The peer closed its side (FIN). */
  sawEnd = false;
  /** The socket error code, when the raw socket failed (ECONNRESET ...). */
  rawErrorCode?: string;
  /** When bytes went out and came in on the raw socket, in order (bounded: a handshake is a few flights). */
  events: WireEvent[] = [];

  constructor(private readonly raw: Socket, private readonly now: () => number) {
    super();
    // Stamped where the socket hands over what it read, before any listener or a paused flow delays it.
    this.undoArrival = onArrival(raw, () => this.stamp('in'));
    raw.on('data', (d: Buffer) => {
      this.bytesRead += d.length;
      if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, d]).subarray(0, HEAD_BYTES);
      if (this.early.length < EARLY_BYTES) this.early = Buffer.concat([this.early, d]).subarray(0, EARLY_BYTES);
      if (!this.push(d)) raw.pause();
    });
    raw.on('end', () => {
      this.sawEnd = true;
      this.push(null);
    });
    raw.on('error', (err) => {
      this.rawErrorCode = errorFacts(err).code;
      this.destroy(err);
    });
    raw.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  private readonly undoArrival: () => void;

  private stamp(dir: WireEvent['dir']): void {
    if (this.events.length < MAX_EVENTS) this.events.push({ dir, at: this.now() });
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (chunk.length > 0) this.stamp('out');
    this.bytesWritten += chunk.length;
    this.raw.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.undoArrival();
    this.raw.destroy();
    cb(err);
  }
}

/**
 * How the handshake ended.
 * - `ok`: it completed (the chain may still not verify: see chainError / hostname).
 * - `reset`: the peer sent RST; `closed`: the peer closed (FIN) before the handshake finished.
 * - `timeout`: the deadline came first. - `not-tls`: the peer's bytes are not TLS records.
 * - `alert`: the peer speaks TLS but refused (a TLS alert, no shared version or cipher).
 * - `error`: anything else (its code kept).
 */
export type HandshakeKind = 'ok' | 'reset' | 'closed' | 'timeout' | 'not-tls' | 'alert' | 'error';

/** What one handshake showed; plain data. */
export interface HandshakeFacts {
  kind: HandshakeKind;
  /** The error code behind a failure (ECONNRESET, ERR_SSL_WRONG_VERSION_NUMBER ...). */
  code?: string;
  /** The error's message, for evidence only. */
  message?: string;
  /**
   * Milliseconds. A completed handshake: the network's and the server's part, from our last write
   * of each flight (the ClientHello first) to the arrival of the server's answering flight on the
   * raw socket, summed over the flights (one for TLS 1.3, two for 1.2). A failed one: from the
   * start to the outcome.
   */
  ms: number;
  /**
   * A completed handshake: the client's own processing, the rest of the time from the start to
   * Node's secureConnect (building the ClientHello, key exchange, chain verification), so that
   * ms + clientMs is the whole handshake as the client lived it.
   */
  clientMs?: number;
  /** A completed handshake: how many of our flights the server answered (1 for TLS 1.3, 2 for 1.2). */
  roundTrips?: number;
  bytesWritten: number;
  bytesRead: number;
  /** The peer's first bytes (up to 64), as latin1 text, kept for failures. */
  head?: string;
  protocol?: string;
  cipher?: string;
  /** The ALPN protocol chosen, '' when none. */
  alpn?: string;
  /** OpenSSL's verification error for the chain (CERT_HAS_EXPIRED ...), without the host-name check. */
  chainError?: string;
  hostname?: HostnameCheck;
  chain?: CertInfo[];
  /**
   * The path OpenSSL verified (trusted issuer first), as indexes into `chain` plus the anchor that
   * ends it; built only when the chain verified or failed on a date, where it decides which dates count.
   */
  verifiedPath?: VerifiedPath;
  /** The server asked for a client certificate (a CertificateRequest seen in its plaintext flight). */
  certRequested?: boolean;
  /** The refusal came after the handshake had completed on our side (a TLS 1.3 post-handshake alert). */
  afterHandshake?: boolean;
  /**
   * With `anchorCheck`: the chain verified against the run's anchors without Node's root store
   * (net/tls/anchor-check.ts), or why it is left to OpenSSL with the full store (the handshake must
   * be made again with it; chainError is then unknown).
   */
  anchorCheck?: { trusted: true } | { trusted: false; reason: string };
}

export interface HandshakeOptions {
  /** The host the certificate must cover. */
  host: string;
  /** SNI; absent for IP literals. */
  servername?: string;
  alpn: string[];
  /** CA list for verification (undefined: Node's default store). */
  ca?: string[];
  /** --cert/--key: a client certificate to present (PEM). */
  cert?: string;
  key?: string;
  /** A context built beforehand (net/tls/context.ts); wins over `ca`, and keeps its build out of the handshake time. */
  secureContext?: SecureContext;
  /**
   * The context trusts nothing (anchor-check.ts's untrustingContext): finish the chain's path here
   * against Node's roots and these CA texts (NODE_EXTRA_CA_CERTS, --ca).
   */
  anchorCheck?: { extraCas: string[] };
  /**
   * Given, a completed handshake's connection is handed here open (paused, its application data
   * kept for the next reader) instead of being closed; it is then the caller's to use or destroy.
   */
  keep?: (conn: KeptConnection) => void;
}

/** A connection observeHandshake handed over: the TLS socket, the raw one under it (for byte counts), and how to close both. */
export interface KeptConnection {
  sock: TLSSocket;
  raw: Socket;
  close(): void;
}

/** A TLS record starts with a content type 20..24 and a 3.x version: anything else is not TLS. */
export function looksLikeTls(head: Buffer): boolean {
  if (head.length === 0) return true; // nothing to judge by
  return head[0]! >= 20 && head[0]! <= 24 && (head.length < 2 || head[1] === 3);
}

function classify(err: unknown, tap: CountingTap, aborted: boolean): Pick<HandshakeFacts, 'kind' | 'code' | 'message'> {
  const f = errorFacts(err);
  if (aborted) return { kind: 'timeout', code: 'deadline' };
  if (!looksLikeTls(tap.head)) return { kind: 'not-tls', code: f.code, message: f.message };
  if (tap.rawErrorCode === 'ECONNRESET' || tap.rawErrorCode === 'EPIPE') return { kind: 'reset', code: tap.rawErrorCode, message: f.message };
  if (tap.sawEnd) return { kind: 'closed', code: f.code, message: f.message };
  if (f.fact === 'tls-not-tls') return { kind: 'not-tls', code: f.code, message: f.message };
  if (f.fact === 'reset' || f.fact === 'closed') return { kind: 'reset', code: f.code, message: f.message };
  if (f.fact === 'tls-alert' || f.code?.startsWith('ERR_SSL_')) return { kind: 'alert', code: f.code, message: f.message };
  return { kind: 'error', code: f.code, message: f.message };
}

/**
 * Only a chain refused for its dates, or a verified one that carries a certificate outside its dates,
 * needs the path rebuilt: it costs a parse of the whole store (about 50 ms for Node's 144 roots).
 */
function pathFacts(ders: Buffer[], authErr: string | undefined, ca: string[] | undefined, chain: CertInfo[]): { verifiedPath?: VerifiedPath } {
  const verified = authErr === undefined || authErr === 'ERR_TLS_CERT_ALTNAME_INVALID';
  const now = Date.now();
  const stale = chain.some((c) => now > Date.parse(c.validTo) || now < Date.parse(c.validFrom));
  if (!(authErr === 'CERT_HAS_EXPIRED' || authErr === 'CERT_NOT_YET_VALID' || (verified && stale))) return {};
  const path = buildPath(ders, anchorsFor(ca));
  return path ? { verifiedPath: path } : {};
}

/** Whether the server sent a CertificateRequest: seen in its plaintext flight (TLS 1.2), or known by the sigalgs OpenSSL shared to answer it; when unsure, yes. */
function askedForCertificate(s: TLSSocket, seenInPlaintext: () => boolean): boolean {
  if (seenInPlaintext()) return true;
  try {
    return s.getSharedSigalgs().length > 0;
  } catch {
    return true;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Run one handshake over `raw` (taken over: it is closed before returning). */
export function observeHandshake(raw: Socket, opts: HandshakeOptions, signal: AbortSignal, now: () => number): Promise<HandshakeFacts> {
  const tap = new CountingTap(raw, now);
  // A late socket error after the TLS layer let go of the tap must not become an uncaught exception.
  tap.on('error', () => undefined);
  const started = now();
  return new Promise((resolve) => {
    let done = false;
    let handshakeDone: number | undefined;
    let sock: TLSSocket | undefined;
    /** Reads (and drops) application data while the handshake's aftermath is awaited (TLS 1.3). */
    const drop = () => undefined;
    const finish = (facts: Omit<HandshakeFacts, 'ms' | 'bytesWritten' | 'bytesRead'>, keep = false) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      const split = facts.kind === 'ok' && handshakeDone !== undefined ? splitHandshakeTime(started, handshakeDone, tap.events) : undefined;
      const counts = {
        ms: round(split ? split.wireMs : now() - started),
        ...(split ? { clientMs: round(split.clientMs), roundTrips: split.roundTrips } : {}),
        bytesWritten: tap.bytesWritten,
        bytesRead: tap.bytesRead,
      };
      if (keep && opts.keep && sock && !sock.destroyed && sock.readable && sock.writable) {
        sock.off('data', drop);
        sock.pause();
        const kept = sock;
        opts.keep({
          sock: kept,
          raw,
          close: () => {
            kept.destroy();
            tap.destroy();
          },
        });
      } else {
        sock?.destroy();
        tap.destroy();
      }
      resolve({ ...facts, ...counts });
    };
    const certRequested = () => handshakeTypes(tap.early).includes(HANDSHAKE.certificateRequest);
    /** Set once the handshake completed on our side; only a TLS alert can still turn it into a failure. */
    let completed: Omit<HandshakeFacts, 'ms' | 'bytesWritten' | 'bytesRead'> | undefined;
    const fail = (err: unknown) => {
      if (completed && !errorFacts(err).code?.startsWith('ERR_SSL_')) return finish(completed);
      finish({
        ...classify(err, tap, signal.aborted),
        head: tap.head.toString('latin1'),
        ...(certRequested() ? { certRequested: true } : {}),
        ...(completed ? { afterHandshake: true } : {}),
      });
    };
    const onAbort = () => fail(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      sock = tlsConnect({
        socket: tap,
        host: opts.host,
        servername: opts.servername,
        ALPNProtocols: opts.alpn,
        ...(opts.secureContext ? { secureContext: opts.secureContext } : { ca: opts.ca, ...(opts.cert !== undefined ? { cert: opts.cert, key: opts.key } : {}) }),
        // Verification is judged below, so the chain is kept even when it fails.
        rejectUnauthorized: false,
      });
    } catch (err) {
      return fail(err);
    }
    sock.on('error', fail);
    sock.once('close', () => fail(Object.assign(new Error('closed before the handshake finished'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })));
    sock.once('secureConnect', () => {
      const s = sock!;
      handshakeDone = now();
      let authErr = s.authorizationError ? String(s.authorizationError) : undefined;
      const ders = peerChainDer(s);
      const chain = chainInfo(ders);
      let anchorCheck: HandshakeFacts['anchorCheck'];
      if (opts.anchorCheck) {
        const verdict = checkAgainstAnchors(ders, authErr, opts.anchorCheck.extraCas, Date.now());
        if (verdict.trusted) {
          authErr = undefined;
          // As Node completes the chain from a full store: the anchor after a top that is not self-signed.
          const top = chain[chain.length - 1];
          if (!verdict.anchorInChain && top && !top.selfSigned) chain.push(certInfo(verdict.anchor));
          anchorCheck = { trusted: true };
        } else anchorCheck = { trusted: false, reason: verdict.reason };
      }
      const facts: Omit<HandshakeFacts, 'ms' | 'bytesWritten' | 'bytesRead'> = {
        kind: 'ok',
        protocol: s.getProtocol() ?? undefined,
        cipher: s.getCipher()?.standardName ?? s.getCipher()?.name,
        alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : '',
        // Node folds a failed host-name check into authorizationError; keep only the chain's verdict here.
        chainError: authErr === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : authErr,
        hostname: checkHostname(s, opts.host),
        chain,
        ...(anchorCheck?.trusted === false ? {} : pathFacts(ders, authErr, opts.ca, chain)),
        ...(certRequested() ? { certRequested: true } : {}),
        ...(anchorCheck ? { anchorCheck } : {}),
      };
      // Left to OpenSSL with the full store: the caller handshakes again, nothing more to wait for here.
      if (anchorCheck?.trusted === false) return finish(facts);
      // Only a server that asked for a client certificate can still refuse after our Finished (TLS
      // 1.3): without a CertificateRequest there is nothing to wait for. Its request is encrypted
      // in 1.3, but OpenSSL shares signature algorithms with the server only when one came.
      if (s.getProtocol() !== 'TLSv1.3' || !askedForCertificate(s, certRequested)) return finish(facts, true);
      completed = facts;
      // A post-handshake alert wins through `fail`; a ticket, a plain close or the timer means none came.
      const timer = setTimeout(() => finish(facts, true), Math.min(LINGER_MAX_MS, Math.max(LINGER_MIN_MS, 1.5 * (handshakeDone - started))));
      const settle = () => clearTimeout(timer);
      s.once('session', () => {
        settle();
        finish(facts, true);
      });
      s.once('close', settle);
      s.on('error', settle);
      // Read (and drop) application data so the TLS layer processes what arrives.
      s.on('data', drop);
    });
  });
}
