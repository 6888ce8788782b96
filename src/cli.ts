/**
 * The command line: commander program + main(argv, io). The only module that touches process.*
 * (through `run`); main() takes an injected io so tests run the CLI in-process.
 */
import { appendFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { buildConfig, type Config, type Format, type RawOptions } from './config.js';
import { UsageError } from './errors.js';
import { ExitCode, signalExitCode } from './exit.js';
import { loadKey } from './key.js';
import { rendererFor } from './render/index.js';
import type { Report } from './report.js';
import { Redactor } from './secret.js';
import { TOOL_VERSION } from './version.js';
import { explain } from './explain.js';
import { readCa } from './files.js';
import { checkOutput, writeOutput, type OutputTarget } from './safe-io/output.js';
import { keyShapedArgument } from './redact/key-shape.js';
import { SECRET_QUERY_PARAM } from './redact/url-key.js';

export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin?: NodeJS.ReadableStream;
  /** The stream the spinner draws on (stderr when it is a TTY). */
  spinnerStream?: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Aborted on SIGINT. */
  interrupt?: AbortSignal;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command('diagnose')
    .description('Why can this machine not talk to an LLM API? A staged probe: env, DNS, TCP, proxy, TLS, HTTP, stream.')
    .argument('[target]', 'host, host:port, [v6]:port or URL (https://api.openai.com/v1)')
    .option('--provider <name>', 'openai, anthropic, azure-openai, gemini, openai-compatible, generic (inferred from the host)')
    .option('--api-key-env <VAR>', 'read the API key from this environment variable')
    .option('--api-key-file <path>', 'read the API key from a file (- for stdin)')
    .option('--resolver <ip[:port]>', 'ask this DNS server directly (repeatable)', collect)
    .option('--resolve <host:port:addr>', 'skip DNS for host and port, connect to addr (repeatable)', collect)
    .option('--ca <file>', 'extra trusted CA certificates (PEM)')
    .option('--proxy <url>', 'use this forward proxy')
    .option('--no-proxy', 'ignore the proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY)')
    .option('--timeout <duration>', 'budget for each stage (2s, 500ms)', '10s')
    .option('--stream', 'also check streaming (needs a key; spends a few tokens)')
    .option('--mtu', 'run the MTU checks even when nothing stalled')
    .option('--json', 'the JSON report on stdout')
    .addOption(new Option('--format <f>', 'output format').choices(['human', 'json', 'md', 'junit', 'openmetrics', 'github']))
    .option('--output <file>', 'also write the report to this file (atomically)')
    .option('--output-mode <mode>', 'file mode of the --output file (default 600; 644 for openmetrics)')
    .option('--strict', 'warnings fail the run (exit 1)')
    .option('--model <id>', 'the model the streaming check asks')
    .option('--compare-direct', 'run the path through the proxy and directly, and attribute the failure')
    .option('--allow-insecure-key', 'send the API key even over plain http to a host that is not this machine')
    .option('--explain <CODE>', 'print the catalogue entry for a diagnosis code and exit')
    .version(TOOL_VERSION, '-V, --version')
    .helpOption('-h, --help')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
  return program;
}

function colorEnabled(io: Io, isTTY: boolean): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return isTTY && io.env.TERM !== 'dumb';
}

/** Parse argv (without node and script), run, write outputs; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const redactor = new Redactor();
  const out = (s: string) => io.stdout.write(redactor.scrub(s));
  const err = (s: string) => io.stderr.write(redactor.scrub(s));

  const program = buildProgram();
  let helpOrVersion = '';
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => {
      helpOrVersion += s;
    },
    writeErr: () => undefined,
  });

  // A key pasted into the wrong option is never repeated, not even in commander's own messages.
  const keyShaped = keyShapedArgument(argv);
  if (keyShaped) {
    err(`diagnose: ${keyShaped.option ? `${keyShaped.option}: ` : ''}the value looks like an API key; it was not printed. Pass the key with --api-key-env <VAR> or --api-key-file <path>\n`);
    return ExitCode.USAGE;
  }

  // A key in a target URL is the key: scrubbed from every message, usage errors included.
  for (const a of argv) for (const m of a.matchAll(/[?&]([^=&#]+)=([^&#\s]+)/g)) if (SECRET_QUERY_PARAM.test(m[1]!)) redactor.add(safeDecode(m[2]!));

  let targetArg: string | undefined;
  let raw: RawOptions & { explain?: string };
  try {
    program.parse(argv, { from: 'user' });
    targetArg = program.args[0];
    raw = program.opts();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        out(helpOrVersion);
        return ExitCode.OK;
      }
      err(`diagnose: ${e.message.replace(/^error: /, '').split('\n')[0]} (see diagnose --help)\n`);
      return ExitCode.USAGE;
    }
    throw e;
  }

  if (raw.explain !== undefined) {
    const text = explain(raw.explain, colorEnabled(io, io.stdoutIsTTY));
    if (text === undefined) {
      err(`diagnose: --explain: unknown diagnosis code "${raw.explain}" (codes look like RESET_BEFORE_HEADERS)\n`);
      return ExitCode.USAGE;
    }
    out(text);
    return ExitCode.OK;
  }

  let config: Config;
  let key;
  let ca: string | undefined;
  let outputTarget: OutputTarget | undefined;
  try {
    config = buildConfig(targetArg, raw);
    key = await loadKey(config.keySource, io.env, io.stdin, Math.min(config.timeoutMs, 10_000));
    if (config.caFile !== undefined) ca = await readCa(config.caFile, Math.min(config.timeoutMs, 10_000));
    // An --output that cannot be written is found now, not after the run.
    if (config.output !== undefined) outputTarget = await checkOutput(config.output, config.outputMode, config.outputFormat ?? 'json');
  } catch (e) {
    if (e instanceof UsageError) {
      err(`diagnose: ${e.message}\n`);
      return ExitCode.USAGE;
    }
    throw e;
  }
  redactor.add(key.key);
  if (key.warning) err(`diagnose: warning: ${key.warning}\n`);

  const renderer = rendererFor(config.format);
  if (!renderer) {
    err(`diagnose: --format ${config.format} is not available in this build\n`);
    return ExitCode.USAGE;
  }

  // Loaded only when a run happens: --help, --version, --explain and usage errors stay fast.
  const [{ runDoctor }, { spinnerEvents }] = await Promise.all([import('./doctor.js'), import('./progress.js')]);
  const spinner = io.stderrIsTTY && io.spinnerStream ? spinnerEvents(io.spinnerStream, colorEnabled(io, true)) : undefined;
  let report: Report;
  try {
    report = await runDoctor(config, {
      env: io.env,
      apiKey: key.key,
      keySource: key.source,
      ca,
      interrupt: io.interrupt,
      events: spinner,
      redactor,
    });
  } finally {
    spinner?.stop();
  }
  // SIGTERM and SIGHUP cut the run short as SIGINT does; the exit code says which.
  if (report.interrupted) {
    const reason = io.interrupt?.reason as { message?: string } | undefined;
    report = { ...report, exitCode: signalExitCode(reason?.message) };
  }

  // Values are scrubbed (doctor.ts); a JSON text is never scrubbed as text, which could break it.
  const text = renderer(report, { color: colorEnabled(io, io.stdoutIsTTY) });
  if (config.format === 'json') io.stdout.write(text);
  else out(text);
  if (config.output !== undefined) {
    const fileRenderer = rendererFor(config.outputFormat ?? 'json') ?? rendererFor('json')!;
    try {
      const fileText = fileRenderer(report, { color: false });
      await writeOutput(outputTarget!, (config.outputFormat ?? 'json') === 'json' ? fileText : redactor.scrub(fileText));
    } catch (e) {
      err(`diagnose: could not write --output ${config.output}: ${(e as { code?: string }).code ?? String(e)}\n`);
      // Not a bug of the tool (a full disk, a FIFO nobody reads): the run's own code, else 2.
      return report.exitCode === ExitCode.OK ? ExitCode.USAGE : report.exitCode;
    }
  }
  // GitHub Actions shows the Markdown of GITHUB_STEP_SUMMARY on the run's page.
  const summaryFile = io.env.GITHUB_STEP_SUMMARY;
  if (config.format === 'github' && summaryFile) {
    try {
      await appendFile(summaryFile, redactor.scrub(rendererFor('md')!(report, { color: false })));
    } catch (e) {
      err(`diagnose: could not append to GITHUB_STEP_SUMMARY ${summaryFile}: ${(e as { code?: string }).code ?? String(e)}\n`);
    }
  }
  return report.exitCode;
}

/** Entry point of bin/diagnose.js: wires process.* into main() and sets the exit code. */
export function run(): void {
  const controller = new AbortController();
  let interrupts = 0;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      interrupts++;
      if (interrupts > 1) process.exit(signalExitCode(sig));
      controller.abort(new Error(sig));
    });
  }
  // stdout or stderr that goes away (`| head -1`, a full disk) is no reason to crash or to lose
  // the --output file: the run goes on, writes what it can, and keeps its exit code.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    spinnerStream: process.stderr,
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    interrupt: controller.signal,
  };
  main(process.argv.slice(2), io).then(
    (code) => finish(code),
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`diagnose: internal error: ${msg}\nThis is a bug of upstream-doctor; please report it with the command you ran.\n`);
      finish(ExitCode.INTERNAL);
    },
  );
}

/** Exit once stdout and stderr are flushed: sockets a stage left behind must not keep us alive. */
function finish(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  // A stream that went away (EPIPE, ENOSPC) has nothing left to flush.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || stream.errored) done();
    else stream.write('', done);
  }
}
