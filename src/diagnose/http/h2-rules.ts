/**
 * HTTP/2 findings (pure): an exchange ended by a GOAWAY or RST_STREAM frame, read by its error code;
 * and a server that speaks only HTTP/2 to a client that speaks HTTP/1.1.
 */
import type { H2Facts } from '../../net/http/h2.js';
import type { Retry } from '../../report.js';
import type { Finding } from '../../stages/types.js';

/** What each HTTP/2 error code means for the caller, and whether a retry helps. */
export const H2_MEANINGS: Readonly<Record<string, { meaning: string; retry: Retry }>> = {
  NO_ERROR: { meaning: 'a graceful shutdown: the server is closing the connection (a restart, a drain, a connection-age limit); requests it did not process may be retried on a new connection', retry: 'once' },
  PROTOCOL_ERROR: { meaning: 'the server found the client (or something between) broke the HTTP/2 protocol: often a middlebox or a header the server refuses', retry: 'no' },
  INTERNAL_ERROR: { meaning: 'the server, or the proxy in front, hit an internal error while handling the stream', retry: 'once' },
  FLOW_CONTROL_ERROR: { meaning: 'a flow-control window was violated: a bug in one of the HTTP/2 stacks on the path', retry: 'no' },
  SETTINGS_TIMEOUT: { meaning: 'a SETTINGS frame was not acknowledged in time: a slow or stuck peer', retry: 'once' },
  STREAM_CLOSED: { meaning: 'a frame arrived for a stream that was already closed', retry: 'once' },
  FRAME_SIZE_ERROR: { meaning: 'a frame had an invalid size: mismatched frame-size settings between the HTTP/2 stacks on the path', retry: 'no' },
  REFUSED_STREAM: { meaning: 'the server refused the stream before doing any work on it (too many concurrent streams, or it is shutting down): the request is safe to retry, on a new connection', retry: 'yes' },
  CANCEL: { meaning: 'the stream was cancelled by the server or the proxy in front (its upstream went away, or it gave up waiting)', retry: 'once' },
  COMPRESSION_ERROR: { meaning: 'the header compression (HPACK) state broke: a bug, or headers too large for the peer', retry: 'no' },
  CONNECT_ERROR: { meaning: 'the connection a CONNECT request opened was reset or closed', retry: 'once' },
  ENHANCE_YOUR_CALM: { meaning: 'the server thinks the client is abusive: too many requests, streams, resets or pings (a rate or flood protection such as the "rapid reset" guard)', retry: 'no' },
  INADEQUATE_SECURITY: { meaning: 'the TLS parameters (version or cipher) do not meet HTTP/2\'s minimum', retry: 'no' },
  HTTP_1_1_REQUIRED: { meaning: 'the server wants this request over HTTP/1.1 instead of HTTP/2', retry: 'no' },
};

export function h2Meaning(name: string): { meaning: string; retry: Retry } {
  return H2_MEANINGS[name] ?? { meaning: `an error code (${name}) HTTP/2 does not define`, retry: 'once' };
}

interface Wire {
  bytesWritten: number;
  bytesRead: number;
}

/** An h2 exchange ended by GOAWAY or RST_STREAM. */
export function h2Finding(h2: H2Facts, t: Wire, details: Record<string, unknown>): Finding {
  const m = h2Meaning(h2.name);
  const scope = h2.frame === 'GOAWAY' ? 'the server closed the whole HTTP/2 connection (GOAWAY)' : 'the server reset this request\'s stream (RST_STREAM)';
  return {
    code: 'HTTP2_STREAM_ERROR',
    evidence: [
      `${scope} with error code ${h2.name} (${h2.code >= 0 ? `0x${h2.code.toString(16)}` : 'unknown number'}), before a response header; ${t.bytesWritten} bytes written, ${t.bytesRead} read`,
      `${h2.name}: ${m.meaning}`,
      ...(h2.inferred ? [`the stream was closed before any response header; ${h2.inferred}`] : []),
    ],
    details: { ...details, frame: h2.frame, errorCode: h2.code, errorName: h2.name },
    retry: m.retry,
  };
}

/** An HTTP/1.1 request answered with HTTP/2 frames: the server speaks only h2. */
export function h2OnlyFinding(t: Wire, details: Record<string, unknown>): Finding {
  return {
    code: 'HTTP2_ONLY_SERVER',
    evidence: [
      `the HTTP/1.1 request was answered with HTTP/2 frames (a SETTINGS or GOAWAY frame where a status line belongs), ${t.bytesRead} bytes`,
      'the server speaks only HTTP/2 on this port (HTTP/2 by prior knowledge, or h2 forced without ALPN) and cannot serve HTTP/1.1 clients such as Node\'s fetch and undici by default',
    ],
    details: { ...details, seenBy: 'http' },
  };
}

/** HTTP/1.1 got no answer, the same request offering h2 alone got one: an h2-only server. */
export function h2OnlyAfterRetry(h1: Finding | undefined, h2Status: number): Finding {
  return {
    code: 'HTTP2_ONLY_SERVER',
    evidence: [
      `the HTTP/1.1 request got no answer: ${h1 ? `${h1.code}: ${h1.evidence[0] ?? ''}` : 'the connection ended'}`,
      `the same request offering h2 alone by ALPN got HTTP ${h2Status} over HTTP/2: the server speaks only HTTP/2 here (h2 forced on the listener) and drops HTTP/1.1 clients without a word`,
    ],
    details: { seenBy: 'h2-retry', h1Code: h1?.code, h2Status },
  };
}
