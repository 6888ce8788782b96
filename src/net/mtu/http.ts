/**
 * The `http-target` MTU probe: the HTTP request that stalled, repeated on a fresh connection of
 * its own after a verified TLS handshake, to see whether the server's answer is what gets lost
 * (a download stall: a handshake of small packets works, a response of full-size ones vanishes).
 * The request may carry the API key, so it is sent only after the certificate verified exactly as
 * the tls stage verifies it; the request bytes are never recorded.
 */
import { connect as tlsConnect } from 'node:tls';
import { CountingStream, type ProbeConn } from './socket.js';
import { verifyFor } from '../tls/verify-host.js';
import type { ProbeOutcome, ProbeResult, ProbeSpec } from './probes.js';

/** What the http probe needs beyond the spec: the request bytes and how to verify the server. */
export interface HttpProbeRequest {
  /** The complete HTTP/1.1 request (head and body), `connection: close`. */
  bytes: Buffer;
  servername?: string;
  /** The host or IP the certificate must cover (the target's own, also without SNI). */
  verifyHost: string;
  /** CA list for verification (undefined: Node's default store). */
  ca?: string[];
}

/**
 * The head of an HTTP/1.1 probe request: request line, host, the given headers (host, connection
 * and content-length among them are replaced), content-length when there is a body, connection: close.
 */
export function requestHead(method: string, path: string, hostHeader: string, headers: Record<string, string>, contentLength?: number): string {
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${hostHeader}`];
  for (const [k, v] of Object.entries(headers)) if (!/^(host|connection|content-length)$/i.test(k)) lines.push(`${k}: ${v}`);
  if (contentLength !== undefined) lines.push(`content-length: ${contentLength}`);
  lines.push('connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** An HTTP/1.1 request for a planned method, path, headers and body. */
export function httpRequestBytes(method: string, path: string, hostHeader: string, headers: Record<string, string>, body?: string): Buffer {
  const head = requestHead(method, path, hostHeader, headers, body === undefined ? undefined : Buffer.byteLength(body));
  return Buffer.concat([Buffer.from(head), Buffer.from(body ?? '')]);
}

/** Handshake (verified), send the request, and watch the answer until it ends or the threshold. */
export async function driveHttpProbe(
  conn: ProbeConn,
  spec: ProbeSpec,
  req: HttpProbeRequest,
  wait: (p: Promise<unknown>) => Promise<unknown>,
  now: () => number,
  t0: number,
): Promise<Omit<ProbeResult, 'settledMs'>> {
  const trace = conn.trace;
  const tls = tlsConnect({ socket: new CountingStream(conn), servername: req.servername, ca: req.ca, ALPNProtocols: ['http/1.1'], rejectUnauthorized: true, ...verifyFor(req.verifyHost) });
  tls.on('error', () => undefined);
  let failed = false;
  const ended = new Promise<void>((resolve) => {
    tls.once('secureConnect', () => {
      trace.handshakeMs = now() - t0;
      tls.write(req.bytes);
    });
    tls.on('data', (chunk: Buffer) => (trace.appBytesRead = (trace.appBytesRead ?? 0) + chunk.length));
    tls.once('end', () => resolve());
    tls.once('close', () => resolve());
    tls.once('error', () => {
      failed = true;
      resolve();
    });
  });
  await wait(ended);
  const app = trace.appBytesRead ?? 0;
  const closed = trace.finMs !== undefined || trace.errorCode !== undefined;
  let outcome: ProbeOutcome;
  if (trace.handshakeMs === undefined) outcome = failed || closed ? 'reset' : trace.bytesRead > 0 ? 'answered' : 'stalled';
  else if (app > 0) outcome = closed ? 'completed' : 'answered';
  else outcome = trace.errorCode !== undefined ? 'reset' : trace.finMs !== undefined ? 'closed' : 'stalled';
  return { spec, outcome, trace, socket: conn.socket, tls };
}
