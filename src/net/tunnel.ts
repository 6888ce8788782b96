/**
 * CONNECT through a forward proxy. PLACEHOLDER signature: the proxy issue builds it.
 * Given a socket connected to the proxy, ask it for a tunnel to host:port.
 */
import type { Socket } from 'node:net';
import type { ProxyChoice } from '../stages/types.js';

export interface TunnelResult {
  /** The same socket, now a tunnel to the target (bytes after the CONNECT response are the target's). */
  socket: Socket;
  /** The proxy's status line and headers, credentials removed. */
  status: number;
  headers: Record<string, string>;
  connectMs: number;
}

export async function openTunnel(
  _socket: Socket,
  _proxy: ProxyChoice,
  _target: { host: string; port: number },
  _signal: AbortSignal,
): Promise<TunnelResult> {
  throw new Error('CONNECT tunnels are not built yet');
}
