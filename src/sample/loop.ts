/**
 * A sampled run: a loop around runDoctor, not a second runner. Samples start every --interval
 * (jittered by ±10 %), at most --concurrency at once, until --repeat samples were taken or
 * --duration has passed (whichever ends first), or SIGINT. Each sample is a full runDoctor run,
 * classified by the existing rules; only its outcome is kept (plus the report of the first failing
 * sample and of the last one), so memory stays flat over 10000 samples.
 */
import type { Config } from '../config.js';
import { toDiagnosis } from '../diagnose/compose.js';
import { runDoctor, targetParams, type DoctorOptions } from '../doctor.js';
import { exitCodeForCode } from '../exit.js';
import { ExitCode } from '../exit.js';
import type { Diagnosis, Report } from '../report.js';
import { mtuStage } from '../stages/mtu.js';
import { STAGES } from '../stages/index.js';
import type { Stage } from '../stages/types.js';
import type { ReusePool } from './pool.js';
import { INTERVAL_JITTER, type SamplingConfig } from './options.js';
import { intermittentFinding, outcomeOf, rateEvidence, SampleAccumulator, samplesFail, topCode, type SamplesSection } from './summary.js';
import { clockMs } from '../clock.js';

export interface SampledOptions extends DoctorOptions {
  /** Random numbers for the jitter (tests may pin it). */
  random?: () => number;
  /** Called after each sample (progress). */
  onSample?: (done: number, failed: number) => void;
  /** The shared keep-alive pool of --reuse, when one is set up (pool.ts). */
  reuse?: ReusePool;
  /** Receives [start, end] (epoch ms) of every failing sample, for --capture (bounded: at most 20000 kept). */
  windows?: Array<[number, number]>;
}

/** The MTU checks probe for seconds: in a sampled run they run only when --mtu asks for them. */
const sampleMtuStage: Stage = {
  ...mtuStage,
  shouldRun(ctx) {
    if (!ctx.config.mtu) return { run: false, reason: 'not run in every sample of a sampled run (add --mtu to run it)' };
    return mtuStage.shouldRun(ctx);
  },
};
const SAMPLE_STAGES: readonly Stage[] = STAGES.map((s) => (s.id === 'mtu' ? sampleMtuStage : s));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runSampled(config: Config, opts: SampledOptions): Promise<Report> {
  const sampling = config.sampling!;
  const random = opts.random ?? Math.random;
  const wallStart = Date.now();
  const t0 = clockMs();
  const acc = new SampleAccumulator(wallStart);
  let firstFailing: Report | undefined;
  let last: Report | undefined;
  let lastInterrupted: Report | undefined;
  const firstByCode: FirstByCode = new Map();
  const inFlight = new Set<Promise<void>>();
  const interrupt = opts.interrupt;
  const endAt = sampling.durationMs !== undefined ? t0 + sampling.durationMs : Infinity;
  let started = 0;
  let nextStart = t0;

  const takeSample = async (): Promise<void> => {
    const s0 = clockMs();
    const report = await runDoctor(config, { ...opts, events: undefined, stages: opts.stages ?? SAMPLE_STAGES, ...(opts.reuse ? { pool: opts.reuse } : {}) });
    const ms = clockMs() - s0;
    if (report.interrupted) {
      // A sample cut short by Ctrl-C says nothing about the path: it is not counted.
      lastInterrupted = report;
      return;
    }
    const outcome = outcomeOf(report, s0 - t0, ms);
    acc.add(outcome);
    if (!outcome.ok && firstFailing === undefined) firstFailing = report;
    // The diagnoses of each failing code's first sample (a few codes at most): the root cause is the
    // most frequent code, which need not be the first failing sample's.
    if (!outcome.ok && outcome.code && !firstByCode.has(outcome.code)) firstByCode.set(outcome.code, { at: wallStart + outcome.at, diagnoses: report.diagnoses });
    if (!outcome.ok && opts.windows && opts.windows.length < 20_000) opts.windows.push([wallStart + outcome.at, wallStart + outcome.at + ms]);
    last = report;
    opts.onSample?.(acc.total, acc.failures);
  };

  for (;;) {
    if (interrupt?.aborted) break;
    if (sampling.repeat !== undefined && started >= sampling.repeat) break;
    if (inFlight.size >= sampling.concurrency) {
      await Promise.race(inFlight);
      continue;
    }
    await sleep(Math.min(nextStart, endAt) - clockMs(), interrupt);
    if (interrupt?.aborted || clockMs() >= endAt) break;
    started++;
    const p: Promise<void> = takeSample().finally(() => inFlight.delete(p));
    inFlight.add(p);
    nextStart += sampling.intervalMs * (1 + INTERVAL_JITTER * (2 * random() - 1));
  }
  await Promise.all(inFlight);
  const reuse = opts.reuse ? opts.reuse.info() : false;
  await opts.reuse?.close();

  const section = acc.section({ intervalMs: sampling.intervalMs, concurrency: sampling.concurrency, maxFailureRate: sampling.maxFailureRate, reuse });
  const interrupted = interrupt?.aborted === true;
  const base = firstFailing ?? last ?? lastInterrupted;
  if (!base) throw new Error('a sampled run ended without a single sample');
  const report = assemble(config, base, section, sampling, firstByCode);
  report.startedAt = new Date(wallStart).toISOString();
  report.durationMs = Math.round(clockMs() - t0);
  if (interrupted) {
    report.interrupted = true;
    report.exitCode = ExitCode.INTERRUPTED;
  }
  return report;
}

/**
 * The report of a sampled run: the stages of the representative sample, its diagnoses (demoted to
 * warnings when the failure rate is within --max-failure-rate), INTERMITTENT_FAILURES in front when
 * some samples passed, and the most frequent failing code as the root cause.
 */
export type FirstByCode = Map<string, { at: number; diagnoses: Diagnosis[] }>;

export function assemble(config: Config, base: Report, section: SamplesSection, sampling: SamplingConfig, firstByCode?: FirstByCode): Report & { samples: SamplesSection } {
  const fail = samplesFail(section);
  const top = topCode(section);
  let diagnoses: Diagnosis[] = base.diagnoses.map((d) => ({ ...d, evidence: [...d.evidence] }));
  // The stages are the first failing sample's (contract); when the most frequent code is another
  // one, its diagnosis comes from the first sample that failed with it, so the root cause is explained.
  const topSeen = top ? firstByCode?.get(top) : undefined;
  if (top && topSeen && !diagnoses.some((d) => d.code === top)) {
    const d = topSeen.diagnoses.find((x) => x.code === top);
    if (d) {
      const firstCode = base.rootCause ?? base.diagnoses.find((x) => x.severity === 'error')?.code;
      const note = `from the first sample that failed with ${top}, at ${new Date(topSeen.at).toISOString()} (the stages above are those of the first failing sample${firstCode ? `, which failed with ${firstCode}` : ''})`;
      diagnoses = [{ ...d, evidence: [...d.evidence, note] }, ...diagnoses];
    }
  }
  if (fail && top) {
    // The sample's own report may hold it as a warning (a reset its retry got past); across samples it failed the run.
    diagnoses = diagnoses.map((d) => (d.code === top && d.severity === 'warning' ? { ...d, severity: 'error' as const } : d));
  }
  if (!fail) diagnoses = diagnoses.map((d) => (d.severity === 'error' ? { ...d, severity: 'warning' as const } : d));
  if (section.failed > 0 && section.failed === section.count && diagnoses[0]) {
    diagnoses[0].evidence.push(`${rateEvidence(section)}; by code: ${Object.entries(section.byCode).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  }
  const finding = intermittentFinding(section);
  if (finding) {
    finding.details = { ...finding.details, exitCode: top ? exitCodeForCode(top) : 0 };
    // Where it breaks and who fixes it are those of the most frequent failing code (a rate limit is
    // the caller's to fix, a 5xx the provider's), not a guess.
    const topDiag = diagnoses.find((d) => d.code === top);
    if (topDiag) {
      finding.origin = topDiag.origin;
      finding.owner = topDiag.owner;
    }
    diagnoses = [toDiagnosis({ ...finding, stage: 'http' }, targetParams(config)), ...diagnoses];
  }
  // A retried sample's first-attempt failure may be only a warning in its own report; across samples it counts.
  const rootCause = fail ? top : undefined;
  const hasInternal = (base.internalErrors?.length ?? 0) > 0;
  const verdict = hasInternal || diagnoses.some((d) => d.severity === 'error') || fail ? 'failed' : diagnoses.some((d) => d.severity === 'warning') ? 'degraded' : 'ok';
  let exitCode: number;
  if (rootCause) exitCode = exitCodeForCode(rootCause);
  else if (hasInternal && fail) exitCode = ExitCode.INTERNAL;
  else if (config.strict && diagnoses.some((d) => d.severity === 'warning')) exitCode = ExitCode.STRICT_WARNINGS;
  else exitCode = ExitCode.OK;
  const { rootCause: _drop, ...rest } = base;
  void _drop;
  void sampling;
  return { ...rest, verdict, exitCode, diagnoses, ...(rootCause ? { rootCause } : {}), samples: section };
}
