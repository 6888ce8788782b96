/**
 * The MTU probes. Each opens its own TCP connection to the endpoint, sends something of a known
 * size and waits at most the stall threshold for the peer to react:
 * - `tiny`: a 7-byte bogus TLS alert record; any TLS server answers (alert, FIN or RST) within one
 *   round trip, whatever its certificates, so it shows that small packets flow back;
 * - `handshake`: a real TLS handshake (target SNI: the flight that stalled; no SNI: usually a
 *   small flight); `complete` says whether it finished;
 * - `hello`: a ClientHello padded to a given size; any reaction proves the whole hello arrived;
 * - `http-target`: the stalled HTTP request again, after a verified handshake (src/net/mtu/http.ts);
 * - `body`: one rung of the request-body ladder, a POST of a given size (src/net/mtu/body.ts).
 * Probes leave their sockets open: the kernel's view of them is read once all have settled.
 */
import type { Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { driveBodyProbe, type BodyRung } from './body.js';
import { driveHttpProbe, type HttpProbeRequest } from './http.js';
import { CountingStream, openProbeConn, probeWrite, type ProbeConn, type RawTrace } from './socket.js';

/** What a probe is for; the rules read these. */
export type ProbeKind = 'tiny' | 'small-handshake' | 'target-handshake' | 'hello' | 'http-target' | 'body';

export interface ProbeSpec {
  kind: ProbeKind;
  /** SNI to send (TLS probes); undefined sends none. */
  servername?: string;
  /** ALPN list (padded for `hello` rungs). */
  alpn?: string[];
  /** The request of an `http-target` probe (never reported: it may carry the key). */
  http?: HttpProbeRequest;
  /** The rung of a `body` probe. */
  body?: BodyRung;
}

/**
 * How a probe ended within the threshold:
 * `completed` (handshake finished), `answered` (bytes came back), `closed` (FIN only),
 * `reset` (an error such as ECONNRESET), `stalled` (nothing at all), `connect-failed`.
 */
export type ProbeOutcome = 'completed' | 'answered' | 'closed' | 'reset' | 'stalled' | 'connect-failed';

/** The result of one probe, before the kernel's view is added. */
export interface ProbeResult {
  spec: ProbeSpec;
  outcome: ProbeOutcome;
  trace: RawTrace;
  /** ms since the probe started when it settled. */
  settledMs: number;
  /** The socket, still open (undefined when the connect failed). */
  socket?: Socket;
  tls?: TLSSocket;
}

/** A TLS alert record: type 21, version 3.3, length 2, fatal (2), unexpected_message (10). */
export const TINY_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function outcomeOf(trace: RawTrace): ProbeOutcome {
  if (trace.bytesRead > 0) return 'answered';
  if (trace.errorCode !== undefined) return 'reset';
  if (trace.finMs !== undefined) return 'closed';
  return 'stalled';
}

/** Send the probe's bytes over an open connection and wait for its answer or the threshold. */
export async function driveProbe(
  conn: ProbeConn,
  spec: ProbeSpec,
  untilMs: number,
  signal: AbortSignal,
  now: () => number,
): Promise<Omit<ProbeResult, 'settledMs'>> {
  const left = () => untilMs - now();
  if (spec.kind === 'http-target' && spec.http) {
    const t0 = now() - (conn.trace.connectMs ?? 0);
    return driveHttpProbe(conn, spec, spec.http, (p) => Promise.race([p, sleep(left(), signal)]), now, t0);
  }
  if (spec.kind === 'body' && spec.body) {
    const t0 = now() - (conn.trace.connectMs ?? 0);
    return driveBodyProbe(conn, spec, spec.body, (p) => Promise.race([p, sleep(left(), signal)]), now, t0);
  }
  if (spec.kind === 'tiny') {
    probeWrite(conn, TINY_ALERT);
    await Promise.race([conn.reacted, sleep(left(), signal)]);
    return { spec, outcome: outcomeOf(conn.trace), trace: conn.trace, socket: conn.socket };
  }
  const tls = tlsConnect({
    socket: new CountingStream(conn),
    servername: spec.servername,
    ALPNProtocols: spec.alpn ?? ['http/1.1'],
    // Only whether bytes flow matters here; the tls stage judges the certificates.
    rejectUnauthorized: false,
  });
  tls.on('error', () => undefined);
  const secure = new Promise<boolean>((resolve) => {
    tls.once('secureConnect', () => resolve(true));
    tls.once('error', () => resolve(false));
    tls.once('close', () => resolve(false));
  });
  // A padded hello only needs a reaction; a handshake must finish.
  const waitFor = spec.kind === 'hello' ? Promise.race([conn.reacted, secure]) : secure;
  const ok = await Promise.race([waitFor, sleep(left(), signal).then(() => false)]);
  const outcome: ProbeOutcome = ok === true && spec.kind !== 'hello' ? 'completed' : outcomeOf(conn.trace);
  return { spec, outcome, trace: conn.trace, socket: conn.socket, tls };
}

/** Connect and run one probe; never rejects (a failed connect is an outcome). */
export async function runProbe(
  address: string,
  port: number,
  spec: ProbeSpec,
  untilMs: number,
  signal: AbortSignal,
  now: () => number,
  opened?: ProbeConn,
): Promise<ProbeResult> {
  const t0 = now();
  let conn = opened;
  if (!conn) {
    // The connect itself gets the same threshold as the probe.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), Math.max(1, untilMs - now()));
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      conn = await openProbeConn(address, port, ac.signal, now, spec.kind === 'body');
    } catch (err) {
      const code = (err as { code?: string }).code;
      return { spec, outcome: 'connect-failed', trace: { bytesWritten: 0, bytesRead: 0, errorCode: code ?? 'ERROR' }, settledMs: now() - t0 };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }
  const r = await driveProbe(conn, spec, untilMs, signal, now);
  return { ...r, settledMs: now() - t0 };
}

/** Close everything the probes left open. */
export function closeProbes(results: ProbeResult[]): void {
  for (const r of results) {
    r.tls?.destroy();
    r.socket?.destroy();
  }
}
