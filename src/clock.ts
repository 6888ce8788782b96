/**
 * The run's clock, in milliseconds: monotonic, with sub-microsecond resolution.
 *
 * It reads the clock behind performance.now() (libuv's hrtime), counted from another origin, so a
 * duration is the same either way. The difference is cost: the first touch of the `performance`
 * global loads Node's perf_hooks and the nine modules behind it (about a millisecond of a one-shot
 * run), while process.hrtime is there from the start. Durations only: never mix its readings with
 * performance.now() values.
 */
export function clockMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
