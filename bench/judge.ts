/**
 * From repetitions to figures (p50, max) and to checks against the goals. Pure: no I/O, so the
 * rules can be read (and changed) in one place.
 */
import type { Goals } from './goals.js';
import type { Rep } from './measure.js';
import type { Scenario } from './scenarios.js';

/** The median and the worst of a set of figures. */
export interface Spread {
  p50: number;
  max: number;
}

/** One goal checked for one scenario. */
export interface Check {
  goal: string;
  ok: boolean;
  /** The measured figure and the limit it was held to (absent for yes/no checks). */
  value?: number;
  limit?: number;
  /** Why it failed, in a few words. */
  note?: string;
}

export interface ScenarioResult {
  id: string;
  kind: Scenario['kind'];
  what: string;
  args: string[];
  reps: number;
  wallMs: Spread;
  peakRssMb: Spread;
  /** From the last printed output to the process's exit. */
  exitLagMs: Spread;
  /** The report's durationMs (runs that printed a JSON report). */
  durationMs?: Spread;
  /** The largest contract budget of the repetitions (hostile scenarios). */
  budgetMs?: number;
  exitCodes: Array<number | null>;
  rootCauses: string[];
  checks: Check[];
  runs: Rep[];
}

/** Nearest-rank percentile: p50 of [a, b] is a, so a single fast outlier cannot hide a slow half. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function spread(values: number[]): Spread {
  return { p50: percentile(values, 50), max: values.length ? Math.max(...values) : NaN };
}

/** An exit code for people: a run ended by a signal has none. */
export function codeText(code: number | null): string {
  return code === null ? 'none' : String(code);
}

/** Checks every scenario gets: it ended by itself, as expected, and its memory stayed bounded. */
function common(s: Scenario, runs: Rep[], goals: Goals): Check[] {
  const killed = runs.filter((r) => r.killed).length;
  const badCodes = runs.filter((r) => r.code === null || !s.exitCodes.includes(r.code)).map((r) => r.code);
  const unsampled = runs.filter((r) => r.samples === 0).length;
  const rss = Math.max(...runs.map((r) => r.peakRssMb));
  return [
    { goal: 'ended by itself', ok: killed === 0, ...(killed ? { note: `${killed} run(s) killed at the hard limit` } : {}) },
    { goal: `exit code in [${s.exitCodes.join(', ')}]`, ok: badCodes.length === 0, ...(badCodes.length ? { note: `got ${badCodes.map(codeText).join(', ')}` } : {}) },
    { goal: 'peak RSS max', ok: unsampled === 0 && rss < goals.peakRssMb, value: rss, limit: goals.peakRssMb, ...(unsampled ? { note: `${unsampled} run(s) not sampled` } : {}) },
  ];
}

/** Hostile servers: every run (not just the median) within its budget sum plus slack, with a clean report. */
function hostile(runs: Rep[], goals: Goals): Check[] {
  const over = runs.map((r) => (r.budgetMs === undefined ? Infinity : r.wallMs - (r.budgetMs + goals.budgetSlackMs)));
  const worst = Math.max(...over);
  const noReport = runs.filter((r) => r.budgetMs === undefined).length;
  const internal = runs.flatMap((r) => r.internalErrors ?? []);
  const worstRun = runs[over.indexOf(worst)]!;
  return [
    {
      goal: 'wall <= budget sum + slack (every run)',
      ok: worst <= 0,
      value: worstRun.wallMs,
      limit: (worstRun.budgetMs ?? 0) + goals.budgetSlackMs,
      ...(noReport ? { note: `${noReport} run(s) without a JSON report` } : {}),
    },
    { goal: 'no internal error', ok: internal.length === 0, ...(internal.length ? { note: internal[0] } : {}) },
  ];
}

export function judge(s: Scenario, args: string[], runs: Rep[], goals: Goals): ScenarioResult {
  const wall = spread(runs.map((r) => r.wallMs));
  const durations = runs.flatMap((r) => (r.durationMs === undefined ? [] : [r.durationMs]));
  const checks = common(s, runs, goals);
  if (s.kind === 'startup') checks.push({ goal: 'start-up wall p50', ok: wall.p50 < goals.startupP50Ms, value: wall.p50, limit: goals.startupP50Ms });
  if (s.kind === 'healthy') checks.push({ goal: 'healthy wall p50', ok: wall.p50 < goals.healthyP50Ms, value: wall.p50, limit: goals.healthyP50Ms });
  if (s.kind === 'hostile') checks.push(...hostile(runs, goals));
  if (s.maxHttpReadBytes !== undefined) {
    const read = runs.map((r) => r.httpBytesRead ?? Infinity);
    checks.push({ goal: 'http stage read (max, bytes)', ok: Math.max(...read) <= s.maxHttpReadBytes, value: Math.max(...read), limit: s.maxHttpReadBytes });
  }
  const budgets = runs.flatMap((r) => (r.budgetMs === undefined ? [] : [r.budgetMs]));
  return {
    id: s.id,
    kind: s.kind,
    what: s.what,
    args,
    reps: runs.length,
    wallMs: wall,
    peakRssMb: spread(runs.map((r) => r.peakRssMb)),
    exitLagMs: spread(runs.map((r) => r.exitLagMs)),
    ...(durations.length ? { durationMs: spread(durations) } : {}),
    ...(budgets.length ? { budgetMs: Math.max(...budgets) } : {}),
    exitCodes: [...new Set(runs.map((r) => r.code))],
    rootCauses: [...new Set(runs.flatMap((r) => (r.rootCause ? [r.rootCause] : [])))],
    checks,
    runs,
  };
}
