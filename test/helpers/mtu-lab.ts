/** What the MTU lab test files share: the built CLI, unique namespace names, the pinned run, its report. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * The lab files take turns: their verdicts rest on stall thresholds of about 2 s, and two labs
 * probing at once on a 2-core machine blur them. A lock directory is the mutual exclusion across
 * vitest's worker processes; a lock whose owner died is taken over.
 */
export async function acquireLabLock(): Promise<() => Promise<void>> {
  const dir = join(tmpdir(), 'upstream-doctor-mtulab.lock');
  const owner = join(dir, 'pid');
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(owner, String(process.pid));
      return async () => {
        await rm(dir, { recursive: true, force: true });
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const pid = Number(await readFile(owner, 'utf8').catch(() => ''));
      if (pid > 0 && !alive(pid)) await rm(dir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
