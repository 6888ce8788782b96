/**
 * CONNECT through a forward proxy. Given a socket connected to the proxy, ask it for a tunnel to
 * host:port (after a TLS handshake with the proxy itself when it is an https:// proxy).
 *
 * Resolves only with an open tunnel (2xx). Every other outcome rejects with a TunnelError whose
 * `code` says what happened and whose `response` holds what the proxy answered, so callers that just
 * want a byte stream (openRaw) never mistake a 407 page for the target.
 */
import type { Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';
import { formatHost } from '../../target.js';
import type { ProxyChoice } from '../../stages/types.js';
import { proxyCredentials } from './env.js';
import { parseHead, type ParsedHead } from '../http/head.js';
import { clockMs } from '../../clock.js';

/** The most a proxy may send before its header ends; a hostile one cannot make us buffer more. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** How much of a refusal page is kept as evidence (appliance pages carry kilobytes of CSS before their words). */
const MAX_BODY_SNIPPET = 16 * 1024;
/** How long to wait for the rest of a refusal page after its header: the header is the verdict, the page only explains it. */
const BODY_GRACE_MS = 500;

/** What the proxy answered to CONNECT (credentials never appear here: we only send them). */
export interface TunnelResponse extends ParsedHead {
  /** The first bytes of the body of a refusal (whatever arrived with the header). */
  body?: string;
}

export interface TunnelResult extends TunnelResponse {
  /** The same socket, now a tunnel to the target (bytes after the CONNECT response are the target's). */
  socket: Socket;
  /** Milliseconds from writing CONNECT to the end of the proxy's response header. */
  connectMs: number;
  /** Milliseconds of the TLS handshake with an https:// proxy. */
  proxyTlsMs?: number;
}

export type TunnelErrorCode =
  /** The proxy answered CONNECT with a non-2xx status (`response` says which). */
  | 'ERR_TUNNEL_STATUS'
  /** The proxy closed the connection before a full response header. */
  | 'ERR_TUNNEL_CLOSED'
  /** The answer was not HTTP, or its header exceeded MAX_HEAD_BYTES. */
  | 'ERR_TUNNEL_MALFORMED'
  /** The TLS handshake with an https:// proxy failed (`cause` holds the TLS error). */
  | 'ERR_TUNNEL_PROXY_TLS';

export class TunnelError extends Error {
  override readonly name = 'TunnelError';
  constructor(
    readonly code: TunnelErrorCode,
    message: string,
    readonly response?: TunnelResponse,
    /** Bytes received from the proxy before the failure. */
    readonly bytesRead = 0,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const abortError = (signal: AbortSignal) => Object.assign(new Error('aborted'), { code: 'ABORT_ERR', cause: signal.reason });

/** TLS with the proxy itself (https:// proxies): SNI and verification against the proxy's name. */
function proxyTls(socket: Socket, proxy: ProxyChoice, signal: AbortSignal): Promise<TLSSocket> {
  const host = proxy.url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({
      socket,
      host,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      ALPNProtocols: ['http/1.1'],
      ca: proxy.ca !== undefined ? [...rootCertificates, proxy.ca] : undefined,
    });
    // Wrapped so the caller can tell silence during the proxy's TLS handshake from silence after CONNECT.
    const onAbort = () => {
      tls.destroy();
      reject(new TunnelError('ERR_TUNNEL_PROXY_TLS', 'no TLS handshake with the proxy in time', undefined, 0, { cause: abortError(signal) }));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    tls.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      tls.removeAllListeners('error');
      resolve(tls);
    });
    tls.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      tls.destroy();
      reject(new TunnelError('ERR_TUNNEL_PROXY_TLS', `TLS with the proxy failed: ${(err as { code?: string }).code ?? err.message}`, undefined, 0, { cause: err }));
    });
  });
}

/** The CONNECT request; Proxy-Authorization (Basic) when the proxy URL carries credentials. */
export function connectRequest(proxy: ProxyChoice, target: { host: string; port: number }, userAgent = 'upstream-doctor'): string {
  const authority = `${formatHost(target.host)}:${target.port}`;
  const creds = proxyCredentials(proxy.url);
  return (
    `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: ${userAgent}\r\n` +
    (creds ? `Proxy-Authorization: Basic ${creds.basic}\r\n` : '') +
    'Proxy-Connection: keep-alive\r\n\r\n'
  );
}

/**
 * Where the response header ends: at the first blank line, written CRLF CRLF or, as some small
 * proxies do and every HTTP client tolerates, with bare LFs.
 */
function headEnd(buf: Buffer): { end: number; sep: number } {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return { end: lf, sep: 2 };
  return { end: crlf, sep: crlf < 0 ? 0 : 4 };
}

/**
 * The rest of a refusal page, bounded three ways: Content-Length (or MAX_BODY_SNIPPET), the end
 * of the connection, and BODY_GRACE_MS (or the stage's deadline). Never rejects.
 */
function readBody(socket: Socket, first: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(headers['content-length']);
  const want = Math.min(Number.isFinite(declared) && declared >= 0 ? declared : MAX_BODY_SNIPPET, MAX_BODY_SNIPPET);
  if (first.length >= want || signal.aborted || socket.destroyed) return Promise.resolve(first.subarray(0, MAX_BODY_SNIPPET));
  return new Promise((resolve) => {
    let buf = first;
    const done = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', done);
      socket.off('close', done);
      socket.off('error', done);
      signal.removeEventListener('abort', done);
      resolve(buf.subarray(0, MAX_BODY_SNIPPET));
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= want) done();
    };
    const timer = setTimeout(done, BODY_GRACE_MS);
    signal.addEventListener('abort', done, { once: true });
    socket.on('data', onData);
    socket.once('end', done);
    socket.once('close', done);
    socket.once('error', done);
    socket.resume();
  });
}

/** Read the proxy's answer to CONNECT: resolves with the head and the bytes after it. */
function readHead(socket: Socket, signal: AbortSignal): Promise<{ head: ParsedHead; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const { end, sep } = headEnd(buf);
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) fail(new TunnelError('ERR_TUNNEL_MALFORMED', `the proxy sent more than ${MAX_HEAD_BYTES} bytes without ending its header`, undefined, buf.length));
          else if (buf.length >= 5 && !buf.subarray(0, 5).toString('latin1').startsWith('HTTP/')) fail(new TunnelError('ERR_TUNNEL_MALFORMED', 'the proxy answered something that is not HTTP', undefined, buf.length));
          return;
        }
        const head = parseHead(buf.subarray(0, end).toString('latin1'));
        if (!head) return fail(new TunnelError('ERR_TUNNEL_MALFORMED', 'the proxy answered with a malformed status line', undefined, buf.length));
        buf = buf.subarray(end + sep);
        // 1xx are interim: the real answer follows.
        if (head.status >= 100 && head.status < 200) continue;
        cleanup();
        socket.pause();
        return resolve({ head, rest: buf });
      }
    };
    const onEnd = () => fail(new TunnelError('ERR_TUNNEL_CLOSED', `the proxy closed the connection after ${buf.length} bytes, before answering CONNECT`, undefined, buf.length));
    const onError = (err: Error) => fail(err);
    const onAbort = () => fail(abortError(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
  });
}

export async function openTunnel(
  socket: Socket,
  proxy: ProxyChoice,
  target: { host: string; port: number },
  signal: AbortSignal,
): Promise<TunnelResult> {
  let stream: Socket = socket;
  let proxyTlsMs: number | undefined;
  if (proxy.url.protocol === 'https:') {
    const t0 = clockMs();
    stream = await proxyTls(socket, proxy, signal);
    proxyTlsMs = clockMs() - t0;
  }
  const t0 = clockMs();
  stream.write(connectRequest(proxy, target));
  const { head, rest } = await readHead(stream, signal);
  const connectMs = clockMs() - t0;
  if (head.status >= 200 && head.status < 300) {
    if (rest.length > 0) stream.unshift(rest);
    return { ...head, socket: stream, connectMs, ...(proxyTlsMs !== undefined ? { proxyTlsMs } : {}) };
  }
  const page = await readBody(stream, rest, head.headers, signal);
  stream.destroy();
  const body = page.length > 0 ? page.toString('utf8') : undefined;
  throw new TunnelError('ERR_TUNNEL_STATUS', `the proxy answered CONNECT with ${head.status}`, { ...head, ...(body !== undefined ? { body } : {}) }, rest.length);
}
