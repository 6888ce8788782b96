/**
 * `--keepalive`: how long does an idle keep-alive connection to the target survive?
 *
 * 1. The watch connection makes the key-check request, then stays idle and listens: a FIN or RST
 *    while idle times the far side's idle timeout directly (to the timer tick of nginx, HAProxy,
 *    Node ...). If nothing comes within the longest idle time, it is reused then.
 * 2. Meanwhile ladder connections are reused after 1/8, 1/4 and 1/2 of the longest idle time: a
 *    reuse that is answered proves the connection was alive after that much idleness.
 * 3. A reuse that gets no answer, on a connection the peer never closed, is checked against a
 *    fresh connection asking the same (the control): answered there means the idle flow was
 *    forgotten on the way (a NAT, firewall or load balancer) — a silent drop.
 * 4. When the idle limit is known only as a bracket (a silent drop, or an RST met by the reuse),
 *    a binary search between the longest idle time that was answered and the shortest that failed
 *    narrows it, one fresh connection per step, while the budget lasts.
 *
 * Budget: 2 x the longest idle time + 2 x the stage budget (--timeout): the ladder and the watch
 * take one longest idle time plus a reply wait, the search at most one more.
 */
import type { RunContext } from '../../stages/types.js';
import { KeepaliveConn, type ExchangeResult } from './conn.js';
import { keepaliveRequest, type KeepaliveRequest } from './request.js';
import type { KeepaliveSection, KeepaliveTrial } from './section.js';

export interface KeepaliveOptions {
  /** The longest idle time to try, ms. */
  idleMaxMs: number;
  /** The stage budget (--timeout), ms: the wait for a first answer, and the cap of the reply wait. */
  stageBudgetMs: number;
  /** Aborts the probe (SIGINT). */
  interrupt?: AbortSignal;
}

/** Fractions of the longest idle time at which the ladder connections are reused. */
const LADDER = [1 / 8, 1 / 4, 1 / 2];
/** Rungs shorter than this tell nothing a server could mean. */
const MIN_RUNG_MS = 250;

/** How long a reuse waits for its answer: 4x the first answer's time + 0.5 s, at least 1 s, at most the stage budget. */
export function replyWaitMs(firstAnswerMs: number, stageBudgetMs: number): number {
  return Math.round(Math.min(stageBudgetMs, Math.max(1000, 4 * firstAnswerMs + 500)));
}

/** The next binary-search step between `lo` (answered) and `hi` (failed), or undefined when the bracket is narrow enough. */
export function nextSearchStep(loSec: number, hiSec: number): number | undefined {
  if (!(hiSec > loSec)) return undefined;
  if (hiSec - loSec <= Math.max(0.2, 0.1 * hiSec)) return undefined;
  return Math.round(((loSec + hiSec) / 2) * 100) / 100;
}

const sec = (ms: number) => Math.round(ms / 10) / 100;

interface Opened {
  conn?: KeepaliveConn;
  first?: ExchangeResult;
  /** When the first answer ended (ctx.now()): the idle clock starts here. */
  idleFrom: number;
  failed?: string;
}

export async function probeKeepalive(ctx: RunContext, opts: KeepaliveOptions): Promise<KeepaliveSection> {
  const t0 = ctx.now();
  const budgetMs = 2 * opts.idleMaxMs + 2 * opts.stageBudgetMs;
  const deadline = t0 + budgetMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('keepalive budget')), budgetMs);
  const onInterrupt = () => controller.abort(new Error('interrupted'));
  if (opts.interrupt?.aborted) onInterrupt();
  opts.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  const signal = controller.signal;
  const conns = new Set<KeepaliveConn>();
  const req = keepaliveRequest(ctx);
  const trials: KeepaliveTrial[] = [];
  const section: KeepaliveSection = { outcome: 'inconclusive', idleMaxSeconds: sec(opts.idleMaxMs), replyWaitMs: 0, budgetMs, trials, durationMs: 0 };

  const open = async (waitMs: number): Promise<Opened> => {
    let conn: KeepaliveConn;
    try {
      conn = await KeepaliveConn.open(ctx, signal);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return { idleFrom: ctx.now(), failed: `the connection failed (${typeof code === 'string' ? code : 'error'})` };
    }
    conns.add(conn);
    const first = await conn.exchange(req.bytes, req.method, waitMs, signal);
    return { conn, first, idleFrom: ctx.now(), ...(first.kind !== 'response' ? { failed: `the first request got ${first.kind}` } : {}) };
  };

  /** Leave an opened connection idle for `idleMs`, then reuse it; the trial as seen. */
  const idleThenReuse = async (o: Opened, idleMs: number, waitMs: number, role: KeepaliveTrial['role']): Promise<KeepaliveTrial> => {
    const conn = o.conn!;
    const state = await conn.idle(idleMs, signal);
    if (state === 'closed') return { role, idleSeconds: sec(conn.closedAt! - o.idleFrom), result: 'closed-while-idle', closedBy: conn.closedBy };
    const idleSeconds = sec(ctx.now() - o.idleFrom);
    const r = await conn.exchange(req.bytes, req.method, waitMs, signal);
    return trialOf(role, idleSeconds, r);
  };

  try {
    const watch = await open(opts.stageBudgetMs);
    if (watch.failed || !watch.first || watch.first.kind !== 'response') {
      section.reason = watch.failed ?? 'no answer to the first request';
      return section;
    }
    const first = watch.first;
    section.firstStatus = first.status;
    if (first.hintSeconds !== undefined) section.advertisedTimeoutSeconds = first.hintSeconds;
    if (!first.keepAlive) {
      section.outcome = 'no-keepalive';
      section.reason = 'the server closes the connection after each answer (Connection: close, or a body that ends with the connection)';
      return section;
    }
    const refused = (t: KeepaliveTrial) => t.status !== undefined && t.status >= 500 && (first.status ?? 0) < 500;
    const wait = replyWaitMs(first.ms, opts.stageBudgetMs);
    section.replyWaitMs = wait;

    const rungs = LADDER.map((f) => f * opts.idleMaxMs).filter((ms) => ms >= MIN_RUNG_MS);
    const ladder = Promise.all(
      rungs.map(async (ms): Promise<KeepaliveTrial> => {
        const o = await open(opts.stageBudgetMs);
        if (o.failed || o.first?.kind !== 'response' || !o.first.keepAlive) return { role: 'ladder', idleSeconds: 0, result: 'failed' };
        return idleThenReuse(o, ms, wait, 'ladder');
      }),
    );
    const watched = await idleThenReuse(watch, opts.idleMaxMs, wait, 'watch');
    trials.push(watched);
    trials.push(...(await ladder));
    if (watch.conn!.unsolicitedBytes > 0) section.unsolicitedBytes = watch.conn!.unsolicitedBytes;
    if (signal.aborted) {
      section.reason = opts.interrupt?.aborted ? 'interrupted' : 'the keep-alive budget ran out';
      return section;
    }

    if (watched.result === 'closed-while-idle') {
      section.outcome = 'closed';
      section.closedBy = watched.closedBy;
      section.idleTimeoutSeconds = watched.idleSeconds;
    } else if (watched.result === 'answered' && refused(watched)) {
      // A 5xx on the reuse where the connection's first request got a 2xx-4xx is no survival: the
      // far side (often a gateway whose upstream connection went away) refused the reused connection.
      section.reason = `the reuse after ${watched.idleSeconds} s was answered HTTP ${watched.status} while the first request on the connection got HTTP ${first.status}: reused connections are refused; measure how often with --repeat and --reuse`;
      return section;
    } else if (watched.result === 'answered') {
      section.outcome = 'survived';
    } else if (watched.result === 'reset' || watched.result === 'closed') {
      section.outcome = 'closed';
      section.closedBy = watched.result === 'reset' ? 'rst-on-reuse' : 'fin-on-reuse';
    } else if (watched.result === 'no-answer') {
      const control = await open(wait);
      const ct: KeepaliveTrial = control.first ? trialOf('control', 0, control.first) : { role: 'control', idleSeconds: 0, result: 'failed' };
      trials.push(ct);
      if (ct.result !== 'answered') {
        section.reason = 'a fresh connection got no answer either: the path itself is failing, not only idle connections';
        return section;
      }
      section.outcome = 'dropped';
    } else {
      section.reason = `the reuse after ${watched.idleSeconds} s ${watched.result}`;
      return section;
    }

    // Bracket and binary search for the limits known only from reuses.
    const failing = (t: KeepaliveTrial) => (section.outcome === 'dropped' ? t.result === 'no-answer' : t.result === 'reset' || t.result === 'closed' || t.result === 'closed-while-idle');
    const answered = () => trials.filter((t) => t.result === 'answered' && !refused(t) && t.role !== 'control').map((t) => t.idleSeconds);
    if (section.outcome === 'dropped' || (section.outcome === 'closed' && section.idleTimeoutSeconds === undefined)) {
      let lo = Math.max(0, ...answered());
      let hi = Math.min(...trials.filter(failing).map((t) => t.idleSeconds));
      for (let step = nextSearchStep(lo, hi); step !== undefined && !signal.aborted; step = nextSearchStep(lo, hi)) {
        if (ctx.now() + step * 1000 + wait + opts.stageBudgetMs > deadline) break;
        const o = await open(opts.stageBudgetMs);
        if (o.failed) break;
        const t = await idleThenReuse(o, step * 1000, wait, 'search');
        trials.push(t);
        if (t.result === 'answered') lo = Math.max(lo, t.idleSeconds);
        else if (failing(t)) hi = Math.min(hi, t.idleSeconds);
        else break;
      }
      if (section.outcome === 'dropped') section.droppedAfterSeconds = hi;
      else section.idleTimeoutSeconds = hi;
    }
    const ok = answered().filter((s) => section.outcome === 'survived' || s < (section.idleTimeoutSeconds ?? section.droppedAfterSeconds ?? Infinity));
    if (ok.length > 0) section.survivedSeconds = Math.max(...ok);
    return section;
  } finally {
    clearTimeout(timer);
    opts.interrupt?.removeEventListener('abort', onInterrupt);
    for (const c of conns) c.destroy();
    section.durationMs = Math.round(ctx.now() - t0);
  }
}

function trialOf(role: KeepaliveTrial['role'], idleSeconds: number, r: ExchangeResult): KeepaliveTrial {
  switch (r.kind) {
    case 'response':
      return { role, idleSeconds, result: 'answered', status: r.status, ms: r.ms };
    case 'reset':
    case 'closed':
      return { role, idleSeconds, result: r.kind, ms: r.ms };
    case 'no-answer':
      return { role, idleSeconds, result: 'no-answer', ms: r.ms };
    default:
      return { role, idleSeconds, result: 'failed', ms: r.ms };
  }
}

export type { KeepaliveRequest };
