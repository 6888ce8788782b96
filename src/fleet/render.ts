/**
 * Several reports in every format, built from the one-report renderers' own pieces: JSON as
 * `{ schemaVersion, reports }`, JUnit with a suite per target, OpenMetrics with each family once and
 * a `target` label per sample, Markdown as a table then a section per target, GitHub annotations
 * per target, and for people each target's report followed by one table.
 */
import type { Format } from '../config.js';
import type { Report } from '../report.js';
import { SCHEMA_VERSION } from '../report.js';
import { renderGithub } from '../render/github.js';
import { formatMs, renderHuman } from '../render/human.js';
import type { RenderOptions } from '../render/index.js';
import { addTotals, junitDocument, junitSuites } from '../render/junit.js';
import { renderMarkdown } from '../render/md.js';
import { mdCode, mdTable, mdText } from '../render/mdtext.js';
import { renderFamilies, reportFamilies } from '../render/openmetrics.js';
import { fleetExitCode, targetName } from './run.js';

export type FleetRenderer = (reports: Report[], opts: RenderOptions) => string;

const VERDICT = { ok: 'OK', degraded: 'DEGRADED', failed: 'FAILED' } as const;

/** One row per target: name, verdict, exit code, root cause, total time. */
export function fleetRows(reports: Report[]): string[][] {
  return reports.map((r) => [targetName(r), `${VERDICT[r.verdict]}${r.interrupted ? ' (interrupted)' : ''}`, String(r.exitCode), r.rootCause ?? '-', formatMs(r.durationMs)]);
}

const HEAD = ['target', 'verdict', 'exit', 'root cause', 'time'];

/** The plain-text table, columns padded. */
export function fleetTable(reports: Report[]): string {
  const rows = [HEAD, ...fleetRows(reports)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function summaryLine(reports: Report[]): string {
  const failed = reports.filter((r) => r.verdict === 'failed').length;
  const degraded = reports.filter((r) => r.verdict === 'degraded').length;
  const ok = reports.length - failed - degraded;
  return `${reports.length} target(s): ${ok} ok, ${degraded} degraded, ${failed} failed · exit ${fleetExitCode(reports)}`;
}

function human(reports: Report[], opts: RenderOptions): string {
  const parts = reports.map((r) => `── ${targetName(r)} ${'─'.repeat(Math.max(3, 60 - targetName(r).length))}\n${renderHuman(r, opts)}`);
  return `${parts.join('\n')}\n${fleetTable(reports)}\n\n${summaryLine(reports)}\n`;
}

function json(reports: Report[]): string {
  return `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, reports }, null, 2)}\n`;
}

function junit(reports: Report[]): string {
  const all = reports.map(junitSuites);
  const totals = all.map((x) => x.totals).reduce(addTotals);
  const ms = reports.reduce((a, r) => Math.max(a, r.durationMs), 0);
  return junitDocument(all.flatMap((x) => x.suites), { ...totals, time: (ms / 1000).toFixed(3) });
}

function openmetrics(reports: Report[]): string {
  return renderFamilies(reports.map((r) => reportFamilies(r)));
}

function md(reports: Report[]): string {
  const rows = fleetRows(reports).map(([name, verdict, exit, root, time]) => [mdText(name!), verdict!, exit!, root === '-' ? '' : mdCode(root!), time!]);
  const head = [`# upstream-doctor: ${mdText(summaryLine(reports))}`, '', ...mdTable(HEAD, rows), ''];
  return [...head, ...reports.map((r) => renderMarkdown(r))].join('\n');
}

function github(reports: Report[]): string {
  return reports.map((r) => renderGithub(r)).join('');
}

export const FLEET_RENDERERS: Record<Format, FleetRenderer> = { human, json, junit, openmetrics, md, github };
