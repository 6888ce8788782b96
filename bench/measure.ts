/**
 * Run one scenario's repetitions against its server and keep, per repetition, what the goals are
 * judged on: wall time, peak RSS, exit code, and from the JSON report its durationMs, root cause,
 * internal errors and the budget the contract allows (per-stage budget x stages that ran).
 */
import { runChild } from './child.js';
import type { Scenario } from './scenarios.js';

/** One repetition, as measured. */
export interface Rep {
  wallMs: number;
  peakRssMb: number;
  /** Milliseconds between the last line the CLI printed and its exit (Node's teardown). */
  exitLagMs: number;
  /** /proc reads while the process ran (0 means the peak is unknown). */
  samples: number;
  code: number | null;
  killed: boolean;
  /** The report's own durationMs, when a JSON report came out. */
  durationMs?: number;
  rootCause?: string;
  /** Stage id and status, in order, e.g. `tls:fail`. */
  stages?: string[];
  internalErrors?: string[];
  /** Bytes the http stage read (`data.bytesRead`), when it ran. */
  httpBytesRead?: number;
  /** Per-stage budget x stages that ran: the contract's ceiling for this run, in ms. */
  budgetMs?: number;
  /** The first lines of stderr when the run did not end as expected (for the reader). */
  stderrHead?: string;
}

/** The subset of the JSON report the bench reads. */
interface ReportView {
  durationMs: number;
  exitCode: number;
  rootCause?: string;
  stages: Array<{ id: string; status: string; durationMs: number; data?: { bytesRead?: unknown } }>;
  internalErrors?: Array<{ stage: string; message: string }>;
}

/** `--timeout` of the scenario's arguments in ms (the CLI's default is 10 s). */
export function timeoutOf(args: string[]): number {
  const i = args.indexOf('--timeout');
  const text = i >= 0 ? args[i + 1] : undefined;
  if (text === undefined) return 10_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new Error(`bench: cannot read --timeout ${text}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

/** A stage ran when it did not skip, or when it spent time before it did. */
export function budgetOf(report: ReportView, perStageMs: number): number {
  return report.stages.filter((s) => s.status !== 'skip' || s.durationMs > 0).length * perStageMs;
}

function parseReport(stdout: string): ReportView | undefined {
  if (!stdout.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(stdout) as ReportView;
  } catch {
    return undefined;
  }
}

/** A clean environment: the machine's proxy variables and keys must not leak into the CLI. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...extra };
}

/** Set the scenario's server up, run the CLI `reps` times against it, tear the server down. */
export async function measure(s: Scenario, reps: number): Promise<{ args: string[]; runs: Rep[] }> {
  const prepared = await s.prepare();
  const out: Rep[] = [];
  try {
    const perStage = timeoutOf(prepared.args);
    // Eight stages at most, plus generous room: only a CLI that ignores its budgets is killed.
    const hardLimitMs = perStage * 8 + 15_000;
    for (let i = 0; i < reps; i++) {
      const run = await runChild(prepared.args, { env: cleanEnv(prepared.env), hardLimitMs });
      const report = parseReport(run.stdout);
      const rep: Rep = {
        wallMs: round(run.wallMs),
        peakRssMb: round(run.peakRssKb / 1024),
        exitLagMs: round(run.lastOutputMs > 0 ? run.wallMs - run.lastOutputMs : 0),
        samples: run.samples,
        code: run.code,
        killed: run.killed,
      };
      if (report) {
        rep.durationMs = report.durationMs;
        if (report.rootCause) rep.rootCause = report.rootCause;
        rep.stages = report.stages.map((st) => `${st.id}:${st.status}`);
        if (report.internalErrors?.length) rep.internalErrors = report.internalErrors.map((e) => `${e.stage}: ${e.message}`);
        rep.budgetMs = budgetOf(report, perStage);
        const read = report.stages.find((st) => st.id === 'http')?.data?.bytesRead;
        if (typeof read === 'number') rep.httpBytesRead = read;
      }
      if (run.killed || run.code === null || !s.exitCodes.includes(run.code)) rep.stderrHead = run.stderr.split('\n').slice(0, 5).join('\n');
      out.push(rep);
    }
  } finally {
    await prepared.close();
  }
  return { args: prepared.args, runs: out };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
