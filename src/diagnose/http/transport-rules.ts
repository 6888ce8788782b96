/**
 * When no HTTP response came back (pure): a reset or close before the status line, a wait that
 * ran into the deadline, or a failure while opening the connection again. Facts come from
 * errorFacts (codes along the cause chain), never from message text.
 */
import type { WireFact } from '../../net/failure.js';
import type { Finding } from '../../stages/types.js';
import { timingEvidence } from './gateway-timeouts.js';
import { reusedIdleEvidence } from './idle-timeouts.js';
import type { H2Facts } from '../../net/http/h2.js';
import { h2Finding, h2OnlyFinding } from './h2-rules.js';
import { parserReason } from './parser-errors.js';

/** Where the exchange was when it failed. */
export type ExchangePhase = 'connect' | 'tls' | 'send' | 'wait' | 'headers';

export interface TransportEvidence {
  fact: WireFact;
  /** The most specific error code (ECONNRESET, UND_ERR_SOCKET, HPE_INVALID_CONSTANT ...). */
  code?: string;
  codes: string[];
  phase: ExchangePhase;
  /** True when the stage's own deadline ended the wait. */
  timedOut: boolean;
  /** Bytes of the request put on the wire (after TLS and any tunnel). */
  bytesWritten: number;
  /** Bytes of the response received before the failure. */
  bytesRead: number;
  /** Milliseconds from the request being written to the failure (undefined when never written). */
  sinceRequestMs?: number;
  /** Milliseconds the connection attempt took before failing (connect/tls phases). */
  sinceStartMs: number;
  /** True: a connection opened for this request; false: a reused one. */
  fresh: boolean;
  /** --reuse: how long the reused pooled connection had been idle before this request, ms. */
  reusedIdleMs?: number;
  /** Whether the peer's FIN was read (undefined: not observed). */
  peerFin?: boolean;
  /** The HTTP/2 frame and error code that ended an h2 exchange (--http2). */
  h2?: H2Facts;
  /** The HTTP/1.1 parser's own words for a response it refused. */
  parserReason?: string;
  /** An HTTP/2 frame came back where an HTTP/1.1 status line was expected. */
  h2FrameOnH1?: boolean;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function classifyTransport(t: TransportEvidence): Finding {
  const details: Record<string, unknown> = { phase: t.phase, bytesWritten: t.bytesWritten, bytesRead: t.bytesRead, fresh: t.fresh, errorCode: t.code };
  const conn = t.fresh ? 'a fresh connection opened for this request (so not a stale pooled one)' : 'a reused keep-alive connection';
  if (t.phase === 'connect' || t.phase === 'tls') {
    const where = t.phase === 'connect' ? 'connecting' : 'during the TLS handshake';
    const ev = [`the connection failed again while ${where} (${t.code ?? t.fact}) after ${sec(t.sinceStartMs)}, although the earlier stages got through`];
    if (t.timedOut) return { code: t.phase === 'tls' ? 'TLS_HANDSHAKE_TIMEOUT' : 'TCP_TIMEOUT', evidence: ev, details };
    if (t.fact === 'refused') return { code: 'TCP_REFUSED', evidence: ev, details };
    if (t.fact === 'host-unreachable' || t.fact === 'net-unreachable') return { code: 'TCP_UNREACHABLE', evidence: ev, details };
    if (t.phase === 'tls' && (t.fact === 'reset' || t.fact === 'closed')) return { code: 'TLS_HANDSHAKE_RESET', evidence: ev, details };
    return { code: 'HTTP_TRANSPORT_ERROR', evidence: ev, details };
  }
  const after = t.sinceRequestMs;
  if (after !== undefined) details.afterMs = Math.round(after);
  if (t.timedOut || t.fact === 'headers-timeout') {
    const ev = [
      after !== undefined ? `the request was sent (${t.bytesWritten} bytes on the wire) and no response header arrived within ${sec(after)}` : 'no response header arrived in time',
      t.bytesRead === 0 ? 'not a single byte came back' : `${t.bytesRead} bytes came back, but not a complete status line and headers`,
      `on ${conn}`,
    ];
    return { code: 'HEADERS_TIMEOUT', evidence: ev, details };
  }
  if (t.h2FrameOnH1) return h2OnlyFinding(t, details);
  if (t.h2) return h2Finding(t.h2, t, details);
  if (t.codes.some((c) => c.startsWith('HPE_') || c === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')) {
    // undici reports a parser refusal of a response whose Content-Length disagrees with its framing
    // (Content-Length beside Transfer-Encoding) as a length mismatch: the same class, a framing error.
    const hpe = t.codes.find((c) => c.startsWith('HPE_') || c === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH');
    const reason = parserReason(hpe);
    return {
      code: 'HTTP_PROTOCOL_ERROR',
      evidence: reason
        ? [`the response was refused by the HTTP/1.1 parser (${hpe}) after ${t.bytesRead} bytes: ${reason}`, ...(t.parserReason ? [`parser: ${t.parserReason}`] : [])]
        : [`the answer was not valid HTTP/1.1 (${t.code}) after ${t.bytesRead} bytes: a server or middlebox speaking another protocol on this port`, ...(t.parserReason ? [`parser: ${t.parserReason}`] : [])],
      details: { ...details, ...(reason ? { reason } : {}), ...(t.parserReason ? { parserReason: t.parserReason } : {}) },
    };
  }
  if (t.fact === 'closed' && t.peerFin === false && t.bytesRead > 0) {
    // The client, not the peer, ended it: undici drops an answer it cannot parse as a response.
    return {
      code: 'HTTP_PROTOCOL_ERROR',
      evidence: [
        `${t.bytesRead} bytes came back that the HTTP client could not take as a response (an unexpected interim 1xx such as 100 Continue to a request that did not ask for it, or a malformed head), so it dropped the connection (${t.code ?? t.fact})`,
        'the peer itself had not closed the connection: this is not a reset or a hang-up',
      ],
      details: { ...details, how: 'client-abort' },
    };
  }
  if (t.fact === 'reset' || t.fact === 'closed') {
    const how = t.fact === 'reset' ? 'rst' : 'fin';
    details.how = how;
    const ev = [
      how === 'rst'
        ? `the connection was reset (TCP RST, ${t.code ?? 'ECONNRESET'}) before any response header`
        : `the peer closed the connection (FIN, ${t.code ?? 'closed'}) before any response header`,
      t.phase === 'send' ? `it happened while the request was being sent, after ${t.bytesWritten} bytes` : `${t.bytesWritten} bytes of request were written; ${t.bytesRead} bytes came back`,
      `on ${conn}`,
    ];
    // On a reused connection, the time it sat idle is what a far side's idle timeout counts.
    if (!t.fresh && t.reusedIdleMs !== undefined) {
      details.reusedIdleMs = t.reusedIdleMs;
      ev.push(...reusedIdleEvidence(t.reusedIdleMs));
    } else if (after !== undefined) ev.push(timingEvidence(after, 'the connection was cut'));
    return { code: 'RESET_BEFORE_HEADERS', evidence: ev, details, retry: t.fresh ? 'once' : 'once' };
  }
  return { code: 'HTTP_TRANSPORT_ERROR', evidence: [`the exchange failed with ${t.code ?? t.fact} (${t.phase}) after ${t.bytesWritten} bytes written and ${t.bytesRead} read`], details };
}
