/**
 * Building blocks of the MTU verdict (pure): what counts as "the peer replied", "the flight
 * stalled", "the kernel says it was delivered", and the padded-ClientHello ladder split at its
 * answer boundary. mtu-rules.ts combines them.
 */
import type { ProbeFact } from './rules.js';

/** First byte of a TLS alert record. */
const ALERT = 0x15;

/** The peer reacted at all within the threshold (bytes, a FIN or a reset). */
export const replied = (p: ProbeFact) => p.outcome === 'completed' || p.outcome === 'answered' || p.outcome === 'closed' || p.outcome === 'reset';

/**
 * A reply that is complete in itself and small: an alert record, a close or a reset, or any answer
 * the peer ended by closing (nginx answers a stray alert with a plain-text 400 page and a FIN).
 * A peer that sends the same dribble of bytes to everybody and keeps the connection open is not
 * one: it gives no size contrast.
 */
export const completeSmallReply = (p: ProbeFact) =>
  p.outcome === 'closed' || p.outcome === 'reset' || (p.outcome === 'answered' && (p.firstByte === ALERT || p.closedByPeer === true));

/**
 * A flight that did not arrive: nothing at all, or some bytes but neither completion nor an end
 * (the server did not give up, its large packets are missing). An answer the peer closed is not.
 */
export const flightStalled = (p: ProbeFact) => p.outcome === 'stalled' || (p.outcome === 'answered' && p.closedByPeer !== true && p.firstByte !== ALERT);

/** The kernel says every byte written was acknowledged (the SYN counts as one). */
export const delivered = (p: ProbeFact) => p.ss !== undefined && (p.ss.unacked ?? 0) === 0 && (p.ss.bytesAcked ?? 0) >= p.bytesWritten + 1;
export const undelivered = (p: ProbeFact) => p.ss !== undefined && (p.ss.unacked ?? 0) > 0;

/**
 * A stalled flight whose data arrived out of order: the reader drains in-order data, so the hole
 * before it was never filled, although the threshold is many retransmission timeouts long: the segments in the hole are lost every time (they are the
 * full-size ones), the small one after them got through.
 */
export const persistentHole = (p: ProbeFact) => flightStalled(p) && (p.ss?.rcvOoopack ?? 0) > 0;

/** Hello sizes that are known to have got through: answered rungs and completed handshakes. */
export interface Ladder {
  okSizes: number[];
  silent: ProbeFact[];
  largestOk?: number;
  smallestSilent?: number;
  monotone: boolean;
  /** How many real rungs (padded hellos) answered; natural hellos do not count. */
  rungsOk: number;
}

export function ladder(rungs: ProbeFact[], handshakes: ProbeFact[]): Ladder {
  const sized = rungs.filter((r) => r.helloBytes !== undefined && r.outcome !== 'connect-failed');
  const ok = sized.filter(replied);
  // A completed handshake proves its own (natural, small) hello got through: the ladder's floor
  // when a very small path MTU swallows every padded rung.
  const natural = handshakes.filter((h) => h.outcome === 'completed' && h.helloBytes !== undefined).map((h) => h.helloBytes!);
  const okSizes = [...ok.map((r) => r.helloBytes!), ...natural];
  // A silent rung counts as failing unless the kernel says the hello arrived (then the reply is lost).
  const silent = sized.filter((r) => r.outcome === 'stalled' && !delivered(r));
  const largestOk = okSizes.length ? Math.max(...okSizes) : undefined;
  const smallestSilent = silent.length ? Math.min(...silent.map((r) => r.helloBytes!)) : undefined;
  const monotone = largestOk === undefined || smallestSilent === undefined || largestOk < smallestSilent;
  return { okSizes, silent, largestOk, smallestSilent, monotone, rungsOk: ok.length };
}

/** Raw bytes of a body rung's request as written (after TLS, when TLS carries it). */
export const requestBytes = (p: ProbeFact) => (p.requestStartBytes === undefined ? undefined : p.bytesWritten - p.requestStartBytes);

/** What a body rung proves about its request: it got there, it was lost, or nothing either way. */
export type BodyDelivery = 'delivered' | 'lost' | 'unknown';

/**
 * An answer is not proof: an API may answer 401/404/413 before reading a body. The kernel's view
 * is: every byte acknowledged, or not one byte of the request acknowledged while its segments
 * were retransmitted for the whole threshold (its first full-size segment lost every time; on a
 * lossy path some of a request gets through in that time). Without ss, only a 2xx (the endpoint
 * took the body) or silence after a good connect counts.
 */
export function bodyDelivery(p: ProbeFact): BodyDelivery {
  if (p.kind !== 'body' || p.requestStartBytes === undefined || p.outcome === 'connect-failed') return 'unknown';
  if (p.ss) {
    if (delivered(p)) return 'delivered';
    if ((p.ss.unacked ?? 0) > 0 && (p.ss.bytesAcked ?? 0) <= p.requestStartBytes + 1) return 'lost';
    return 'unknown';
  }
  if (p.status !== undefined && p.status >= 200 && p.status < 300) return 'delivered';
  return p.outcome === 'stalled' ? 'lost' : 'unknown';
}

/** The body ladder split at its delivery boundary; sizes are request bytes on the wire. */
export interface BodyLadder {
  delivered: ProbeFact[];
  lost: ProbeFact[];
  largestOk?: number;
  smallestLost?: number;
  /** The same boundary in body bytes: what the issue calls "the largest size that worked". */
  largestOkBody?: number;
  smallestLostBody?: number;
  /** Every delivered request is smaller than every lost one. */
  monotone: boolean;
}

const maxOf = (ns: number[]) => (ns.length ? Math.max(...ns) : undefined);
const minOf = (ns: number[]) => (ns.length ? Math.min(...ns) : undefined);

export function bodyLadder(rungs: ProbeFact[]): BodyLadder {
  const sized = rungs.filter((p) => requestBytes(p) !== undefined);
  const ok = sized.filter((p) => bodyDelivery(p) === 'delivered');
  const lost = sized.filter((p) => bodyDelivery(p) === 'lost');
  const largestOk = maxOf(ok.map((p) => requestBytes(p)!));
  const smallestLost = minOf(lost.map((p) => requestBytes(p)!));
  const monotone = largestOk === undefined || smallestLost === undefined || largestOk < smallestLost;
  return {
    delivered: ok,
    lost,
    largestOk,
    smallestLost,
    largestOkBody: maxOf(ok.map((p) => p.bodyBytes ?? 0)),
    smallestLostBody: minOf(lost.map((p) => p.bodyBytes ?? 0)),
    monotone,
  };
}
