/**
 * `diagnose A B C` and `diagnose --config FILE [name ...]`: several targets in one run. Everything
 * is read and checked first (a bad entry: one line, exit 2, nothing probed); then the targets run,
 * a bounded number at once; one rendering of all reports; the exit code is the worst target's.
 */
import { appendFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildConfig, type RawOptions } from '../config.js';
import { UsageError } from '../errors.js';
import { signalExitCode } from '../exit.js';
import { checkOutput, writeOutput, type OutputTarget } from '../safe-io/output.js';
import type { Redactor } from '../secret.js';
import { lineOf, OPTION_KINDS, parseTargetsFile, rawOptionsOf, readTargetsFile, type OptionName, type OptionSet } from './config-file.js';
import { extraSecrets, prepareArgs, prepareFile, type PreparedTarget } from './prepare.js';
import { FLEET_RENDERERS, fleetTable } from './render.js';
import { fleetExitCode, runFleet, targetName } from './run.js';

export interface FleetIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  interrupt?: AbortSignal;
  color: boolean;
  /** Called once before the runs start (as for one target: bin/diagnose.js sets V8's flags there). */
  beforeRun?: () => void;
}

export interface FleetArgs {
  targets: string[];
  raw: RawOptions & { config?: string; parallel?: string; curl?: boolean; quiet?: boolean; verbose?: boolean };
  program: Command;
}

/** Targets diagnosed at once unless --parallel says otherwise. */
export const DEFAULT_PARALLEL = 4;

export function parseParallel(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PARALLEL;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 64) throw new UsageError(`--parallel: "${text}" is not a number from 1 to 64`);
  return n;
}

/**
 * The per-target options typed on the command line, as an option layer of the file: they apply to
 * every target of the file on top of its `defaults`; a target's own options still win.
 */
export function commandLineSet(program: Command): OptionSet {
  const set: OptionSet = { values: {}, lines: {}, line: 0 };
  for (const opt of program.options) {
    const attr = opt.attributeName();
    if (program.getOptionValueSource(attr) !== 'cli') continue;
    const value = program.getOptionValue(attr) as string | boolean | string[];
    const long = (opt.long ?? '').replace(/^--/, '');
    if (attr === 'proxy') {
      if (value === false) set.values['no-proxy'] = true;
      else set.values.proxy = value;
      continue;
    }
    if (long in OPTION_KINDS) set.values[long as OptionName] = value;
  }
  return set;
}

/** --curl with several targets: each target's configuration only (no key read, nothing probed). */
async function configsOnly(args: FleetArgs): Promise<Array<{ name: string; config: ReturnType<typeof buildConfig> }>> {
  const { raw } = args;
  if (raw.config === undefined) return args.targets.map((t) => ({ name: t, config: buildConfig(t, raw) }));
  const tf = parseTargetsFile(await readTargetsFile(raw.config), raw.config);
  const cli = commandLineSet(args.program);
  const defaults = { values: { ...(tf.defaults?.values ?? {}), ...cli.values }, lines: { ...(tf.defaults?.lines ?? {}) }, line: tf.defaults?.line ?? 1 };
  const chosen = args.targets.length > 0 ? args.targets.map((n) => tf.targets.find((t) => t.name === n) ?? n) : tf.targets;
  return chosen.map((t) => {
    if (typeof t === 'string') throw new UsageError(`"${t}" is not a target of ${tf.file} (it has: ${tf.targets.map((x) => x.name).join(', ')})`);
    try {
      return { name: t.name, config: buildConfig(t.url, rawOptionsOf(defaults, t)) };
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${tf.file}:${lineOf(undefined, defaults, t)}: target "${t.name}": ${e.message}`);
      throw e;
    }
  });
}

async function prepare(args: FleetArgs, env: Record<string, string | undefined>): Promise<PreparedTarget[]> {
  const { raw } = args;
  if (raw.config === undefined) return prepareArgs(args.targets, raw, env);
  const text = await readTargetsFile(raw.config);
  const tf = parseTargetsFile(text, raw.config);
  const cli = commandLineSet(args.program);
  // Command-line options sit between the file's defaults and each target's own options.
  const withCli = { ...tf, defaults: { values: { ...(tf.defaults?.values ?? {}), ...cli.values }, lines: { ...(tf.defaults?.lines ?? {}) }, line: tf.defaults?.line ?? 1 } };
  return prepareFile(withCli, env, args.targets);
}

export async function fleetMain(args: FleetArgs, io: FleetIo, redactor: Redactor): Promise<number> {
  const err = (s: string) => io.stderr.write(redactor.scrub(s));
  let targets: PreparedTarget[];
  let parallel: number;
  let outputOpts;
  let outputTarget: OutputTarget | undefined;
  try {
    if (args.raw.quiet && args.raw.verbose) throw new UsageError('-q/--quiet and -v/--verbose disagree; give one of them');
    // --curl: the commands of every target, one after another; nothing is probed, no key is read.
    if (args.raw.curl) {
      const { reproduceCommands } = await import('../curlopts/reproduce.js');
      const configs = await configsOnly(args);
      for (const { config } of configs) for (const s of extraSecrets(config)) redactor.add(s);
      io.stdout.write(redactor.scrub(configs.map(({ name, config }) => `# ── ${name} ──\n${reproduceCommands(config, io.env)}`).join('\n')));
      return 0;
    }
    parallel = parseParallel(args.raw.parallel);
    // The output options, checked as a single run checks them (the target here is a stand-in).
    outputOpts = buildConfig('127.0.0.1', { format: args.raw.format, json: args.raw.json, output: args.raw.output, outputMode: args.raw.outputMode });
    targets = await prepare(args, io.env);
    // As for one target: an --output that cannot be written is found before anything is probed,
    // a new file is 0600 unless --output-mode says otherwise, a device or FIFO is written in place.
    if (outputOpts.output !== undefined) outputTarget = await checkOutput(outputOpts.output, outputOpts.outputMode, outputOpts.outputFormat ?? 'json');
  } catch (e) {
    if (e instanceof UsageError) {
      err(`diagnose: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  for (const t of targets) for (const s of [t.key, ...extraSecrets(t.config)]) redactor.add(s);
  // Values are scrubbed, never JSON text (which a key like `true` would break).
  io.beforeRun?.();
  const reports = redactor.scrubValue(await runFleet(targets, { env: io.env, parallel, interrupt: io.interrupt, redactor }));
  const scrubText = (format: string, text: string) => (format === 'json' ? text : redactor.scrub(text));
  if (args.raw.verbose) {
    const { verboseHeads } = await import('../terminal/verbose.js');
    for (const r of reports) err(`── ${targetName(r)} ──\n${verboseHeads(r)}`);
  }
  // -q: only the verdicts, one table row per target.
  if (args.raw.quiet) io.stdout.write(redactor.scrub(`${fleetTable(reports)}\n`));
  else io.stdout.write(scrubText(outputOpts.format, FLEET_RENDERERS[outputOpts.format](reports, { color: io.color })));
  // SIGINT/SIGTERM/SIGHUP cut the runs short, as for one target: the exit code says which signal.
  const code = io.interrupt?.aborted && reports.some((r) => r.interrupted) ? signalExitCode((io.interrupt.reason as { message?: string } | undefined)?.message) : fleetExitCode(reports);
  if (outputOpts.output !== undefined) {
    try {
      const fileFormat = outputOpts.outputFormat ?? 'json';
      await writeOutput(outputTarget!, scrubText(fileFormat, FLEET_RENDERERS[fileFormat](reports, { color: false })));
    } catch (e) {
      err(`diagnose: could not write --output ${outputOpts.output}: ${(e as { code?: string }).code ?? String(e)}\n`);
      return code === 0 ? 2 : code;
    }
  }
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (outputOpts.format === 'github' && summaryFile) {
    try {
      await appendFile(summaryFile, redactor.scrub(FLEET_RENDERERS.md(reports, { color: false })));
    } catch (e) {
      err(`diagnose: could not append to GITHUB_STEP_SUMMARY ${summaryFile}: ${(e as { code?: string }).code ?? String(e)}\n`);
    }
  }
  return code;
}
