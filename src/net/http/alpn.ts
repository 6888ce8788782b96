/**
 * What the HTTP client will speak, so the tls stage offers exactly that by ALPN: HTTP/1.1 (undici's
 * default, Node's fetch and the SDKs built on it), or with --http2 h2 first, as curl and browsers.
 */
import type { Config } from '../../config.js';

export function alpnFor(config: Pick<Config, 'http2'>): string[] {
  return config.http2 ? ['h2', 'http/1.1'] : ['http/1.1'];
}
