/** The benchmark's pure parts: percentiles, budgets from a report, and the goal checks. */
import { describe, expect, it } from 'vitest';
import type { Goals } from '../../bench/goals.js';
import { judge, percentile, spread } from '../../bench/judge.js';
import { budgetOf, timeoutOf, type Rep } from '../../bench/measure.js';
import type { Scenario } from '../../bench/scenarios.js';
import { renderMisses, renderTable } from '../../bench/table.js';

const GOALS: Goals = { startupP50Ms: 400, healthyP50Ms: 1000, budgetSlackMs: 1000, peakRssMb: 150 };

const scenario = (kind: Scenario['kind'], exitCodes = [0]): Scenario => ({
  id: `s-${kind}`,
  kind,
  what: 'test',
  reps: 3,
  exitCodes,
  prepare: async () => ({ args: [], close: async () => undefined }),
});

const rep = (over: Partial<Rep> = {}): Rep => ({ wallMs: 100, peakRssMb: 80, exitLagMs: 5, samples: 10, code: 0, killed: false, ...over });

describe('percentile (nearest rank)', () => {
  it.each([
    [[5], 50, 5],
    [[1, 2], 50, 1],
    [[3, 1, 2], 50, 2],
    [[4, 1, 3, 2], 50, 2],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90, 90],
    [[10, 20, 30], 100, 30],
  ])('%j p%d = %d', (values, p, want) => {
    expect(percentile(values, p)).toBe(want);
  });
  it('is NaN for no values, and spread gives the max', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(spread([3, 9, 1])).toEqual({ p50: 3, max: 9 });
  });
});

describe('timeoutOf', () => {
  it.each([
    [['--timeout', '1s'], 1000],
    [['x', '--timeout', '500ms'], 500],
    [['--timeout', '1.5s'], 1500],
    [['--timeout', '2m'], 120_000],
    [['--timeout', '3'], 3000],
    [['--json'], 10_000],
  ])('%j -> %d ms', (args, want) => {
    expect(timeoutOf(args)).toBe(want);
  });
  it('refuses what it cannot read', () => {
    expect(() => timeoutOf(['--timeout', 'soon'])).toThrow(/cannot read/);
  });
});

describe('budgetOf: per-stage budget times the stages that ran', () => {
  it('counts stages that did not skip, and a skip that spent time', () => {
    const report = {
      durationMs: 0,
      exitCode: 12,
      stages: [
        { id: 'env', status: 'pass', durationMs: 1 },
        { id: 'dns', status: 'pass', durationMs: 0 },
        { id: 'proxy', status: 'skip', durationMs: 0 },
        { id: 'tls', status: 'fail', durationMs: 990 },
        { id: 'http', status: 'skip', durationMs: 0 },
        { id: 'stream', status: 'skip', durationMs: 12 },
      ],
    };
    expect(budgetOf(report, 1000)).toBe(4000);
  });
});

describe('judge', () => {
  it('start-up: p50 against the goal, and every common check', () => {
    const ok = judge(scenario('startup'), [], [rep({ wallMs: 200 }), rep({ wallMs: 390 }), rep({ wallMs: 900 })], GOALS);
    expect(ok.checks.every((c) => c.ok)).toBe(true);
    expect(ok.wallMs).toEqual({ p50: 390, max: 900 });
    const slow = judge(scenario('startup'), [], [rep({ wallMs: 450 }), rep({ wallMs: 420 }), rep({ wallMs: 100 })], GOALS);
    expect(slow.checks.find((c) => c.goal === 'start-up wall p50')).toMatchObject({ ok: false, value: 420, limit: 400 });
  });

  it('healthy: p50 against its own goal', () => {
    const r = judge(scenario('healthy'), [], [rep({ wallMs: 1200, durationMs: 900 }), rep({ wallMs: 1100, durationMs: 800 })], GOALS);
    expect(r.checks.find((c) => c.goal === 'healthy wall p50')?.ok).toBe(false);
    expect(r.durationMs).toEqual({ p50: 800, max: 900 });
  });

  it('hostile: every run, not the median, must end within budget + slack', () => {
    const runs = [rep({ wallMs: 2000, budgetMs: 4000 }), rep({ wallMs: 5200, budgetMs: 4000 }), rep({ wallMs: 1900, budgetMs: 4000 })];
    const r = judge(scenario('hostile'), [], runs, GOALS);
    expect(r.checks.find((c) => c.goal.startsWith('wall <= budget'))).toMatchObject({ ok: false, value: 5200, limit: 5000 });
    const fine = judge(scenario('hostile'), [], [rep({ wallMs: 5000, budgetMs: 4000 })], GOALS);
    expect(fine.checks.every((c) => c.ok)).toBe(true);
  });

  it('hostile: a run without a JSON report cannot prove its budget', () => {
    const r = judge(scenario('hostile'), [], [rep({ wallMs: 10, budgetMs: 4000 }), rep({ wallMs: 10 })], GOALS);
    expect(r.checks.find((c) => c.goal.startsWith('wall <= budget'))).toMatchObject({ ok: false, note: '1 run(s) without a JSON report' });
  });

  it('hostile: an internal error of the tool is a miss', () => {
    const r = judge(scenario('hostile'), [], [rep({ budgetMs: 4000, internalErrors: ['http: the http stage did not stop at its 1000 ms deadline'] })], GOALS);
    expect(r.checks.find((c) => c.goal === 'no internal error')).toMatchObject({ ok: false });
  });

  it('a killed run, an unexpected exit code, too much memory or no memory sample are misses', () => {
    const r = judge(scenario('healthy', [0]), [], [rep({ killed: true, code: null }), rep({ code: 3 }), rep({ peakRssMb: 151 }), rep({ samples: 0 })], GOALS);
    const failed = r.checks.filter((c) => !c.ok).map((c) => c.goal);
    expect(failed).toEqual(['ended by itself', 'exit code in [0]', 'peak RSS max']);
    expect(r.checks.find((c) => c.goal === 'exit code in [0]')?.note).toBe('got none, 3');
    expect(r.exitCodes).toEqual([null, 3, 0]);
  });

  it('a body cap: the http stage may read a bounded amount, and a run that does not say is a miss', () => {
    const s = { ...scenario('hostile', [0]), maxHttpReadBytes: 1000 };
    const check = (runs: Rep[]) => judge(s, [], runs, GOALS).checks.find((c) => c.goal.startsWith('http stage read'));
    expect(check([rep({ budgetMs: 4000, httpBytesRead: 900 }), rep({ budgetMs: 4000, httpBytesRead: 1000 })])).toMatchObject({ ok: true, value: 1000 });
    expect(check([rep({ budgetMs: 4000, httpBytesRead: 1001 })])).toMatchObject({ ok: false, value: 1001, limit: 1000 });
    expect(check([rep({ budgetMs: 4000 })])?.ok).toBe(false);
    expect(judge(scenario('hostile', [0]), [], [rep({ budgetMs: 4000 })], GOALS).checks.some((c) => c.goal.startsWith('http stage read'))).toBe(false);
  });

  it('the table shows each scenario, and the misses name scenario and goal', () => {
    const bad = judge(scenario('startup'), [], [rep({ wallMs: 500 })], GOALS);
    const good = judge(scenario('healthy'), [], [rep({ wallMs: 300, durationMs: 120, rootCause: 'X' })], GOALS);
    const table = renderTable([bad, good]);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toContain('MISSED 1');
    expect(renderMisses([bad, good])).toEqual(['MISSED s-startup: start-up wall p50 (500 vs limit 400)']);
  });
});
