/**
 * The path to the target as the earlier stages chose it: TCP to the chosen address (the target,
 * or the forward proxy followed by a CONNECT tunnel), then TLS for https. Later stages (http,
 * stream, mtu) open their connections here so nothing resolves or chooses twice.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { isIP } from './is-ip.js';
import { connect as tlsConnect, type TLSSocket, rootCertificates } from 'node:tls';
import type { Endpoint, RunContext } from '../stages/types.js';
import { openTunnel } from './proxy/tunnel.js';
import { connectTarget } from '../curlopts/options.js';
import { nodeExtraCas, secureContextFor } from './tls/context.js';

/** Connect TCP to one address, honouring the signal. Rejects with the socket error (code kept). */
export function connectTcp(endpoint: Pick<Endpoint, 'address' | 'port'>, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // Always the same coded error on abort, so callers classify it by code (errorFacts: 'aborted').
    const aborted = () => Object.assign(new Error('aborted'), { code: 'ABORT_ERR', cause: signal.reason });
    if (signal.aborted) return reject(aborted());
    const socket = netConnect({ host: endpoint.address, port: endpoint.port });
    const onAbort = () => {
      socket.destroy();
      reject(aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    });
  });
}

/** The CA list for verification: the system/Node store (with NODE_EXTRA_CA_CERTS) plus --ca. */
export function trustedCas(ctx: RunContext): string[] | undefined {
  if (!ctx.state.ca) return undefined;
  const extra = nodeExtraCas();
  return [...rootCertificates, ...(extra !== undefined ? [extra] : []), ctx.state.ca];
}

/** The longest the tcp stage's connection may have sat unused and still be taken, ms. */
export const KEPT_IDLE_MAX_MS = 1000;

/**
 * A raw byte stream to the target for the tls stage and, when it is the connection the tcp stage
 * opened (net/tcp-probe.ts), the ms that stage measured for its connect.
 */
export async function openRawTimed(ctx: RunContext, signal: AbortSignal): Promise<{ socket: Socket; connectMs?: number }> {
  const kept = ctx.state.tcpHandoff;
  if (kept) {
    ctx.state.tcpHandoff = undefined;
    // Unless it closed meanwhile (a reset), or sat idle long enough for a server to give up on a
    // connection that sends nothing (other addresses were still being tried): then a new one.
    const fresh = ctx.now() - kept.keptAt <= KEPT_IDLE_MAX_MS;
    if (fresh && kept.endpoint === ctx.state.endpoint && !ctx.state.proxy && !kept.socket.destroyed && kept.socket.readable && kept.socket.writable && !signal.aborted) {
      return { socket: kept.socket, connectMs: kept.connectMs };
    }
    kept.socket.destroy();
  }
  return { socket: await openRaw(ctx, signal) };
}

/** A raw byte stream to the target: direct TCP, or a CONNECT tunnel through the proxy. */
export async function openRaw(ctx: RunContext, signal: AbortSignal): Promise<Socket> {
  const endpoint = ctx.state.endpoint;
  if (!endpoint) throw new Error('openRaw called before the tcp stage chose an address');
  const socket = await connectTcp(endpoint, signal);
  if (!ctx.state.proxy) return socket;
  const t = ctx.config.target;
  try {
    // --connect-to: the tunnel goes where the rule sends the target (curl does the same).
    const to = connectTarget(ctx.config.connectTo, t.host, t.port);
    const tunnel = await openTunnel(socket, ctx.state.proxy, { host: to.host, port: to.port }, signal);
    return tunnel.socket;
  } catch (err) {
    socket.destroy(); // a refused tunnel must not leave the connection to the proxy open
    throw err;
  }
}

/** The SNI to send for a host: none for IP literals (RFC 6066 forbids them there). */
export function sniFor(host: string): string | undefined {
  return isIP(host) ? undefined : host;
}

export interface SecureOptions {
  /** ALPN protocols to offer; default ['http/1.1'] (undici speaks HTTP/1.1). */
  alpn?: string[];
  /** Verify the chain and host name (default true). */
  verify?: boolean;
}

/** TLS over an open raw socket, with SNI = the target host. */
export function startTls(ctx: RunContext, raw: Socket, signal: AbortSignal, opts: SecureOptions = {}): Promise<TLSSocket> {
  const host = ctx.config.target.host;
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({
      socket: raw,
      servername: sniFor(host),
      host,
      ALPNProtocols: opts.alpn ?? ['http/1.1'],
      // One context per run, with --ca (net/tls/context.ts): Node's roots are not parsed again per connection.
      secureContext: secureContextFor(ctx.state.ca, ctx.state.clientCert),
      rejectUnauthorized: opts.verify ?? true,
    });
    const onAbort = () => {
      sock.destroy();
      reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR', cause: signal.reason }));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      sock.destroy();
      reject(err);
    });
  });
}

/** The whole path: raw stream, then TLS when the target is https. */
export async function openPath(ctx: RunContext, signal: AbortSignal, opts: SecureOptions = {}): Promise<Socket | TLSSocket> {
  const raw = await openRaw(ctx, signal);
  if (ctx.config.target.scheme !== 'https') return raw;
  try {
    return await startTls(ctx, raw, signal, opts);
  } catch (err) {
    raw.destroy();
    throw err;
  }
}
