/**
 * The keep-alive pool the samples of --reuse share, configured like Python httpx's default client
 * (httpx.Limits: max_connections 100, max_keepalive_connections 20, keepalive_expiry 5 s), which
 * the OpenAI and Anthropic Python SDKs build on. Like httpx it keeps an idle connection for its
 * expiry whatever the server's Keep-Alive hint says, so a server or middlebox that closes idle
 * connections sooner races it: the reset-before-headers an application sees.
 *
 * Each pooled connection is one undici Client (pipelining 1) used by one sample at a time;
 * probeHttp (net/http/probe.ts) checks one out and returns it when the exchange ended cleanly.
 */
import type { PooledConnection } from '../net/http/probe.js';
import type { ReuseInfo } from './summary.js';
import { clockMs } from '../clock.js';

export const HTTPX_DEFAULTS = { like: 'python-httpx', keepaliveExpirySeconds: 5, maxKeepaliveConnections: 20, maxConnections: 100 } as const;

export class ReusePool {
  private idle: Array<{ conn: PooledConnection; since: number }> = [];
  private opened = 0;
  private reused = 0;

  constructor(
    readonly settings = HTTPX_DEFAULTS,
    private readonly now: () => number = clockMs,
  ) {}

  /** An idle, still usable connection (most recently used first), or undefined: open a new one. */
  checkout(): PooledConnection | undefined {
    for (;;) {
      const e = this.idle.pop();
      if (!e) return undefined;
      const expired = this.now() - e.since >= this.settings.keepaliveExpirySeconds * 1000;
      // A connection whose peer already closed is one httpx would also notice and drop (it checks readability).
      if (expired || e.conn.raw?.destroyed || e.conn.peerFin) {
        void e.conn.client?.destroy().catch(() => undefined);
        continue;
      }
      this.reused++;
      e.conn.idleMs = this.now() - e.since;
      return e.conn;
    }
  }

  /** Count a connection the pool opened. */
  opening(): void {
    this.opened++;
  }

  /** Give a connection back after its exchange: kept when healthy and the pool has room. */
  checkin(conn: PooledConnection, healthy: boolean): void {
    if (healthy && this.idle.length < this.settings.maxKeepaliveConnections && !conn.raw?.destroyed) this.idle.push({ conn, since: this.now() });
    else void conn.client?.destroy().catch(() => undefined);
  }

  info(): ReuseInfo {
    return { ...this.settings, connectionsOpened: this.opened, reusedRequests: this.reused };
  }

  async close(): Promise<void> {
    const all = this.idle.splice(0);
    await Promise.all(all.map((e) => e.conn.client?.destroy().catch(() => undefined)));
  }
}

export function createReusePool(): ReusePool {
  return new ReusePool();
}
