/** What the MTU lab test files share: the built CLI, unique namespace names, the pinned run, its report. */
import { fileURLToPath } from 'node:url';
import { LAB_SERVER_ADDR } from '../../fixtures/mtulab/lab.js';
import type { Diagnosis, Report } from '../../src/report.js';

/** The built CLI the lab runs inside its client namespace. */
export const LAB_CLI = fileURLToPath(new URL('../../bin/diagnose.js', import.meta.url));
/** A file of dist/ the CLI needs: missing until `npx tsc -p .` has run. */
export const LAB_BUILT = fileURLToPath(new URL('../../dist/stages/mtu.js', import.meta.url));

/** A namespace-name prefix unique to this run: `tag`, the pid, the time (short: names are file names). */
export function labPrefix(tag: string): string {
  return `${tag}${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
}

/** The CLI's argv against https://host:port, pinned to the lab server (no DNS), trusting the lab CA. */
export function labCliArgv(cli: string, host: string, port: number, caFile: string, extra: string[] = []): string[] {
  return [process.execPath, cli, `https://${host}:${port}`, '--resolve', `${host}:${port}:${LAB_SERVER_ADDR}`, '--ca', caFile, '--json', '--timeout', '3s', ...extra];
}

/** A lab run's JSON report with its MTU diagnosis and mtu stage data; throws with stderr when there is no report. */
export function parseLabRun(r: { code: number; stdout: string; stderr: string }): { report: Report; mtu: Diagnosis | undefined; mtuData: Record<string, unknown> } {
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stderr.slice(0, 800)}`);
  }
  const stage = report.stages.find((s) => s.id === 'mtu');
  return { report, mtu: report.diagnoses.find((d) => d.code === 'MTU_BLACKHOLE_SUSPECTED'), mtuData: stage?.data ?? {} };
}
