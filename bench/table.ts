/** The readable table the bench prints (pure: results in, text out). */
import { codeText, type Check, type ScenarioResult } from './judge.js';

const COLUMNS = ['scenario', 'reps', 'wall p50', 'wall max', 'report p50', 'exit lag', 'budget', 'RSS p50', 'RSS max', 'exit', 'root cause', 'goals'] as const;

const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : `${Math.round(n)} ms`);
const mb = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(1)} MB`);

function row(r: ScenarioResult): string[] {
  const failed = r.checks.filter((c) => !c.ok).length;
  return [
    r.id,
    String(r.reps),
    ms(r.wallMs.p50),
    ms(r.wallMs.max),
    ms(r.durationMs?.p50),
    ms(r.exitLagMs.p50),
    r.budgetMs === undefined ? '-' : `${r.budgetMs} ms`,
    mb(r.peakRssMb.p50),
    mb(r.peakRssMb.max),
    r.exitCodes.map(codeText).join(','),
    r.rootCauses.join(',') || '-',
    failed ? `MISSED ${failed}` : 'ok',
  ];
}

/** Columns padded to their widest cell; numbers read best right-aligned. */
export function renderTable(results: ScenarioResult[]): string {
  const rows = [COLUMNS.map(String), ...results.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const right = new Set([1, 2, 3, 4, 5, 6, 7, 8]);
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function describe(c: Check): string {
  const figure = c.value !== undefined ? ` (${Math.round(c.value * 10) / 10} vs limit ${c.limit})` : '';
  return `${c.goal}${figure}${c.note ? `: ${c.note}` : ''}`;
}

/** One line per missed goal, naming the scenario; empty when everything held. */
export function renderMisses(results: ScenarioResult[]): string[] {
  return results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `MISSED ${r.id}: ${describe(c)}`));
}

/** One line of the figures table: what was measured, against what, and the goal. */
export interface FigureRow {
  figure: string;
  measured: string;
  reference: string;
  result: string;
  goal: string;
  ok?: boolean;
  note?: string;
}

/** The goals of issue 13 in one table: ratios, timing accuracy, memory. */
export function renderFigures(rows: FigureRow[]): string {
  const head = ['figure', 'measured', 'reference', 'result', 'goal', 'ok'];
  const cells = rows.map((r) => [r.figure, r.measured, r.reference, r.result, r.goal, `${r.ok === undefined ? '-' : r.ok ? 'ok' : 'MISSED'}${r.note ? ` (${r.note})` : ''}`]);
  const all = [head, ...cells];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
