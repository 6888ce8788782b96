/**
 * The MTU verdict, pure: probe facts in, a verdict out (no I/O, table-tested).
 *
 * The probes ran in parallel for one stall threshold. A blackhole shows as a *size-dependent*
 * stall: large flights vanish while small ones pass, consistently. Whatever does not fit that
 * shape is said to be something else: a server that answers nothing whatever the size, a path
 * where PMTU discovery works, or a lossy path (stalls that do not follow size, retransmissions on
 * connections that worked). Facts from ../shared/design/mtu-blackhole.md.
 */
import type { ProbeKind, ProbeOutcome } from '../net/mtu-probes.js';
import type { SsInfo } from '../net/mtu-ss.js';

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
  /** The kernel's view of the socket at the end of the threshold, when ss had it. */
  ss?: SsInfo;
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
  | 'no-ss';

export type MtuVerdict =
  | {
      kind: 'blackhole';
      direction: Direction;
      confidence: Confidence;
      /** Largest ClientHello (c2s) or server reply (s2c) that got through, in bytes. */
      largestWorkingBytes?: number;
      /** Smallest padded ClientHello that vanished, in bytes. */
      smallestFailingBytes?: number;
      signals: Signal[];
    }
  | { kind: 'unresponsive'; signals: Signal[] }
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

const replied = (p: ProbeFact) => p.outcome === 'completed' || p.outcome === 'answered' || p.outcome === 'closed' || p.outcome === 'reset';
/** A handshake that neither finished nor was refused: bytes may have trickled, but no flight. */
const handshakeStalled = (p: ProbeFact) => p.outcome === 'stalled' || p.outcome === 'answered';
/** The kernel says every byte written was acknowledged (the SYN counts as one). */
const delivered = (p: ProbeFact) => p.ss !== undefined && (p.ss.unacked ?? 0) === 0 && (p.ss.bytesAcked ?? 0) >= p.bytesWritten + 1;
const undelivered = (p: ProbeFact) => p.ss !== undefined && (p.ss.unacked ?? 0) > 0;

/** Retransmissions on a connection that worked, not explained by an ICMP-driven PMTU drop. */
function lossOnGoodConnection(p: ProbeFact, baseMtu: number | undefined): boolean {
  if (!replied(p) || !p.ss) return false;
  const retrans = (p.ss.retransTotal ?? 0) > 0 || (p.ss.bytesRetrans ?? 0) > 0;
  if (!retrans) return false;
  const pmtuDropped = baseMtu !== undefined && p.ss.pmtu !== undefined && p.ss.pmtu < baseMtu;
  return !pmtuDropped;
}

/** The hello ladder split at its answer boundary, or why it has none. */
function ladder(rungs: ProbeFact[]) {
  const sized = rungs.filter((r) => r.helloBytes !== undefined && r.outcome !== 'connect-failed');
  const ok = sized.filter(replied);
  // A silent rung counts as failing unless the kernel says the hello arrived (then the reply is lost).
  const silent = sized.filter((r) => r.outcome === 'stalled' && !delivered(r));
  const largestOk = ok.length ? Math.max(...ok.map((r) => r.helloBytes!)) : undefined;
  const smallestSilent = silent.length ? Math.min(...silent.map((r) => r.helloBytes!)) : undefined;
  const monotone = largestOk === undefined || smallestSilent === undefined || largestOk < smallestSilent;
  return { ok, silent, largestOk, smallestSilent, monotone };
}

export function mtuVerdict(f: MtuFacts): MtuVerdict {
  const connected = f.probes.filter((p) => p.outcome !== 'connect-failed');
  if (connected.length === 0) return { kind: 'no-connect' };
  const of = (k: ProbeKind) => connected.filter((p) => p.kind === k);
  const tiny = of('tiny');
  const small = of('small-handshake');
  const targets = of('target-handshake');
  const rungs = of('hello');
  const signals: Signal[] = f.ssAvailable ? [] : ['no-ss'];

  // The bogus alert is answered the way TLS answers it: an alert record (0x15), a close or a reset.
  // A peer that sends anything else to everybody (a banner, a dribble of handshake bytes) gives
  // no contrast, so it cannot make a stalled target look size dependent.
  const tlsLikeReply = (p: ProbeFact) => p.outcome === 'closed' || p.outcome === 'reset' || (p.outcome === 'answered' && p.firstByte === 0x15);
  const smallReplies = tiny.some(tlsLikeReply) || small.some((p) => p.outcome === 'completed');
  const lad = ladder(rungs);
  const lossy: Signal[] = [];
  if (connected.some((p) => lossOnGoodConnection(p, f.baseMtu))) lossy.push('retransmits-on-good-connections');
  if (targets.some((p) => p.outcome === 'completed') && targets.some(handshakeStalled)) lossy.push('target-mixed');
  if (!lad.monotone) lossy.push('ladder-not-monotone');
  // The tiny probe's reply fits any path; a no-SNI handshake may itself carry a big flight
  // (a big default certificate), so only the tiny probe going silent says "loss".
  if (smallReplies && tiny.some((p) => p.outcome === 'stalled')) lossy.push('small-probe-stalled');

  // Nothing answers whatever its size: a tarpit or a hung server, not the path's MTU.
  if (!smallReplies && !rungs.some(replied) && !targets.some((p) => p.outcome === 'completed')) {
    return { kind: 'unresponsive', signals: [...signals, 'stall-not-size-dependent'] };
  }
  if (lossy.length > 0) return { kind: 'lossy', signals: [...signals, ...lossy] };

  const s2cSignals: Signal[] = [];
  const s2c = targets.length > 0 && targets.every(handshakeStalled) && smallReplies;
  if (s2c) {
    s2cSignals.push('target-stalled', 'small-replies-flow');
    if (targets.some((p) => (p.ss?.rcvOoopack ?? 0) > 0)) s2cSignals.push('tail-out-of-order');
    if (targets.every(delivered)) s2cSignals.push('hello-delivered');
  }
  const c2s = lad.ok.length > 0 && lad.silent.length >= 2 && lad.monotone;
  const c2sSignals: Signal[] = [];
  if (c2s) {
    c2sSignals.push('ladder-size-dependent');
    if (lad.silent.every(undelivered)) c2sSignals.push('hellos-unacked');
  }
  // With a c2s blackhole the target's own hello may be the part that is lost: only call s2c too
  // when the kernel says the target hello arrived (or it is smaller than a hello that got through).
  const targetHelloOk = targets.every((p) => delivered(p) || (lad.largestOk !== undefined && (p.helloBytes ?? Infinity) <= lad.largestOk));
  const s2cHolds = s2c && (!c2s || targetHelloOk);

  if (s2cHolds || c2s) {
    const direction: Direction = s2cHolds && c2s ? 'both' : s2cHolds ? 'server-to-client' : 'client-to-server';
    const fingerprint =
      (!s2cHolds || s2cSignals.includes('tail-out-of-order') || s2cSignals.includes('hello-delivered')) &&
      (!c2s || c2sSignals.includes('hellos-unacked'));
    const short = f.thresholdMs !== undefined && f.thresholdMs < MIN_CONFIDENT_THRESHOLD_MS;
    const confidence: Confidence = short ? 'low' : f.ssAvailable && fingerprint ? 'high' : f.ssAvailable || targets.length >= 2 ? 'medium' : 'low';
    const largestReply = Math.max(0, ...connected.filter(replied).map((p) => p.bytesRead));
    return {
      kind: 'blackhole',
      direction,
      confidence,
      largestWorkingBytes: c2s ? lad.largestOk : largestReply || undefined,
      smallestFailingBytes: c2s ? lad.smallestSilent : undefined,
      signals: [...signals, ...(s2cHolds ? s2cSignals : []), ...c2sSignals],
    };
  }

  const pmtuDrop = connected.find((p) => f.baseMtu !== undefined && p.ss?.pmtu !== undefined && p.ss.pmtu < f.baseMtu);
  // A server that learned a smaller path MTU towards us advertises a smaller MSS in its SYN-ACK
  // (Linux keeps it 10 minutes), so our segments fit before any ICMP is needed.
  const clamped = connected.find((p) => p.ss?.mss !== undefined && p.ss.advmss !== undefined && p.ss.mss < p.ss.advmss);
  if (f.learnedMtu !== undefined || pmtuDrop || clamped) {
    const pathMtu = f.learnedMtu ?? pmtuDrop?.ss?.pmtu ?? (clamped ? clamped.ss!.mss! + TCP_IP_HEADERS : undefined);
    return { kind: 'pmtud-works', pathMtu, signals: [...signals, clamped && !pmtuDrop ? 'mss-clamped' : 'pmtu-learned'] };
  }
  if (targets.some(handshakeStalled) || rungs.some((p) => p.outcome === 'stalled')) {
    // Stalls that do not follow size (e.g. the big hellos arrived and still got no reply).
    return { kind: 'lossy', signals: [...signals, 'stall-not-size-dependent'] };
  }
  return { kind: 'no-problem', signals };
}
