/**
 * The `gateway` section of the report (`--gateway`): what the reverse proxy in front of the API
 * answered to each check, as plain data. The rules (src/diagnose/gateway/rules.ts) turn it into
 * findings; schema/report.schema.json describes it.
 */

/** One answer as the checks keep it: status and the few headers they judge (never a body). */
export interface GatewayAnswer {
  status: number;
  /** Lower-case header names the checks read, with their values (bounded). */
  headers: Record<string, string>;
}

/** A request that got no HTTP answer: refused, reset, closed, timed out, or failed otherwise. */
export interface GatewayNoAnswer {
  failure: 'refused' | 'reset' | 'closed' | 'timeout' | 'tls' | 'failed';
  code?: string;
}

export type GatewayReply = GatewayAnswer | GatewayNoAnswer;

export interface RedirectCheck {
  /** The plain-http URL asked (a POST without key). */
  url: string;
  reply: GatewayReply;
  /** Where it redirected (the Location header). */
  location?: string;
}

export interface HeaderCheck {
  /** The request whose answer was read: the key check without key, and a path that does not exist. */
  probes: Array<{ path: string; reply: GatewayReply; method?: string }>;
}

export interface CorsCheck {
  origin: string;
  /** The headers the preflight asked for (Access-Control-Request-Headers), lower case. */
  requestHeaders: string[];
  /** The OPTIONS preflight for a POST with authorization and content-type. */
  preflight: { path: string; reply: GatewayReply };
  /** A request with the Origin header that got an error status (4xx/5xx), when one could be had. */
  error?: { path: string; reply: GatewayReply };
}

export interface BodyRungResult {
  /** Body size sent, bytes. */
  bytes: number;
  /** `accepted`: an answer other than 413; `refused`: 413; `cut`: no answer (reset, close, timeout). */
  result: 'accepted' | 'refused' | 'cut';
  status?: number;
  /** Body bytes written before the answer came or the connection ended. */
  bodyBytesWritten: number;
  failure?: GatewayNoAnswer['failure'];
}

export interface BodyCheck {
  path: string;
  rungs: BodyRungResult[];
  /** The largest body accepted, bytes (undefined when even the first rung was refused). */
  largestAcceptedBytes?: number;
  /** The smallest body refused with 413, bytes. */
  smallestRefusedBytes?: number;
  /** The largest rung of the ladder: a gateway that took it is not low. */
  ladderMaxBytes: number;
}

export interface WebSocketCheck {
  url: string;
  /** `upgraded`: 101; `refused`: another HTTP answer; `failed`: no answer to the upgrade. */
  outcome: 'upgraded' | 'refused' | 'failed';
  status?: number;
  /** The answer's server and content-type headers, when refused. */
  headers?: Record<string, string>;
  failure?: string;
  /** Whether the key went with the upgrade (same rule as the http stage). */
  keySent: boolean;
  /** After the 101: how long the socket was kept idle (seconds) and how it ended. */
  idle?: {
    targetSeconds: number;
    /** Seconds from the 101 until the far side closed it; undefined when it survived targetSeconds. */
    closedAfterSeconds?: number;
    /** The WebSocket close code, 1006 when the TCP connection ended without a close frame. */
    closeCode?: number;
  };
}

export interface BurstCheck {
  requests: number;
  path: string;
  /** From the first request's start to the last answer, ms: the rate the burst reached is requests / this. */
  durationMs: number;
  /** How many answers of each status (`none` for requests without an answer). */
  statuses: Record<string, number>;
  /** The first answer whose status is 429 or 503 after an earlier answer that was neither. */
  limited?: { status: number; index: number; retryAfter?: string; server?: string };
}

export interface GatewaySection {
  /** Each check ran, or says why not. */
  redirect: RedirectCheck | { skipped: string };
  headers: HeaderCheck | { skipped: string };
  cors: CorsCheck | { skipped: string };
  body: BodyCheck | { skipped: string };
  websocket: WebSocketCheck | { skipped: string };
  burst: BurstCheck | { skipped: string };
  durationMs: number;
}
