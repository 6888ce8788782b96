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
import { renderMisses, renderTable } from './table.js';

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
  const misses = renderMisses(results);
  const out = {
    startedAt: started.toISOString(),
    benchMs: Math.round(performance.now() - t0),
    quick: opts.quick,
    machine: machine(),
    goals: GOALS,
    ok: misses.length === 0,
    misses,
    scenarios: results,
    ...(samples ? { samplesMemory: samples } : {}),
  };
  const file = join(ROOT, 'bench', 'results.json');
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`\n${renderTable(results)}\n\n`);
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
