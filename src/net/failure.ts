/**
 * Errors -> facts. Match by `code` (walking `.cause`, as undici and fetch wrap the real error),
 * never by message text or instanceof.
 */

/** What happened on the wire, in the tool's own vocabulary. */
export type WireFact =
  | 'refused'
  | 'timeout'
  | 'host-unreachable'
  | 'net-unreachable'
  | 'reset'
  | 'closed'
  | 'not-found'
  | 'dns-tempfail'
  | 'tls-not-tls'
  | 'tls-cert'
  | 'tls-alert'
  | 'headers-timeout'
  | 'body-timeout'
  | 'aborted'
  | 'other';

export interface ErrorFacts {
  fact: WireFact;
  /** The most specific code found along the cause chain (ECONNRESET, UND_ERR_SOCKET, CERT_HAS_EXPIRED ...). */
  code?: string;
  /** All codes along the chain, outermost first. */
  codes: string[];
  /** The innermost message, for evidence (never for matching). */
  message: string;
  syscall?: string;
  address?: string;
  port?: number;
}

/** The error and its causes, outermost first (bounded: hostile cycles cannot loop forever). */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = err;
  while (cur !== undefined && cur !== null && chain.length < 8 && !chain.includes(cur)) {
    chain.push(cur);
    cur = typeof cur === 'object' ? (cur as { cause?: unknown }).cause : undefined;
  }
  return chain;
}

const FACT_BY_CODE: Record<string, WireFact> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  EHOSTUNREACH: 'host-unreachable',
  EHOSTDOWN: 'host-unreachable',
  ENETUNREACH: 'net-unreachable',
  EADDRNOTAVAIL: 'net-unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'closed',
  UND_ERR_CLOSED: 'closed',
  ERR_STREAM_PREMATURE_CLOSE: 'closed',
  ENOTFOUND: 'not-found',
  EAI_AGAIN: 'dns-tempfail',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls-not-tls',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'tls-not-tls',
  ERR_SSL_HTTP_REQUEST: 'tls-not-tls',
  UND_ERR_HEADERS_TIMEOUT: 'headers-timeout',
  UND_ERR_BODY_TIMEOUT: 'body-timeout',
  ABORT_ERR: 'aborted',
  UND_ERR_ABORTED: 'aborted',
};

const TLS_CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
]);

export function errorFacts(err: unknown): ErrorFacts {
  const chain = causeChain(err);
  const codes: string[] = [];
  let syscall: string | undefined;
  let address: string | undefined;
  let port: number | undefined;
  let message = '';
  for (const e of chain) {
    if (typeof e !== 'object' || e === null) {
      message = String(e);
      continue;
    }
    const o = e as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown; message?: unknown; name?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    else if (o.name === 'AbortError' || o.name === 'TimeoutError') codes.push('ABORT_ERR');
    if (typeof o.syscall === 'string') syscall = o.syscall;
    if (typeof o.address === 'string') address = o.address;
    if (typeof o.port === 'number') port = o.port;
    if (typeof o.message === 'string' && o.message !== '') message = o.message;
  }
  // The innermost code is the most specific (a socket error under a fetch TypeError).
  let fact: WireFact = 'other';
  let code: string | undefined;
  for (let i = codes.length - 1; i >= 0; i--) {
    const c = codes[i]!;
    const f = FACT_BY_CODE[c] ?? (TLS_CERT_CODES.has(c) ? 'tls-cert' : c.startsWith('ERR_SSL_') ? 'tls-alert' : undefined);
    if (f) {
      fact = f;
      code = c;
      break;
    }
  }
  if (!code && codes.length > 0) code = codes[codes.length - 1];
  return { fact, code, codes, message, syscall, address, port };
}
