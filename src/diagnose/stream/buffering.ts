/**
 * The buffering rule (pure): were the events held back and released in bursts, although the
 * server produced them over time?
 *
 * The rule, and why each part is there:
 *
 * 1. Enough events to tell: at least 3 (terminal and keep-alive events count: they travel the
 *    same path). With one or two events a burst and a stream look the same.
 * 2. Concentrated in few network reads: the reads that carried the most events, taken until they
 *    cover 80% of all events, number at most max(2, ⌈events/8⌉). A server that really streams
 *    flushes each event on its own, so even fast events land in separate reads (a fast model that
 *    the network coalesces two or three at a time still needs many reads); a buffer released at
 *    once lands in one read, and a proxy whose buffer filled once mid-way (nginx's 4/8 KiB
 *    buffers) in two. 80%, not all: a proxy may pass the first event through early.
 *    Arrival times alone would not do: a fast model's whole answer can arrive within 50 ms.
 * 3. Produced over time (held, not merely fast):
 *    - when the events carry the producer's own timestamps and they differ, a span beyond the
 *      burst's arrival span plus 100 ms proves they were held (at whole-second resolution, as
 *      OpenAI's `created`, at least 2 s, since two events a millisecond apart can straddle a
 *      second); millisecond timestamps within that span, or all equal, show the events were
 *      made at once, which clears the stream even after a long wait; whole seconds one apart
 *      prove nothing either way and leave it to the wait;
 *    - otherwise the client must have waited at least 300 ms for the first burst: below that the
 *      user cannot see the difference, and a server that answers at once has nothing to hold.
 * 4. Held in bursts (partial buffering): a proxy with small buffers and nowhere to spill them
 *    (nginx `proxy_buffers 2 1k` with `proxy_max_temp_file_size 0`, a middlebox that releases
 *    every few KB) passes the stream on whenever its buffer fills: many reads, each carrying
 *    several events, far apart. Called buffered when reads of at least 4 events carry 80% of the
 *    stream, there are at least two of them, and they come a median 300 ms or more apart (the
 *    user sees the text jump). Four, not two or three: a network that coalesces a fast model's
 *    events delivers two or three to a read, and a server may flush every other event; 300 ms,
 *    so a fast model whose events arrive four to a read a few ms apart is not called held.
 */
import type { ArrivalEvent } from '../../net/stream/sse.js';

/** The rule's thresholds, named so tests and docs speak of the same numbers. */
export const BUFFERING = {
  minEvents: 3,
  coveredShare: 0.8,
  eventsPerBurstRead: 8,
  minWaitMs: 300,
  timestampSlackMs: 100,
  secondResolutionMinSpanMs: 2000,
  burstMinEventsPerRead: 4,
  burstMinIntervalMs: 300,
} as const;

/** The figures behind the verdict (all ms since the request was sent unless named otherwise). */
export interface BufferingAssessment {
  buffered: boolean;
  /** Why it is or is not buffered, as a short machine-readable word. */
  reason: 'too-few-events' | 'separate-reads' | 'produced-at-once' | 'no-wait' | 'held-back' | 'held-in-bursts';
  events: number;
  /** Network reads that carried at least one event. */
  reads: number;
  /** Events carried by the busiest reads (those that cover 80% of the events). */
  burstEvents: number;
  /** How many busiest reads that took. */
  burstReads: number;
  /** When the first of those reads came. */
  burstStartMs: number;
  /** From the first to the last of those reads. */
  burstSpanMs: number;
  /** Spread of the producer's own timestamps across the burst, when it gave them. */
  producedSpanMs?: number;
  /** Whole-stream arrival spread (first to last event). */
  arrivalSpanMs: number;
  /** For `held-in-bursts`: reads that carried at least 4 events, their events, and their median spacing. */
  bursts?: { reads: number; events: number; medianIntervalMs: number };
}

/** Reads of several events each, in arrival order, when they carry most of the stream (rule 4). */
function burstPattern(byRead: Map<number, ArrivalEvent[]>, n: number): BufferingAssessment['bursts'] {
  const big = [...byRead.values()]
    .filter((evs) => evs.length >= BUFFERING.burstMinEventsPerRead)
    .map((evs) => ({ at: Math.min(...evs.map((e) => e.at)), n: evs.length }))
    .sort((a, b) => a.at - b.at);
  const events = big.reduce((sum, r) => sum + r.n, 0);
  if (big.length < 2 || events < BUFFERING.coveredShare * n) return undefined;
  const gaps = big.slice(1).map((r, i) => r.at - big[i]!.at).sort((a, b) => a - b);
  return { reads: big.length, events, medianIntervalMs: round(gaps[Math.floor(gaps.length / 2)]!) };
}

function producedSpan(burst: ArrivalEvent[]): { spanMs: number; secondResolution: boolean } | undefined {
  const ts = burst.map((e) => e.producedAt).filter((t): t is number => t !== undefined);
  if (ts.length < 2) return undefined;
  return { spanMs: Math.max(...ts) - Math.min(...ts), secondResolution: ts.every((t) => t % 1000 === 0) };
}

/** Apply the rule to a stream's timeline. */
export function assessBuffering(arrivals: ArrivalEvent[]): BufferingAssessment {
  const n = arrivals.length;
  const byRead = new Map<number, ArrivalEvent[]>();
  for (const e of arrivals) byRead.set(e.chunk, [...(byRead.get(e.chunk) ?? []), e]);
  const base = { buffered: false, events: n, reads: byRead.size, burstEvents: 0, burstReads: 0, burstSpanMs: 0, burstStartMs: 0, arrivalSpanMs: 0 };
  if (n < BUFFERING.minEvents) return { ...base, reason: 'too-few-events' };
  const busiest = [...byRead.values()].sort((a, b) => b.length - a.length);
  const burst: ArrivalEvent[] = [];
  let burstReads = 0;
  for (const read of busiest) {
    if (burst.length >= BUFFERING.coveredShare * n) break;
    burst.push(...read);
    burstReads++;
  }
  const at = burst.map((e) => e.at);
  const all = arrivals.map((e) => e.at);
  const burstStartMs = Math.min(...at);
  const figures = {
    events: n,
    reads: byRead.size,
    burstEvents: burst.length,
    burstReads,
    burstStartMs: round(burstStartMs),
    burstSpanMs: round(Math.max(...at) - burstStartMs),
    arrivalSpanMs: round(Math.max(...all) - Math.min(...all)),
  };
  const produced = producedSpan(burst);
  const withProduced = produced ? { producedSpanMs: produced.spanMs } : {};
  if (burstReads > Math.max(2, Math.ceil(n / BUFFERING.eventsPerBurstRead))) {
    const bursts = burstPattern(byRead, n);
    if (bursts && bursts.medianIntervalMs >= BUFFERING.burstMinIntervalMs) return { buffered: true, reason: 'held-in-bursts', ...figures, ...withProduced, bursts };
    return { buffered: false, reason: 'separate-reads', ...figures, ...withProduced };
  }
  if (produced && produced.spanMs > 0) {
    const slack = figures.burstSpanMs + BUFFERING.timestampSlackMs;
    const needed = produced.secondResolution ? Math.max(BUFFERING.secondResolutionMinSpanMs, slack) : slack;
    if (produced.spanMs > needed) return { buffered: true, reason: 'held-back', ...figures, ...withProduced };
    // Millisecond stamps within the burst's own span: made at once. Whole seconds that differ by
    // one say neither (two events a millisecond apart can straddle a second): the wait decides.
    if (!produced.secondResolution) return { buffered: false, reason: 'produced-at-once', ...figures, ...withProduced };
  }
  if (produced && produced.spanMs === 0 && !produced.secondResolution) {
    return { buffered: false, reason: 'produced-at-once', ...figures, ...withProduced };
  }
  if (burstStartMs < BUFFERING.minWaitMs) return { buffered: false, reason: 'no-wait', ...figures, ...withProduced };
  return { buffered: true, reason: 'held-back', ...figures, ...withProduced };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
