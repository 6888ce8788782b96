/**
 * The MTU verdict, pure: probe facts in, a verdict out (no I/O, table-tested).
 *
 * The probes ran in parallel for one stall threshold. A blackhole shows as a *size-dependent*
 * stall: large flights vanish while small ones pass, consistently. Whatever does not fit that
 * shape is said to be something else: a server that answers nothing whatever the size, a path
 * where PMTU discovery works, or a lossy path (stalls that do not follow size, retransmissions on
 * connections that worked). Facts from ../shared/design/mtu-blackhole.md.
 */
import type { ProbeKind, ProbeOutcome } from '../../net/mtu/probes.js';
import type { SsInfo } from '../../net/mtu/ss.js';
import { bodyLadder, requestBytes, completeSmallReply, delivered, flightStalled, ladder, persistentHole, replied, undelivered } from './contrast.js';

/** One probe as the rules see it. */
export interface ProbeFact {
  kind: ProbeKind;
  outcome: ProbeOutcome;
  /** Bytes the probe wrote (for TLS probes, the ClientHello plus anything after it). */
  bytesWritten: number;
  /** Size of the first write: the ClientHello record of a TLS probe. */
  helloBytes?: number;
  bytesRead: number;
  /** The first byte the peer sent, when it sent any. */
  firstByte?: number;
  /** The peer ended the connection (FIN or reset) within the threshold. */
  closedByPeer?: boolean;
  /** http-target probes: the TLS handshake completed before the request was sent. */
  handshakeDone?: boolean;
  /** The kernel's view of the socket at the end of the threshold, when ss had it. */
  ss?: SsInfo;
  /** body probes: raw bytes written before the request (the TLS handshake; 0 over plain http). */
  requestStartBytes?: number;
  /** body probes: the request's body size. */
  bodyBytes?: number;
  /** body probes: the status code of the answer, when its first line arrived. */
  status?: number;
}

export interface MtuFacts {
  probes: ProbeFact[];
  /** Whether ss ran (its absence lowers confidence, never raises it). */
  ssAvailable: boolean;
  /** The MTU the path starts from: the route's device MTU (or the largest pmtu seen). */
  baseMtu?: number;
  /** A path MTU the kernel learned for the endpoint (`ip route get ... cache expires ... mtu N`). */
  learnedMtu?: number;
  /** How long the probes waited; below MIN_CONFIDENT_THRESHOLD_MS a stall may only be slowness. */
  thresholdMs?: number;
}

/** A stall shorter than this (the budget left little time) never gives more than low confidence. */
export const MIN_CONFIDENT_THRESHOLD_MS = 1000;

export type Direction = 'server-to-client' | 'client-to-server' | 'both';
export type Confidence = 'high' | 'medium' | 'low';

/** Names of the signals behind a verdict (for evidence and tests). */
export type Signal =
  | 'target-stalled'
  | 'small-replies-flow'
  | 'tail-out-of-order'
  | 'hello-delivered'
  | 'ladder-size-dependent'
  | 'hellos-unacked'
  | 'stall-not-size-dependent'
  | 'retransmits-on-good-connections'
  | 'target-mixed'
  | 'ladder-not-monotone'
  | 'small-probe-stalled'
  | 'pmtu-learned'
  | 'mss-clamped'
  | 'response-stalled'
  | 'no-tail'
  | 'name-dropped'
  | 'body-ladder-size-dependent'
  | 'bodies-unacked'
  | 'body-ladder-not-monotone'
  | 'no-ss';

export type MtuVerdict =
  | {
      kind: 'blackhole';
      direction: Direction;
      confidence: Confidence;
      /**
       * Largest ClientHello (c2s; a POST request on the wire when only the body ladder measured)
       * or server reply (s2c) that got through, in bytes.
       */
      largestWorkingBytes?: number;
      /** Smallest padded ClientHello (or POST request, as above) that vanished, in bytes. */
      smallestFailingBytes?: number;
      /** The body ladder's boundary, in body bytes, when it showed the blackhole. */
      largestWorkingBodyBytes?: number;
      smallestFailingBodyBytes?: number;
      signals: Signal[];
    }
  | { kind: 'unresponsive'; signals: Signal[] }
  /** The hello naming the target is dropped while larger hellos without the name pass: content, not size. */
  | { kind: 'filtered'; helloBytes?: number; largestOkBytes?: number; signals: Signal[] }
  | { kind: 'lossy'; signals: Signal[] }
  | { kind: 'pmtud-works'; pathMtu?: number; signals: Signal[] }
  | { kind: 'no-connect' }
  | { kind: 'no-problem'; signals: Signal[] };

/** IPv4 + TCP headers with the timestamps option, around one segment's payload. */
const TCP_IP_HEADERS = 52;

/** Stall threshold: 20 × connect time, at least 2 s, at most 10 s (design note). */
export function stallThresholdMs(connectMs: number): number {
  return Math.min(10_000, Math.max(2_000, Math.round(20 * connectMs)));
}

/**
 * A request larger than this is a bulk transfer: a tail-loss probe or one queue drop may cost it a
 * retransmission on a healthy path (measured in the lab: 64 KiB rungs, 1 retransmission in 2 of 5
 * runs), so only smaller connections speak for random loss.
 */
const BULK_REQUEST_BYTES = 4 * 1448;

/** Retransmissions on a connection that worked, not explained by an ICMP-driven PMTU drop. */
function lossOnGoodConnection(p: ProbeFact, baseMtu: number | undefined): boolean {
  if (!replied(p) || !p.ss) return false;
  if (p.kind === 'body' && (requestBytes(p) ?? 0) > BULK_REQUEST_BYTES) return false;
  const retrans = (p.ss.retransTotal ?? 0) > 0 || (p.ss.bytesRetrans ?? 0) > 0;
  if (!retrans) return false;
  const pmtuDropped = baseMtu !== undefined && p.ss.pmtu !== undefined && p.ss.pmtu < baseMtu;
  return !pmtuDropped;
}

export function mtuVerdict(f: MtuFacts): MtuVerdict {
  const connected = f.probes.filter((p) => p.outcome !== 'connect-failed');
  if (connected.length === 0) return { kind: 'no-connect' };
  const of = (k: ProbeKind) => connected.filter((p) => p.kind === k);
  const tiny = of('tiny');
  const small = of('small-handshake');
  const targets = of('target-handshake');
  const rungs = of('hello');
  // The stalled HTTP request repeated: its handshake must complete, then its answer is watched.
  const requests = of('http-target');
  // The request-body ladder: judged by what the kernel says was delivered, never by answers alone.
  const bodies = of('body');
  const bl = bodyLadder(bodies);
  const signals: Signal[] = f.ssAvailable ? [] : ['no-ss'];

  // Small complete replies from the same server: the contrast a size-dependent loss needs. A
  // handshake that completed before its request stalled proves the server's first flight passed;
  // a stalled target whose small tail arrived out of order is its own contrast.
  const smallReplies =
    tiny.some(completeSmallReply) ||
    small.some((p) => p.outcome === 'completed' || completeSmallReply(p)) ||
    rungs.some(completeSmallReply) ||
    requests.some((p) => p.handshakeDone === true) ||
    bodies.some((p) => p.status !== undefined) ||
    targets.some(persistentHole);
  const lad = ladder(rungs, [...small, ...targets, ...requests]);
  const lossy: Signal[] = [];
  if (connected.some((p) => lossOnGoodConnection(p, f.baseMtu))) lossy.push('retransmits-on-good-connections');
  if (targets.some((p) => p.outcome === 'completed') && targets.some(flightStalled)) lossy.push('target-mixed');
  if (requests.some((p) => p.outcome === 'completed') && requests.some(flightStalled)) lossy.push('target-mixed');
  if (!lad.monotone) lossy.push('ladder-not-monotone');
  // Both ladders measure the client's large packets: a request that got through must not be larger
  // than a hello that vanished, nor the other way round.
  const crossOk =
    (lad.smallestSilent === undefined || bl.largestOk === undefined || bl.largestOk < lad.smallestSilent) &&
    (bl.smallestLost === undefined || lad.largestOk === undefined || lad.largestOk < bl.smallestLost);
  if (!bl.monotone || !crossOk) lossy.push('body-ladder-not-monotone');
  // The tiny probe's reply fits any path; a no-SNI handshake may itself carry a big flight
  // (a big default certificate), so only the tiny probe going silent says "loss".
  if (smallReplies && tiny.some((p) => p.outcome === 'stalled')) lossy.push('small-probe-stalled');

  // Nothing answers whatever its size: a tarpit or a hung server, not the path's MTU.
  if (!smallReplies && !rungs.some(replied) && !targets.some((p) => p.outcome === 'completed') && !bodies.some(replied)) {
    return { kind: 'unresponsive', signals: [...signals, 'stall-not-size-dependent'] };
  }
  if (lossy.length > 0) return { kind: 'lossy', signals: [...new Set([...signals, ...lossy])] };

  // The hello naming the target never arrives while larger hellos without the name do: what is
  // dropped is the name (an SNI filter), not the size.
  const targetHello = Math.max(0, ...targets.map((p) => p.helloBytes ?? 0));
  const largerOk = lad.okSizes.filter((n) => n > targetHello);
  if (targets.length > 0 && targets.every((p) => flightStalled(p) && undelivered(p)) && largerOk.length > 0) {
    return { kind: 'filtered', helloBytes: targetHello || undefined, largestOkBytes: Math.max(...largerOk), signals: [...signals, 'name-dropped'] };
  }

  const s2cSignals: Signal[] = [];
  const tlsS2c = targets.length > 0 && targets.every(flightStalled) && smallReplies;
  // A repeated request whose answer stalls is only an MTU sign with the lost-segment fingerprint:
  // without it, a server that is merely slow to answer looks the same.
  const httpS2c = requests.length > 0 && requests.every((p) => p.handshakeDone === true && flightStalled(p)) && requests.some(persistentHole);
  if (tlsS2c) {
    s2cSignals.push('target-stalled', 'small-replies-flow');
    if (targets.some(persistentHole)) s2cSignals.push('tail-out-of-order');
    if (targets.every(delivered)) s2cSignals.push('hello-delivered');
  }
  if (httpS2c) s2cSignals.push('response-stalled', ...(s2cSignals.includes('tail-out-of-order') ? [] : ['tail-out-of-order' as const]));
  if ((tlsS2c || httpS2c) && !s2cSignals.includes('tail-out-of-order')) s2cSignals.push('no-tail');
  const s2c = tlsS2c || httpS2c;
  // When only natural hellos got through (a very small path MTU), the kernel must confirm that the
  // padded ones were lost rather than ignored by the server.
  const floorOk = lad.rungsOk > 0 || (f.ssAvailable && lad.silent.every(undelivered));
  const helloC2s = lad.okSizes.length > 0 && lad.silent.length >= 2 && lad.monotone && floorOk;
  const bodyC2s = bl.delivered.length > 0 && bl.lost.length >= 2 && bl.monotone;
  const c2s = helloC2s || bodyC2s;
  const c2sSignals: Signal[] = [];
  if (helloC2s) {
    c2sSignals.push('ladder-size-dependent');
    if (lad.silent.every(undelivered)) c2sSignals.push('hellos-unacked');
  }
  if (bodyC2s) {
    c2sSignals.push('body-ladder-size-dependent');
    if (bl.lost.every((p) => p.ss !== undefined)) c2sSignals.push('bodies-unacked');
  }
  // With a c2s blackhole the target's own hello may be the part that is lost: only call s2c too
  // when the kernel says the target hello arrived (or it is smaller than a hello that got through).
  const targetHelloOk = targets.every((p) => delivered(p) || (lad.largestOk !== undefined && (p.helloBytes ?? Infinity) <= lad.largestOk));
  const s2cHolds = s2c && (!c2s || targetHelloOk || httpS2c);

  if (s2cHolds || c2s) {
    const direction: Direction = s2cHolds && c2s ? 'both' : s2cHolds ? 'server-to-client' : 'client-to-server';
    // The s2c fingerprint is the lost-segment hole: "hello delivered, nothing back" alone also fits
    // a server that hangs for this one name, so it never gives high confidence by itself.
    const c2sFingerprint = c2sSignals.includes('hellos-unacked') || c2sSignals.includes('bodies-unacked');
    const fingerprint = (!s2cHolds || s2cSignals.includes('tail-out-of-order')) && (!c2s || c2sFingerprint);
    const short = f.thresholdMs !== undefined && f.thresholdMs < MIN_CONFIDENT_THRESHOLD_MS;
    const confidence: Confidence = short ? 'low' : f.ssAvailable && fingerprint ? 'high' : f.ssAvailable || targets.length >= 2 ? 'medium' : 'low';
    const largestReply = Math.max(0, ...connected.filter(replied).map((p) => p.bytesRead));
    return {
      kind: 'blackhole',
      direction,
      confidence,
      // A padded hello is one packet, so it brackets the path MTU best; the body ladder otherwise.
      largestWorkingBytes: helloC2s ? lad.largestOk : bodyC2s ? bl.largestOk : largestReply || undefined,
      smallestFailingBytes: helloC2s ? lad.smallestSilent : bodyC2s ? bl.smallestLost : undefined,
      ...(bodyC2s ? { largestWorkingBodyBytes: bl.largestOkBody, smallestFailingBodyBytes: bl.smallestLostBody } : {}),
      signals: [...signals, ...(s2cHolds ? s2cSignals : []), ...c2sSignals],
    };
  }
  // The request arrived and the server stays silent, with no sign of lost segments: slow or hung.
  if (requests.length > 0 && requests.every((p) => p.handshakeDone === true && flightStalled(p) && !undelivered(p))) {
    return { kind: 'unresponsive', signals: [...signals, 'response-stalled', 'stall-not-size-dependent'] };
  }

  const pmtuDrop = connected.find((p) => f.baseMtu !== undefined && p.ss?.pmtu !== undefined && p.ss.pmtu < f.baseMtu);
  // A server that learned a smaller path MTU towards us advertises a smaller MSS in its SYN-ACK
  // (Linux keeps it 10 minutes), so our segments fit before any ICMP is needed.
  const clamped = connected.find((p) => p.ss?.mss !== undefined && p.ss.advmss !== undefined && p.ss.mss < p.ss.advmss);
  if (f.learnedMtu !== undefined || pmtuDrop || clamped) {
    const pathMtu = f.learnedMtu ?? pmtuDrop?.ss?.pmtu ?? (clamped ? clamped.ss!.mss! + TCP_IP_HEADERS : undefined);
    return { kind: 'pmtud-works', pathMtu, signals: [...signals, clamped && !pmtuDrop ? 'mss-clamped' : 'pmtu-learned'] };
  }
  if (targets.some(flightStalled) || rungs.some((p) => p.outcome === 'stalled') || requests.some(flightStalled)) {
    // Stalls that do not follow size (e.g. the big hellos arrived and still got no reply).
    return { kind: 'lossy', signals: [...signals, 'stall-not-size-dependent'] };
  }
  return { kind: 'no-problem', signals };
}
