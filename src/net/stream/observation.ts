/** What the streaming probe observed: the one shape the probe fills and the rules read. */
import type { SseRecord } from './sse.js';

/**
 * How reading the response ended:
 * - `terminal`: the terminal event arrived (reading stops there, as SDKs do);
 * - `complete`: the body ended cleanly (chunked end, full length) without a terminal event;
 * - `cut`: the connection failed after the headers, before the body ended;
 * - `idle`: no event arrived for the idle budget after the headers (keep-alive comments do not count);
 * - `deadline`: the stage's deadline came while bytes still flowed;
 * - `no-headers`: no response header arrived within the idle budget;
 * - `aborted`: the deadline or an interrupt came before any response header (the tool stopped,
 *   not the path: no verdict);
 * - `failed`: the request failed before any response header (reset, closed, refused);
 * - `enough`: not an event stream, and enough of the body was read to say what it is;
 * - `limit`: the body grew past what the probe reads.
 */
export type StreamEndKind = 'terminal' | 'complete' | 'cut' | 'idle' | 'deadline' | 'no-headers' | 'aborted' | 'failed' | 'enough' | 'limit';

export interface StreamEnd {
  kind: StreamEndKind;
  /** ms since the request was sent. */
  at: number;
  /** The error code along the cause chain, for `cut` and `failed` (ECONNRESET, UND_ERR_SOCKET ...). */
  errorCode?: string;
  /** The innermost error message, for evidence only. */
  message?: string;
}

/** Response headers that speak of buffering and of who answered, lower-case names. */
export const WATCHED_HEADERS = [
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'content-length',
  'x-accel-buffering',
  'cache-control',
  'via',
  'server',
  'x-request-id',
  'request-id',
  'cf-ray',
] as const;

/** All times are ms since the request was sent (the socket was open by then; see connectMs). */
export interface StreamObservation {
  /** Time to open the path (TCP, tunnel, TLS) before the request. */
  connectMs: number;
  status?: number;
  /** The watched headers, as the server sent them (values cut to 200 characters). */
  headers: Record<string, string>;
  /**
   * Every response header (lower-case names, values cut to 500 characters), kept for a response
   * that refused the request: attribution and rate-limit rules read more than the watched ones.
   * Not put into the report as it is (it may echo credentials).
   */
  allHeaders?: Record<string, string>;
  headersAt?: number;
  /** First byte of the body. */
  firstByteAt?: number;
  lastByteAt?: number;
  end: StreamEnd;
  /** Body bytes as they came off the wire (compressed when the body was). */
  rawBytes: number;
  /** Body bytes after decompression. */
  decodedBytes: number;
  /** Socket reads that carried body bytes (several HTTP chunks delivered in one read count once). */
  chunks: number;
  sse: SseRecord;
  /** The first 2 KiB of the decoded body, for bodies that are not event streams. */
  bodyPrefix: string;
  /** The silence after which the probe gives up on the stream. */
  idleBudgetMs: number;
  /** Set when decompression failed (a corrupt or mislabelled body). */
  decodeError?: string;
}
