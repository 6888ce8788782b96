/**
 * Connections of the gateway checks over the run's path (openRaw: the address and proxy tunnel
 * the stages chose), with TLS verified as the tls stage verifies it. One secure context per run:
 * building one from the system store plus --ca parses every root certificate, which costs tens
 * of milliseconds per connection and would slow the rate-limit burst below the rate it measures.
 */
import type { Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import type { RunContext } from '../../stages/types.js';
import { openRaw, sniFor, trustedCas } from '../dial.js';

const contexts = new WeakMap<RunContext, SecureContext>();

function contextFor(ctx: RunContext): SecureContext {
  let c = contexts.get(ctx);
  if (!c) {
    const ca = trustedCas(ctx);
    c = createSecureContext(ca ? { ca } : {});
    contexts.set(ctx, c);
  }
  return c;
}

/** Raw stream, then TLS (ALPN http/1.1, verified) for https targets. Rejects with the socket or TLS error. */
export async function openGatewayPath(ctx: RunContext, signal: AbortSignal): Promise<Socket> {
  const raw = await openRaw(ctx, signal);
  if (ctx.config.target.scheme !== 'https') return raw;
  const host = ctx.config.target.host;
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ socket: raw, servername: sniFor(host), host, ALPNProtocols: ['http/1.1'], secureContext: contextFor(ctx), rejectUnauthorized: true });
    const onAbort = () => {
      sock.destroy();
      raw.destroy();
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
      raw.destroy();
      reject(err);
    });
  });
}
