/** Named exit codes (contract: "Exit codes"). Set once, in cli.ts. */
export const ExitCode = {
  OK: 0,
  STRICT_WARNINGS: 1,
  USAGE: 2,
  INTERNAL: 3,
  DNS: 10,
  TCP: 11,
  TLS: 12,
  PROXY: 13,
  TRANSPORT: 14,
  AUTH: 15,
  RATE_LIMIT: 16,
  HTTP_STATUS: 17,
  STREAM: 18,
  INTERRUPTED: 130,
  /** SIGHUP (128 + 1), as shells report it. */
  HANGUP: 129,
  /** SIGTERM (128 + 15): a supervisor stopped the run. */
  TERMINATED: 143,
} as const;

/** The exit code of a run a signal cut short (SIGINT 130, SIGTERM 143, SIGHUP 129). */
export function signalExitCode(signal: string | undefined): number {
  return signal === 'SIGTERM' ? ExitCode.TERMINATED : signal === 'SIGHUP' ? ExitCode.HANGUP : ExitCode.INTERRUPTED;
}
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

import type { Diagnosis, Report } from './report.js';
import { catalogueEntry } from './diagnose/catalogue/index.js';

/** The exit code a diagnosis code stands for when it is the root cause. */
export function exitCodeForCode(code: string): number {
  return catalogueEntry(code)?.exitCode ?? ExitCode.INTERNAL;
}

/**
 * The exit code of a finished report: interrupted beats everything, a tool bug comes next,
 * then the root cause's code, then --strict warnings.
 */
export function exitCodeFor(
  report: Pick<Report, 'interrupted' | 'internalErrors' | 'rootCause' | 'diagnoses'>,
  strict: boolean,
): number {
  if (report.interrupted) return ExitCode.INTERRUPTED;
  if (report.internalErrors && report.internalErrors.length > 0) return ExitCode.INTERNAL;
  if (report.rootCause) return exitCodeForCode(report.rootCause);
  if (strict && report.diagnoses.some((d: Diagnosis) => d.severity === 'warning')) return ExitCode.STRICT_WARNINGS;
  return ExitCode.OK;
}
