/**
 * `--gateway` and the options that only make sense with it (pure; throws UsageError):
 * `--origin <origin>` (the CORS preflight), `--burst <N>` (the rate-limit probe, 1 to 50),
 * `--http-port <port>` (where the http-to-https redirect is asked, default 80) and
 * `--ws-idle <duration>` (how long the WebSocket check keeps an idle socket open, default 65s).
 */
import { UsageError } from './errors.js';
import type { RawOptions } from './config.js';
import { parseDuration } from './config.js';
import { parsePort, type Target } from './target.js';

export interface GatewayOptions {
  /** The browser origin whose CORS preflight is checked (scheme://host[:port], as browsers send it). */
  origin?: string;
  /** Requests of the rate-limit burst (1 to 50); no burst without it. */
  burst?: number;
  /** The plain-http port the redirect check asks (default 80). */
  httpPort: number;
  /** How long the WebSocket check keeps an opened socket idle, ms. */
  wsIdleMs: number;
}

/** The most requests `--burst` may send: enough to pass a typical nginx `burst=20`, never a load test. */
export const MAX_BURST = 50;
/** Just past nginx's 60 s proxy_read_timeout default, the usual cause of idle WebSockets dying. */
export const DEFAULT_WS_IDLE_MS = 65_000;

/** An origin exactly as a browser sends it: http(s)://host[:port], no path, query or credentials. */
export function parseOrigin(text: string): string {
  const bad = () => new UsageError(`--origin: "${text.slice(0, 80)}" is not an origin; write it as a browser sends it, e.g. https://app.example.com`);
  const m = /^(https?):\/\/([^/?#@\s]+)\/?$/i.exec(text.trim());
  if (!m) throw bad();
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad();
  }
  if (url.username || url.password || url.hostname === '') throw bad();
  return url.origin;
}

export function parseBurst(text: string): number {
  if (!/^\d{1,6}$/.test(text.trim())) throw new UsageError(`--burst: "${text.slice(0, 40)}" is not a number of requests (1 to ${MAX_BURST})`);
  const n = Number(text.trim());
  if (n < 1 || n > MAX_BURST) throw new UsageError(`--burst: ${n} is out of range; give 1 to ${MAX_BURST} requests`);
  return n;
}

export function gatewayOptions(raw: RawOptions, target: Target): { gateway?: GatewayOptions } {
  const companions: Array<[keyof RawOptions, string]> = [['origin', '--origin'], ['burst', '--burst'], ['httpPort', '--http-port'], ['wsIdle', '--ws-idle']];
  if (!raw.gateway) {
    const given = companions.find(([k]) => raw[k] !== undefined);
    if (given) throw new UsageError(`${given[1]} needs --gateway (e.g. diagnose ${target.input} --gateway ${given[1]} ...)`);
    return {};
  }
  let wsIdleMs = DEFAULT_WS_IDLE_MS;
  if (raw.wsIdle !== undefined) {
    wsIdleMs = parseDuration(raw.wsIdle, '--ws-idle');
    if (wsIdleMs < 500) throw new UsageError(`--ws-idle: "${raw.wsIdle}" is too short; give at least 500ms`);
    if (wsIdleMs > 900_000) throw new UsageError(`--ws-idle: "${raw.wsIdle}" is longer than 15m`);
  }
  return {
    gateway: {
      ...(raw.origin !== undefined ? { origin: parseOrigin(raw.origin) } : {}),
      ...(raw.burst !== undefined ? { burst: parseBurst(raw.burst) } : {}),
      httpPort: raw.httpPort !== undefined ? parsePort(raw.httpPort, '--http-port') : 80,
      wsIdleMs,
    },
  };
}
