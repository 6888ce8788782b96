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

export const GOALS: Goals = {
  startupP50Ms: 400,
  healthyP50Ms: 1000,
  budgetSlackMs: 1000,
  peakRssMb: 150,
};
