/** Several targets in one run: runDoctor for each, a bounded number at once, reports in the targets' order. */
import { runDoctor } from '../doctor.js';
import type { Report } from '../report.js';
import type { Redactor } from '../secret.js';
import { extraSecrets, type PreparedTarget } from './prepare.js';

export interface FleetOptions {
  env: Record<string, string | undefined>;
  /** Targets diagnosed at once (at least 1). */
  parallel: number;
  interrupt?: AbortSignal;
  /** Shared by every run, so no key of any target shows in any report. */
  redactor: Redactor;
}

/** Diagnose one prepared target; its report carries the target's name (in the file, or as typed). */
export async function diagnoseOne(t: PreparedTarget, opts: { env: Record<string, string | undefined>; interrupt?: AbortSignal; redactor?: Redactor }): Promise<Report> {
  // Secret -H values are secrets of every report (and every other target's, in a shared redactor).
  for (const s of extraSecrets(t.config)) opts.redactor?.add(s);
  const report = await runDoctor(t.config, { env: opts.env, apiKey: t.key, keySource: t.keySource, ca: t.ca, ...(t.clientCert ? { clientCert: t.clientCert } : {}), interrupt: opts.interrupt, redactor: opts.redactor });
  return { ...report, target: { ...report.target, name: t.name } };
}

/** Run `worker` over `items` with at most `limit` at once; results keep the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

export function runFleet(targets: readonly PreparedTarget[], opts: FleetOptions): Promise<Report[]> {
  for (const t of targets) for (const s of [t.key, ...extraSecrets(t.config)]) opts.redactor.add(s);
  return mapBounded(targets, opts.parallel, (t) => diagnoseOne(t, opts));
}

/** The exit code of several runs: the worst (largest) one; 0 only when every run passed. */
export function fleetExitCode(reports: readonly Report[]): number {
  return reports.reduce((worst, r) => Math.max(worst, r.exitCode), 0);
}

/** What a target is called in tables and labels: its name in the file, else its URL. */
export function targetName(r: Report): string {
  return r.target.name ?? r.target.input;
}
