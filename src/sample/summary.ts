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
      this.firstFailure = this.firstFailure === undefined ? s.at : Math.min(this.firstFailure, s.at);
      this.lastFailure = this.lastFailure === undefined ? s.at : Math.max(this.lastFailure, s.at);
    }
    for (const p of PHASES) {
      const v = s.phases[p];
      if (v !== undefined) this.series.get(p)!.add(v);
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
      byCode: { ...this.byCode },
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

/** The code most samples failed with, when any failed. */
export function topCode(s: Pick<SamplesSection, 'byCode'>): string | undefined {
  return mostFrequent(s.byCode);
}

/** The run fails because of its samples when more than --max-failure-rate of them failed. */
export function samplesFail(s: Pick<SamplesSection, 'failed' | 'failureRate' | 'maxFailureRate'>): boolean {
  return s.failed > 0 && s.failureRate > s.maxFailureRate;
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
    details: { byCode: s.byCode, failureRate: s.failureRate, failureRateCi95: s.failureRateCi95, count: s.count, failed: s.failed, topCode: top },
    params: { failedCount: s.failed, sampleCount: s.count, failurePercent: percentText(s.failureRate) },
  };
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
  const reused = http?.data.fresh === false;
  const failedRun = report.verdict === 'failed';
  const ok = !failedRun && !retried;
  let code: string | undefined;
  if (!ok) {
    // A retried sample whose retry passed: its first attempt's code is the warning the stage added.
    const retriedCode = retried ? report.diagnoses.find((d) => d.stage === 'http' && d.retry === 'once' && d.severity === 'warning')?.code : undefined;
    code = report.rootCause ?? retriedCode ?? (report.internalErrors?.length ? 'INTERNAL_ERROR' : report.diagnoses.find((d) => d.severity === 'error')?.code ?? 'UNKNOWN');
  }
  return { at, ok, ...(code ? { code } : {}), ms, retried, ...(reused ? { reused } : {}), phases: phasesOf(report, ms) };
}
