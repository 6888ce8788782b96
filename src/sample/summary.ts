/**
 * Samples -> the report's `samples` section and the INTERMITTENT_FAILURES finding. Pure: the loop
 * (loop.ts) feeds one SampleOutcome per finished sample into a SampleAccumulator.
 */
import type { Report } from '../report.js';
import type { Finding } from '../stages/types.js';
import { BoundedSeries, mostFrequent, percentText, round2, wilson, type Quantiles } from './stats.js';

export const PHASES = ['dns', 'tcp', 'tls', 'request', 'firstByte', 'total'] as const;
export type Phase = (typeof PHASES)[number];

/** What one sample came to. */
export interface SampleOutcome {
  /** Milliseconds from the start of the sampled run to the start of this sample. */
  at: number;
  ok: boolean;
  /** The failing code (the sample's root cause, or the code of a first attempt that a retry hid). */
  code?: string;
  /** Wall time of the sample, ms. */
  ms: number;
  /** The tool retried inside the sample (a reset before headers, once, on a new connection). */
  retried: boolean;
  /** The HTTP request went over a reused pooled connection (--reuse). */
  reused?: boolean;
  /** --reuse: how long the pooled connection the sample's first attempt reused had been idle, ms (absent: a new connection). */
  reusedIdleMs?: number;
  phases: Partial<Record<Phase, number>>;
}

/** One entry of the timeline. */
export interface TimelineEntry {
  at: number;
  ok: boolean;
  code?: string;
  ms: number;
  retried?: boolean;
}

/** The pool the samples shared with --reuse, and how it is configured. */
export interface ReuseInfo {
  /** Which SDK's defaults the pool copies. */
  like: string;
  keepaliveExpirySeconds: number;
  maxKeepaliveConnections: number;
  maxConnections: number;
  /** Connections the pool opened, and requests sent on an already used connection. */
  connectionsOpened: number;
  reusedRequests: number;
}

/**
 * --reuse: the samples split by the connection their first attempt went over, so a keep-alive race
 * (failures only on connections reused after some idle time) can be told from a path that fails
 * whatever the connection.
 */
export interface ConnectionSplit {
  fresh: { count: number; failed: number };
  reused: {
    count: number;
    failed: number;
    /** Idle time of the pooled connections whose reuse failed: [shortest, longest], ms; null when none failed. */
    failedIdleMs: [number, number] | null;
    /** The longest idle time after which a reuse was answered, ms; null when no reused sample passed. */
    passedIdleMaxMs: number | null;
  };
}

/** The report's `samples` section (contract: "Samples"). */
export interface SamplesSection {
  count: number;
  failed: number;
  failureRate: number;
  failureRateCi95: [number, number];
  byCode: Record<string, number>;
  phases: Partial<Record<Phase, Quantiles>>;
  firstFailureAt: string | null;
  lastFailureAt: string | null;
  reuse: false | ReuseInfo;
  timeline: TimelineEntry[];
  /** Samples whose first attempt failed and that the tool retried inside the sample. */
  retried: number;
  /** Wall time from the first sample's start to the last one's end, ms. */
  spanMs: number;
  intervalMs: number;
  concurrency: number;
  maxFailureRate: number;
  /** Timeline entries left out to keep memory bounded (passing samples past the cap). */
  timelineDropped: number;
  /** False when a phase had more samples than kept and its percentiles come from a uniform reservoir. */
  exactPercentiles: boolean;
  /** --reuse only: failures on new connections versus reused ones (the keep-alive race shows here). */
  connections?: ConnectionSplit;
}

/** Timeline entries kept: every sample up to this many, then only failures up to twice that. */
export const TIMELINE_CAP = 10_000;

export class SampleAccumulator {
  private count = 0;
  private failed = 0;
  private retried = 0;
  private readonly byCode: Record<string, number> = {};
  private readonly series = new Map<Phase, BoundedSeries>(PHASES.map((p) => [p, new BoundedSeries()]));
  private firstFailure?: number;
  private lastFailure?: number;
  private readonly timeline: TimelineEntry[] = [];
  private dropped = 0;
  private endMs = 0;
  /** Start (ms into the run) of the first failing sample of each code: ties of the most frequent code go to the earliest. */
  private readonly firstAtByCode = new Map<string, number>();
  private readonly split: ConnectionSplit = { fresh: { count: 0, failed: 0 }, reused: { count: 0, failed: 0, failedIdleMs: null, passedIdleMaxMs: null } };

  /** `wallStart`: epoch ms of the run's start (timeline offsets are relative to it). */
  constructor(private readonly wallStart: number) {}

  add(s: SampleOutcome): void {
    this.count++;
    if (s.retried) this.retried++;
    this.endMs = Math.max(this.endMs, s.at + s.ms);
    if (!s.ok) {
      this.failed++;
      const code = s.code ?? 'UNKNOWN';
      this.byCode[code] = (this.byCode[code] ?? 0) + 1;
      this.firstAtByCode.set(code, Math.min(this.firstAtByCode.get(code) ?? Infinity, s.at));
      this.firstFailure = this.firstFailure === undefined ? s.at : Math.min(this.firstFailure, s.at);
      this.lastFailure = this.lastFailure === undefined ? s.at : Math.max(this.lastFailure, s.at);
    }
    for (const p of PHASES) {
      const v = s.phases[p];
      if (v !== undefined) this.series.get(p)!.add(v);
    }
    if (s.reusedIdleMs !== undefined) {
      const r = this.split.reused;
      r.count++;
      const idle = round2(s.reusedIdleMs);
      if (!s.ok) {
        r.failed++;
        r.failedIdleMs = r.failedIdleMs ? [Math.min(r.failedIdleMs[0], idle), Math.max(r.failedIdleMs[1], idle)] : [idle, idle];
      } else r.passedIdleMaxMs = Math.max(r.passedIdleMaxMs ?? 0, idle);
    } else {
      this.split.fresh.count++;
      if (!s.ok) this.split.fresh.failed++;
    }
    const entry: TimelineEntry = { at: round2(s.at), ok: s.ok, ...(s.code && !s.ok ? { code: s.code } : {}), ms: round2(s.ms), ...(s.retried ? { retried: true } : {}) };
    if (this.timeline.length < TIMELINE_CAP || (!s.ok && this.timeline.length < 2 * TIMELINE_CAP)) this.timeline.push(entry);
    else this.dropped++;
  }

  get failures(): number {
    return this.failed;
  }

  get total(): number {
    return this.count;
  }

  section(opts: { intervalMs: number; concurrency: number; maxFailureRate: number; reuse: false | ReuseInfo }): SamplesSection {
    const phases: Partial<Record<Phase, Quantiles>> = {};
    let exact = true;
    for (const p of PHASES) {
      const s = this.series.get(p)!;
      const q = s.quantiles();
      if (q) phases[p] = q;
      exact &&= s.exact;
    }
    const iso = (at: number | undefined) => (at === undefined ? null : new Date(this.wallStart + at).toISOString());
    const rate = this.count === 0 ? 0 : this.failed / this.count;
    const [lo, hi] = wilson(this.failed, this.count);
    return {
      count: this.count,
      failed: this.failed,
      failureRate: round4(rate),
      failureRateCi95: [round4(lo), round4(hi)],
      // Most frequent first; a tie goes to the code whose first failing sample started earliest.
      byCode: Object.fromEntries(
        Object.entries(this.byCode).sort((a, b) => b[1] - a[1] || this.firstAtByCode.get(a[0])! - this.firstAtByCode.get(b[0])! || (a[0] < b[0] ? -1 : 1)),
      ),
      phases,
      firstFailureAt: iso(this.firstFailure),
      lastFailureAt: iso(this.lastFailure),
      reuse: opts.reuse,
      // Sorted by start: with --concurrency, samples finish out of order.
      timeline: [...this.timeline].sort((a, b) => a.at - b.at),
      retried: this.retried,
      spanMs: round2(this.endMs),
      intervalMs: opts.intervalMs,
      concurrency: opts.concurrency,
      maxFailureRate: opts.maxFailureRate,
      timelineDropped: this.dropped,
      exactPercentiles: exact,
      ...(opts.reuse ? { connections: structuredClone(this.split) } : {}),
    };
  }
}

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

/** `30 s`, `1.5 s`, `2 min 5 s`. */
export function spanText(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${Math.round(s * 10) / 10} s`;
  if (s < 120) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** "7 of 30 samples failed (23 %, 95 % CI 12-41 %) over 30 s" */
export function rateEvidence(s: Pick<SamplesSection, 'count' | 'failed' | 'failureRate' | 'failureRateCi95' | 'spanMs'>): string {
  const [lo, hi] = s.failureRateCi95;
  return `${s.failed} of ${s.count} samples failed (${percentText(s.failureRate)}, 95 % CI ${Math.round(lo * 100)}-${Math.round(hi * 100)} %) over ${spanText(s.spanMs)}`;
}

/** The code most samples failed with, when any failed; a tie goes to the code that failed first (byCode is in that order). */
export function topCode(s: Pick<SamplesSection, 'byCode'>): string | undefined {
  return mostFrequent(s.byCode);
}

/** The run fails because of its samples when more than --max-failure-rate of them failed. */
export function samplesFail(s: Pick<SamplesSection, 'failed' | 'count' | 'maxFailureRate'>): boolean {
  // On the counts, not the rounded rate: 1 of 3 is more than 33.33 %; exactly at the threshold
  // (7 of 100 with 7 %, where 0.07 × 100 is 7.000000000000001) is not, float dust aside.
  return s.failed > 0 && s.failed > s.maxFailureRate * s.count + 1e-9;
}

/** INTERMITTENT_FAILURES when some samples failed and others passed; undefined otherwise. */
export function intermittentFinding(s: SamplesSection): Finding | undefined {
  if (s.failed === 0 || s.failed === s.count) return undefined;
  const top = topCode(s)!;
  const codes = Object.entries(s.byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const evidence = [rateEvidence(s), `failing samples by code: ${codes}`];
  if (s.firstFailureAt && s.lastFailureAt) evidence.push(`first failure at ${s.firstFailureAt}, last at ${s.lastFailureAt}`);
  const race = keepaliveRace(s);
  const pattern = patternEvidence(s, race === undefined);
  if (pattern) evidence.push(pattern);
  if (race) evidence.push(race.evidence);
  if (s.retried > 0) evidence.push(`${s.retried} sample${s.retried === 1 ? ' was' : 's were'} retried once inside the sample after a reset; each counts as failed, since its first attempt failed`);
  const fail = samplesFail(s);
  evidence.push(
    fail
      ? `more than the allowed share failed (--max-failure-rate ${percentText(s.maxFailureRate)})`
      : `within the allowed share (--max-failure-rate ${percentText(s.maxFailureRate)}): a warning, not a failure`,
  );
  return {
    code: 'INTERMITTENT_FAILURES',
    stage: 'http',
    severity: fail ? 'error' : 'warning',
    evidence,
    details: {
      byCode: s.byCode,
      failureRate: s.failureRate,
      failureRateCi95: s.failureRateCi95,
      count: s.count,
      failed: s.failed,
      topCode: top,
      ...(race ? { keepaliveRace: true, raceIdleSeconds: race.idleSeconds } : {}),
    },
    params: { failedCount: s.failed, sampleCount: s.count, failurePercent: percentText(s.failureRate) },
  };
}

const secs = (ms: number) => `${Math.round(ms / 100) / 10}`;

/** Codes a reuse of a connection that the path already dropped shows as: a reset, or no answer at all. */
const RACE_CODES = new Set(['RESET_BEFORE_HEADERS', 'HEADERS_TIMEOUT']);

/**
 * --reuse: every failing sample went over a pooled connection reused after some idle time, failed
 * as a dropped connection does, and no sample on a new connection failed: the keep-alive race. The
 * pool drops a connection whose FIN it has read (as httpx does), so what races it is a close that
 * arrived too late to be seen, or a flow forgotten without a word (a load balancer or firewall
 * idle timeout that answers the next packet with a RST, or not at all).
 */
export function keepaliveRace(s: SamplesSection): { evidence: string; idleSeconds: [number, number] } | undefined {
  const c = s.connections;
  if (!c || s.failed === 0 || c.fresh.failed > 0 || c.reused.failed !== s.failed || !c.reused.failedIdleMs) return undefined;
  if (!Object.keys(s.byCode).every((k) => RACE_CODES.has(k))) return undefined;
  const [lo, hi] = c.reused.failedIdleMs;
  const passed = c.reused.passedIdleMaxMs;
  const fresh = c.fresh.count > 0 ? `, while the ${c.fresh.count} sample${c.fresh.count === 1 ? '' : 's'} on a new connection passed` : '';
  const passedText = passed !== null ? `; reuses after at most ${secs(passed)} s idle were answered` : '';
  const bound = passed !== null && passed < lo ? `somewhere between ${secs(passed)} and ${secs(lo)} s` : `${secs(lo)} s or less`;
  const range = lo === hi ? `${secs(lo)} s` : `${secs(lo)}-${secs(hi)} s`;
  const expiry = s.reuse ? `${s.reuse.keepaliveExpirySeconds} s` : 'its';
  return {
    evidence:
      `all ${s.failed} failing sample${s.failed === 1 ? '' : 's'} reused a pooled connection idle for ${range}${fresh}${passedText}: ` +
      `a keep-alive race: something on the path (the server, a load balancer, a NAT or firewall) drops idle connections after ${bound}, ` +
      `sooner than the pool's ${expiry} expiry, and the pool saw no close in time`,
    idleSeconds: [Math.round(lo / 100) / 10, Math.round(hi / 100) / 10],
  };
}

/**
 * How the failures sit in start order (bursts or spread), from the timeline: a rate limit or an
 * overload sets in and stays, one bad backend or a fixed share of resets spreads evenly.
 */
export function patternEvidence(s: SamplesSection, interpret = true): string | undefined {
  if (s.timelineDropped > 0 || s.timeline.length !== s.count || s.failed === 0 || s.failed === s.count) return undefined;
  const t = s.timeline;
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i]!.ok) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  const codesIn = (a: number, b: number) => [...new Set(t.slice(a, b + 1).map((e) => e.code ?? 'UNKNOWN'))].join(', ');
  if (runs.length === 1 && runs[0]![1] === t.length - 1 && runs[0]![0] > 0) {
    const k = runs[0]![0];
    const head = k === 1 ? 'the first sample passed' : `the first ${k} samples passed`;
    const why = interpret ? `: something set in after ${k} request${k === 1 ? '' : 's'} in ${spanText(t[k]!.at)} and stayed, as a rate limit or an overload does` : '';
    return `in start order: ${head}, then every sample from #${k + 1} to the last (#${t.length}) failed (${codesIn(k, t.length - 1)})${why}`;
  }
  if (runs.length === s.failed) return `in start order: the failures are spread out, never two in a row (samples ${runs.slice(0, 8).map((r) => `#${r[0] + 1}`).join(', ')}${runs.length > 8 ? ' ...' : ''})`;
  const longest = runs.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a));
  return `in start order: the failures came in ${runs.length} burst${runs.length === 1 ? '' : 's'}; the longest, ${longest[1] - longest[0] + 1} in a row, samples #${longest[0] + 1}-#${longest[1] + 1} (${codesIn(longest[0], longest[1])})`;
}

/** The report's stage data a sample's phases come from. */
export function phasesOf(report: Report, totalMs: number): Partial<Record<Phase, number>> {
  const out: Partial<Record<Phase, number>> = { total: round2(totalMs) };
  const stage = (id: string) => report.stages.find((s) => s.id === id && s.status !== 'skip');
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const dns = stage('dns');
  if (dns && dns.data.skipped === undefined) out.dns = dns.durationMs;
  const tcp = num((stage('tcp')?.data.timings as Record<string, unknown> | undefined)?.connect);
  if (tcp !== undefined) out.tcp = tcp;
  const tls = num((stage('tls')?.data.timings as Record<string, unknown> | undefined)?.handshake);
  if (tls !== undefined) out.tls = tls;
  const ht = stage('http')?.data.timings as Record<string, unknown> | undefined;
  const rq = num(ht?.request);
  if (rq !== undefined) out.request = rq;
  const fb = num(ht?.firstByte);
  if (fb !== undefined) out.firstByte = fb;
  return out;
}

/**
 * How one finished sample is counted. It failed when its report has an error (or a tool bug), or
 * when the tool had to retry it: the application would have seen the first attempt fail.
 */
export function outcomeOf(report: Report, at: number, ms: number): SampleOutcome {
  const http = report.stages.find((s) => s.id === 'http');
  const retried = http?.data.attempts === 2;
  // The first attempt's connection: a retry inside the sample always goes over a new one.
  const idle = http?.data.reusedIdleMs;
  const reusedIdleMs = typeof idle === 'number' ? idle : undefined;
  const reused = reusedIdleMs !== undefined || http?.data.fresh === false;
  const failedRun = report.verdict === 'failed';
  const ok = !failedRun && !retried;
  let code: string | undefined;
  if (!ok) {
    // A retried sample whose retry passed: its first attempt's code is the warning the stage added.
    const retriedCode = retried ? report.diagnoses.find((d) => d.stage === 'http' && d.retry === 'once' && d.severity === 'warning')?.code : undefined;
    code = report.rootCause ?? retriedCode ?? (report.internalErrors?.length ? 'INTERNAL_ERROR' : report.diagnoses.find((d) => d.severity === 'error')?.code ?? 'UNKNOWN');
  }
  return { at, ok, ...(code ? { code } : {}), ms, retried, ...(reused ? { reused } : {}), ...(reusedIdleMs !== undefined ? { reusedIdleMs } : {}), phases: phasesOf(report, ms) };
}
