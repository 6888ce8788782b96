/**
 * The speed and memory goals, in one place. The benchmark checks them (never the tests: these
 * machines are shared and noisy, so a timing can only be judged over repetitions, by percentile).
 */

/** What the benchmark holds the built CLI to. */
export interface Goals {
  /**
   * p50 wall time of `diagnose --version` and `diagnose --explain CODE`, in ms. On-call engineers
   * type the command in the middle of an incident and CI jobs call it in loops: almost all of
   * this is Node's own start and module loading, so a regression here means something heavy is
   * imported eagerly.
   */
  startupP50Ms: number;
  /**
   * p50 wall time of a healthy https run against loopback, in ms (process start included). The
   * network adds nothing on loopback, so whatever this costs is the tool's own overhead, which
   * every real run pays on top of the network.
   */
  healthyP50Ms: number;
  /**
   * Slack above the contract's limit for hostile servers, in ms: "the whole run never exceeds the
   * sum of the budgets of the stages it runs". The slack covers what lies outside the budgets:
   * process start, module loading, composing and printing the report. Checked on the worst
   * repetition (max), not the median: a budget is a promise on every run.
   */
  budgetSlackMs: number;
  /**
   * Peak resident memory (VmHWM) of the CLI process in any scenario, in MB. A hostile server that
   * streams a gigabyte, floods headers or never ends a line must not make the tool hold it: bodies
   * are capped (64 KiB in the http stage), so memory should stay near that of a plain Node process.
   */
  peakRssMb: number;
}

/** The goals of issue 13, as ratios measured side by side and differences from a server's own clock. */
export interface SpeedGoals {
  /** `diagnose --version` / `--explain X` p50 over `node -e 0` p50, measured side by side (bench/ratios.ts). */
  startupRatio: number;
  /** A healthy https loopback run (whole process, --json) p50 over curl's p50 fetching the same URL. */
  healthyRatio: number;
  /** Peak RSS of that healthy run, MB (worst run). */
  healthyPeakRssMb: number;
  /** Reported timing minus the server's own measure of an injected delay (median), at most, ms (bench/accuracy.ts). */
  serverWaitToleranceMs: number;
  tlsToleranceMs: number;
  dnsToleranceMs: number;
  sseGapToleranceMs: number;
  /** Peak RSS of --repeat 10000 over that of --repeat 1000: flat memory stays near 1. */
  samplesGrowthMax: number;
}

export const GOALS: Goals & SpeedGoals = {
  startupP50Ms: 400,
  healthyP50Ms: 1000,
  budgetSlackMs: 1000,
  peakRssMb: 150,
  startupRatio: 1.3,
  healthyRatio: 5,
  healthyPeakRssMb: 60,
  serverWaitToleranceMs: 2,
  tlsToleranceMs: 5,
  dnsToleranceMs: 2,
  sseGapToleranceMs: 2,
  samplesGrowthMax: 1.15,
};
