/**
 * Which catalogue file holds a code, so `diagnose --explain CODE` loads that one file rather than the
 * whole catalogue (src/quick.ts). Only a shortcut: a code missing here, or listed under the wrong
 * file, is looked up in the whole catalogue (index.ts) instead, so an answer never depends on it.
 * test/unit/catalogue-where.test.ts keeps it complete.
 */
import type { CatalogueEntry } from './types.js';

type Load = () => Promise<readonly CatalogueEntry[]>;

/** One loader per catalogue file (literal imports, so the bundler follows them). */
const FILES: Record<string, Load> = {
  'env': () => import('./env.js').then((m) => m.envEntries),
  'dns': () => import('./dns.js').then((m) => m.dnsEntries),
  'tcp': () => import('./tcp.js').then((m) => m.tcpEntries),
  'proxy': () => import('./proxy.js').then((m) => m.proxyEntries),
  'tls': () => import('./tls.js').then((m) => m.tlsEntries),
  'http': () => import('./http.js').then((m) => m.httpEntries),
  'stream': () => import('./stream.js').then((m) => m.streamEntries),
  'mtu': () => import('./mtu.js').then((m) => m.mtuEntries),
  'keepalive': () => import('./keepalive.js').then((m) => m.keepaliveEntries),
  'samples': () => import('./samples.js').then((m) => m.sampleEntries),
  'accuracy': () => import('./accuracy.js').then((m) => m.accuracyEntries),
  'http2': () => import('./http2.js').then((m) => m.http2Entries),
  'key-given': () => import('./key-given.js').then((m) => m.keyGivenEntries),
  'key': () => import('./key.js').then((m) => m.keyEntries),
  'gateway': () => import('./gateway.js').then((m) => m.gatewayEntries),
  'secrets': () => import('./secrets.js').then((m) => m.secretsEntries),
};

/** Code -> catalogue file. */
export const WHERE: Readonly<Record<string, string>> = {
  // env.ts
  PROXY_ENV_CONFLICT: 'env',
  PROXY_ENV_INVALID: 'env',
  TLS_VERIFY_DISABLED: 'env',
  // dns.ts
  DNS_NXDOMAIN: 'dns',
  DNS_NO_ADDRESS: 'dns',
  DNS_SERVFAIL: 'dns',
  DNS_TIMEOUT: 'dns',
  DNS_BLOCKED: 'dns',
  DNS_SERVER_UNRESPONSIVE: 'dns',
  DNS_MISMATCH: 'dns',
  DNS_HOSTS_OVERRIDE: 'dns',
  DNS_PRIVATE_ADDRESS: 'dns',
  // tcp.ts
  TCP_REFUSED: 'tcp',
  TCP_TIMEOUT: 'tcp',
  TCP_UNREACHABLE: 'tcp',
  IPV6_BROKEN: 'tcp',
  // proxy.ts
  PROXY_UNREACHABLE: 'proxy',
  PROXY_AUTH_REQUIRED: 'proxy',
  PROXY_REFUSED: 'proxy',
  PROXY_REQUIRED: 'proxy',
  // tls.ts
  TLS_CERT_EXPIRED: 'tls',
  TLS_CERT_NOT_YET_VALID: 'tls',
  TLS_HOSTNAME_MISMATCH: 'tls',
  TLS_UNTRUSTED_CA: 'tls',
  TLS_INTERCEPTED: 'tls',
  TLS_HANDSHAKE_RESET: 'tls',
  TLS_HANDSHAKE_TIMEOUT: 'tls',
  TLS_PROTOCOL_ERROR: 'tls',
  TLS_CLIENT_CERT_REQUIRED: 'tls',
  TLS_CERT_EXPIRING: 'tls',
  TLS_CERT_REJECTED: 'tls',
  // http.ts
  RESET_BEFORE_HEADERS: 'http',
  HEADERS_TIMEOUT: 'http',
  HTTP_PROTOCOL_ERROR: 'http',
  RESPONSE_BODY_INCOMPLETE: 'http',
  HTTP_TRANSPORT_ERROR: 'http',
  UPSTREAM_RESET_REPORTED: 'http',
  GATEWAY_TIMEOUT: 'http',
  BAD_GATEWAY: 'http',
  AUTH_MISSING: 'http',
  AUTH_INVALID: 'http',
  FORBIDDEN: 'http',
  REGION_BLOCKED: 'http',
  KEY_NOT_SENT_INSECURE: 'http',
  NOT_FOUND: 'http',
  REQUEST_TOO_LARGE: 'http',
  RATE_LIMITED: 'http',
  QUOTA_EXCEEDED: 'http',
  SERVER_ERROR: 'http',
  OVERLOADED: 'http',
  HTTP_REDIRECT: 'http',
  HTTP_NOT_API: 'http',
  HTTP_ERROR_STATUS: 'http',
  CLOCK_SKEW: 'http',
  // stream.ts
  STREAM_BUFFERED: 'stream',
  STREAM_TRUNCATED: 'stream',
  STREAM_STALLED: 'stream',
  STREAM_NOT_SSE: 'stream',
  STREAM_ERROR_EVENT: 'stream',
  // mtu.ts
  MTU_BLACKHOLE_SUSPECTED: 'mtu',
  SNI_FILTER_SUSPECTED: 'mtu',
  MTU_CHECK_INCONCLUSIVE: 'mtu',
  MTU_RULED_OUT: 'mtu',
  // keepalive.ts
  STALE_KEEPALIVE: 'keepalive',
  IDLE_CONNECTION_DROPPED: 'keepalive',
  // samples.ts
  INTERMITTENT_FAILURES: 'samples',
  // accuracy.ts
  DNS_SYSTEM_UNRESOLVED: 'accuracy',
  // http2.ts
  HTTP2_ONLY_SERVER: 'http2',
  HTTP2_STREAM_ERROR: 'http2',
  // key-given.ts
  KEY_NOT_GIVEN: 'key-given',
  // key.ts
  API_KEY_FORMAT: 'key',
  // gateway.ts
  REDIRECT_DROPS_METHOD: 'gateway',
  HSTS_MISSING: 'gateway',
  SECURITY_HEADERS_MISSING: 'gateway',
  CORS_PREFLIGHT_REJECTED: 'gateway',
  CORS_MISSING_ON_ERRORS: 'gateway',
  BODY_LIMIT_LOW: 'gateway',
  WEBSOCKET_UPGRADE_FAILED: 'gateway',
  WEBSOCKET_IDLE_CLOSED: 'gateway',
  RATE_LIMIT_WRONG_STATUS: 'gateway',
  RATE_LIMIT_NO_RETRY_AFTER: 'gateway',
  // secrets.ts
  KEY_IN_URL: 'secrets',
};

/** The entry for a code from its own file, or undefined when the shortcut does not know it. */
export async function quickEntry(code: string): Promise<CatalogueEntry | undefined> {
  const file = Object.hasOwn(WHERE, code) ? WHERE[code] : undefined;
  const load = file === undefined ? undefined : FILES[file];
  if (!load) return undefined;
  return (await load()).find((e) => e.code === code);
}
