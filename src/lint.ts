/**
 * `diagnose lint <file>`: the config linter's command line, reached from cli.ts when the first
 * argument is `lint`. Exit codes as linters have them: 0 no error (warnings allowed), 1 an error
 * (or a warning with --strict), 2 usage or unreadable input.
 */
import { Command, CommanderError, Option } from 'commander';
import type { Io } from './cli.js';
import { ExitCode } from './exit.js';
import { lintConfig } from './lint/index.js';
import { scrubConfigText, scrubConfigValue } from './lint/redact.js';
import { lintHuman, lintJson } from './lint/render.js';
import { readStdin } from './lint/source.js';
import { LintInputError, type ConfigKind } from './lint/types.js';

function program(): Command {
  return new Command('diagnose lint')
    .description('Read an nginx (file with includes, or `nginx -T` output), Envoy (YAML/JSON bootstrap) or HAProxy configuration offline and report what breaks LLM traffic.')
    .argument('[file]', 'the configuration file (- for stdin)')
    .addOption(new Option('--kind <kind>', 'the configuration language (detected from the content when left out)').choices(['nginx', 'envoy', 'haproxy']))
    .option('--json', 'the findings as JSON on stdout')
    .addOption(new Option('--format <f>', 'output format').choices(['human', 'json']))
    .option('--strict', 'warnings fail the run (exit 1)')
    .helpOption('-h, --help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

function colorEnabled(io: Io): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.stdoutIsTTY && io.env.TERM !== 'dumb';
}

export async function lintMain(argv: string[], io: Io): Promise<number> {
  const p = program();
  try {
    p.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') {
        io.stdout.write(p.helpInformation());
        return ExitCode.OK;
      }
      io.stderr.write(`diagnose lint: ${e.message.replace(/^error: /, '').split('\n')[0]} (see diagnose lint --help)\n`);
      return ExitCode.USAGE;
    }
    throw e;
  }
  const file = p.args[0];
  if (file === undefined || file === '') {
    io.stderr.write('diagnose lint: which file? (diagnose lint /etc/nginx/nginx.conf, or nginx -T | diagnose lint -)\n');
    return ExitCode.USAGE;
  }
  const opts = p.opts<{ kind?: ConfigKind; json?: boolean; format?: string; strict?: boolean }>();
  try {
    const text = file === '-' ? await readStdin(io.stdin ?? process.stdin) : undefined;
    const result = lintConfig({ file, text, kind: opts.kind });
    const json = opts.json === true || opts.format === 'json';
    // Evidence quotes the configuration, which may hold a key: never printed.
    // JSON is scrubbed as data: a mask inside JSON text could break it.
    io.stdout.write(json ? lintJson(scrubConfigValue(result)) : scrubConfigText(lintHuman(result, colorEnabled(io))));
    if (result.findings.some((f) => f.severity === 'error')) return 1;
    if (opts.strict && result.findings.length > 0) return ExitCode.STRICT_WARNINGS;
    return ExitCode.OK;
  } catch (e) {
    if (e instanceof LintInputError) {
      io.stderr.write(`diagnose lint: ${scrubConfigText(e.message)}\n`);
      return ExitCode.USAGE;
    }
    throw e;
  }
}
