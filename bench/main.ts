/**
 * The benchmark: runs every scenario against the built CLI, prints a table, writes
 * bench/results.json, and exits 1 when a goal (goals.ts) was missed.
 *
 *   npm run bench                 all scenarios, full repetitions
 *   npm run bench -- --quick      one repetition each (a smoke run; figures are not percentiles)
 *   npm run bench -- --only ID    only the scenarios whose id contains ID (repeatable)
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './child.js';
import { GOALS } from './goals.js';
import { judge, type ScenarioResult } from './judge.js';
import { measure } from './measure.js';
import { SCENARIOS } from './scenarios.js';
import { samplesMemory, type SamplesMemory } from './samples-memory.js';
import { renderFigures, renderMisses, renderTable, type FigureRow } from './table.js';
import { healthyTarget, ratios, type RatioRow } from './ratios.js';
import { accuracy, type AccuracyResult } from './accuracy.js';

interface Options {
  quick: boolean;
  only: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--only' && argv[i + 1]) o.only.push(argv[++i]!);
    else throw new Error(`bench: unknown argument ${a} (use --quick, --only ID)`);
  }
  return o;
}

/** Where the bench ran: figures mean little without the machine and its load. */
function machine() {
  const c = cpus();
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', loadAvg: loadavg().map((n) => Math.round(n * 100) / 100) };
}

export async function main(argv: string[]): Promise<number> {
  // `npm run bench:serve`: the exporter under load (bench/serve.ts), a run of its own.
  if (argv[0] === 'serve') return (await import('./serve.js')).serveBench();
  const opts = parseArgs(argv);
  const chosen = SCENARIOS.filter((s) => opts.only.length === 0 || opts.only.some((o) => s.id.includes(o)));
  const started = new Date();
  const t0 = performance.now();
  const results: ScenarioResult[] = [];
  // The goals as ratios (side by side with node -e 0, curl, a bare Node GET) and the timing accuracy.
  let ratioRows: RatioRow[] = [];
  let accuracyRows: AccuracyResult[] = [];
  const want = (id: string) => opts.only.length === 0 || opts.only.includes(id);
  if (want('ratios') || want('accuracy')) {
    const target = await healthyTarget();
    try {
      if (want('ratios')) {
        const rounds = opts.quick ? 2 : 15;
        process.stderr.write(`bench: ratios x${rounds} rounds ...`);
        ratioRows = await ratios(rounds, GOALS, target);
        process.stderr.write(` done\n`);
      }
      if (want('accuracy')) {
        const reps = opts.quick ? 2 : 7;
        process.stderr.write(`bench: timing accuracy x${reps} ...`);
        accuracyRows = await accuracy(reps, GOALS, target);
        process.stderr.write(` done\n`);
      }
    } finally {
      await target.close();
      await target.apiClose();
    }
  }
  for (const s of chosen) {
    const reps = opts.quick ? 1 : s.reps;
    process.stderr.write(`bench: ${s.id} x${reps} ...`);
    const { args, runs } = await measure(s, reps);
    const r = judge(s, args, runs, GOALS);
    results.push(r);
    process.stderr.write(` wall p50 ${Math.round(r.wallMs.p50)} ms, RSS max ${r.peakRssMb.max.toFixed(1)} MB${r.checks.every((c) => c.ok) ? '' : '  (goal missed)'}\n`);
  }
  // Memory over 10000 samples (--repeat): a figure, not a goal; skipped by --only unless asked for with --only samples.
  let samples: SamplesMemory | undefined;
  if (opts.only.length === 0 || opts.only.includes('samples')) {
    process.stderr.write('bench: samples memory (--repeat 1000 and 10000) ...');
    samples = await samplesMemory();
    process.stderr.write(` ${samples.repeat10000Mb} MB peak for ${samples.samples10000} samples\n`);
  }
  const figures = figureRows(ratioRows, accuracyRows, samples);
  const misses = [...renderMisses(results), ...figures.filter((f) => f.ok === false).map((f) => `MISSED ${f.figure}: ${f.result} vs goal ${f.goal}${f.note ? ` (${f.note})` : ''}`)];
  const out = {
    startedAt: started.toISOString(),
    benchMs: Math.round(performance.now() - t0),
    quick: opts.quick,
    machine: machine(),
    goals: GOALS,
    ok: misses.length === 0,
    misses,
    ratios: ratioRows,
    accuracy: accuracyRows,
    figures,
    scenarios: results,
    ...(samples ? { samplesMemory: samples } : {}),
  };
  const file = join(ROOT, 'bench', 'results.json');
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
  if (results.length) process.stdout.write(`\n${renderTable(results)}\n\n`);
  if (figures.length) process.stdout.write(`\n${renderFigures(figures)}\n\n`);
  process.stdout.write(
    `goals: start-up p50 < ${GOALS.startupP50Ms} ms, healthy p50 < ${GOALS.healthyP50Ms} ms, hostile <= budget sum + ${GOALS.budgetSlackMs} ms (every run), peak RSS < ${GOALS.peakRssMb} MB\n`,
  );
  if (samples) {
    process.stdout.write(
      `samples memory: peak RSS ${samples.repeat1000Mb} MB for --repeat 1000, ${samples.repeat10000Mb} MB for --repeat 10000 (x${samples.growth}; x${samples.vsNode} of node -e 0 at ${samples.nodeBareMb} MB)\n`,
    );
  }
  for (const m of misses) process.stdout.write(`${m}\n`);
  process.stdout.write(`${misses.length === 0 ? 'all goals met' : `${misses.length} goal(s) missed`} in ${Math.round(out.benchMs / 1000)} s; details in bench/results.json\n`);
  return misses.length === 0 ? 0 : 1;
}

const ms = (n: number) => (Number.isNaN(n) ? '-' : `${Math.round(n)} ms`);

/** The issue-13 goals in one table: ratios, timing accuracy, memory. */
export function figureRows(ratioRows: RatioRow[], acc: AccuracyResult[], samples: SamplesMemory | undefined): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const r of ratioRows) {
    const ref = r.reference ? ratioRows.find((x) => x.id === r.reference) : undefined;
    rows.push({
      figure: r.id,
      measured: Number.isNaN(r.wallP50) ? '-' : `p50 ${ms(r.wallP50)}, RSS ${r.rssMaxMb} MB`,
      reference: ref ? `${ref.id} p50 ${ms(ref.wallP50)}` : '-',
      result: r.ratio === undefined ? '-' : `x${r.ratio}`,
      goal: r.limit === undefined ? '-' : `<= x${r.limit}${r.id.includes('healthy') ? `, RSS <= ${GOALS.healthyPeakRssMb} MB` : ''}`,
      ...(r.ok !== undefined ? { ok: r.ok } : {}),
      ...(r.note ? { note: r.note } : {}),
    });
  }
  for (const a of acc) {
    rows.push({
      figure: a.id,
      measured: `reported p50 ${a.reportedP50} ms`,
      reference: `server-measured ${a.truthP50} ms (injected ${a.injectedMs})`,
      result: `${a.diffP50 >= 0 ? '+' : ''}${a.diffP50} ms`,
      goal: `within ${a.toleranceMs} ms`,
      ok: a.ok,
      ...(a.note ? { note: a.note } : {}),
    });
  }
  if (samples) {
    rows.push({
      figure: 'samples memory',
      measured: `--repeat 10000: ${samples.repeat10000Mb} MB`,
      reference: `--repeat 1000: ${samples.repeat1000Mb} MB; node -e 0: ${samples.nodeBareMb} MB`,
      result: `x${samples.growth}`,
      goal: `flat (<= x${GOALS.samplesGrowthMax})`,
      ok: samples.growth <= GOALS.samplesGrowthMax,
    });
  }
  return rows;
}
