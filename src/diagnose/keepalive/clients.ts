/**
 * How long common clients keep an idle pooled connection before dropping it themselves, by
 * default. A client that keeps it longer than the far side's idle timeout will, sooner or later,
 * send a request on a connection the far side is closing: a reset before headers. Sources (checked
 * against their documentation and code): undici's Client docs (keepAliveTimeout 4e3, follows the
 * server's Keep-Alive hint minus keepAliveTimeoutThreshold 1e3, up to keepAliveMaxTimeout 600e3);
 * Node's http.globalAgent (keepAlive, timeout 5000, Node >= 19); agentkeepalive's
 * freeSocketTimeout (4000), which openai-node v4 uses on Node; anthropic-sdk-typescript's Node
 * shim (an undici Agent with keepAliveTimeout 5 min); httpx's Limits (keepalive_expiry 5), which
 * the openai and anthropic Python SDKs keep; Envoy's HTTP protocol idle_timeout (1 hour).
 */

export interface ClientPoolDefault {
  /** Who keeps the pool, as a reader knows it. */
  client: string;
  /** Seconds an idle connection stays in the pool without a server hint. */
  idleSeconds: number;
  /** Follows the server's `Keep-Alive: timeout=N` (minus this many seconds, capped at `hintCapSeconds`). */
  followsHint?: { minusSeconds: number; capSeconds: number };
}

export const CLIENT_POOL_DEFAULTS: readonly ClientPoolDefault[] = [
  { client: 'undici / Node fetch (openai-node v5+)', idleSeconds: 4, followsHint: { minusSeconds: 1, capSeconds: 600 } },
  { client: 'openai-node v4 (agentkeepalive)', idleSeconds: 4 },
  { client: 'Node http.globalAgent', idleSeconds: 5 },
  { client: 'Python httpx (openai-python, anthropic-python)', idleSeconds: 5 },
  { client: 'anthropic-sdk-typescript (undici Agent)', idleSeconds: 300, followsHint: { minusSeconds: 1, capSeconds: 600 } },
  { client: 'Envoy upstream (idle_timeout)', idleSeconds: 3600 },
];

/** The idle time a client really keeps, given the server's hint (if any). */
export function effectiveIdleSeconds(c: ClientPoolDefault, hintSeconds: number | undefined): number {
  if (c.followsHint && hintSeconds !== undefined) return Math.min(Math.max(0, hintSeconds - c.followsHint.minusSeconds), c.followsHint.capSeconds);
  return c.idleSeconds;
}

export interface RaceVerdict {
  client: string;
  idleSeconds: number;
  /** True when the client keeps idle connections at least as long as the far side does. */
  races: boolean;
}

/** Which clients race a far side that closes idle connections after `timeoutSeconds`. */
export function raceVerdicts(timeoutSeconds: number, hintSeconds?: number): RaceVerdict[] {
  return CLIENT_POOL_DEFAULTS.map((c) => {
    const idle = effectiveIdleSeconds(c, hintSeconds);
    return { client: c.client, idleSeconds: idle, races: idle >= timeoutSeconds };
  });
}
