/**
 * The command line: commander program + main(argv, io). The only module that touches process.*
 * (through `run`); main() takes an injected io so tests run the CLI in-process.
 */
import { appendFile } from './safe-io/fs-async.js';
import { Command, CommanderError, Option } from 'commander';
import { buildConfig, type Config, type Format, type RawOptions } from './config.js';
import { UsageError } from './errors.js';
import { ExitCode, signalExitCode } from './exit.js';
import { loadKey } from './key.js';
import { loadRenderer } from './render/load.js';
import type { Report } from './report.js';
import { Redactor } from './secret.js';
import { headerSecrets } from './redact/header-secrets.js';
import { TOOL_VERSION } from './version.js';
import { readCa } from './files.js';
import { readClientCert, type ClientCert } from './curlopts/files.js';
import { canShowUnicode, terminalWidth } from './terminal/caps.js';
import { checkOutput, writeOutput, type OutputTarget } from './safe-io/output.js';
import { keyShapedArgument } from './redact/key-shape.js';
import { urlKeys } from './redact/url-key.js';
import { stdWriter, type StdWriter } from './safe-io/stdio.js';

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
  /** Calls back on SIGTERM (diagnose serve drains its probes then); registered only by commands that want it. */
  onTerminate?: (cb: () => void) => void;
  /** The terminal's width when stdout is one. */
  stdoutColumns?: number;
  /** Called once the modules of a run are loaded, just before it probes (bin/diagnose.js sets V8's flags there). */
  beforeRun?: () => void;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command('diagnose')
    .description('Why can this machine not talk to an LLM API? A staged probe: env, DNS, TCP, proxy, TLS, HTTP, stream.')
    .argument('[targets...]', 'host, host:port, [v6]:port or URL (https://api.openai.com/v1); several run together')
    .option('--config <file>', 'a YAML file of named targets with their own options (schema/config.schema.json); names after it pick some')
    .option('--parallel <n>', 'with several targets: how many run at once (default 4)')
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
    .option('--http2', 'offer HTTP/2 (ALPN h2) and use it when the server agrees, as curl and browsers do')
    .option('--json', 'the JSON report on stdout')
    .addOption(new Option('--format <f>', 'output format').choices(['human', 'json', 'md', 'junit', 'openmetrics', 'github']))
    .option('--output <file>', 'also write the report to this file (atomically)')
    .option('--output-mode <mode>', 'file mode of the --output file (default 600; 644 for openmetrics)')
    .option('--strict', 'warnings fail the run (exit 1)')
    .option('--model <id>', 'the model the streaming check asks')
    .option('--compare-direct', 'run the path through the proxy and directly, and attribute the failure')
    .option('--allow-insecure-key', 'send the API key even over plain http to a host that is not this machine')
    .option('--keepalive', 'measure how long an idle keep-alive connection to the target survives, and what a reuse after that gets')
    .option('--keepalive-max <duration>', 'with --keepalive: the longest idle time to try (default: the --timeout budget)')
    .option('--repeat <N>', 'take N samples of the path (1 to 10000)')
    .option('--duration <d>', 'take samples for this long (30s, 10m); with --repeat, whichever ends first')
    .option('--interval <d>', 'time between the starts of two samples (default 1s, jittered by 10 %)')
    .option('--concurrency <K>', 'samples in flight at once (default 1, at most 16)')
    .option('--reuse', "samples reuse pooled keep-alive connections as an SDK's client does")
    .option('--max-failure-rate <r>', 'the run fails when more than this share of samples fail (default 0)')
    .option('--capture <file.pcap>', "record the run's packets with tcpdump")
    .option('--explain [CODE]', 'print the catalogue entry for a diagnosis code and exit (no code: list them all)')
    .option('-H, --header <header>', 'send this header too, as curl -H (repeatable; auth headers are treated as keys, never printed)', collect)
    .option('--cert <file>', 'client certificate (PEM) for gateways that require one, as curl --cert')
    .option('--key <file>', 'private key (PEM) of --cert, as curl --key')
    .option('--connect-to <HOST1:PORT1:HOST2:PORT2>', 'connect to HOST2:PORT2 instead of HOST1:PORT1, as curl (repeatable)', collect)
    .option('--curl', 'print the curl, openssl and dig commands that repeat this run\'s checks by hand, and exit (nothing is probed)')
    .option('-q, --quiet', 'print only the verdict line; the exit code says the rest')
    .option('-v, --verbose', 'also show the request and response heads of the http check, as curl -v (on stderr, redacted)')
    .option('--no-color', 'no colours (as NO_COLOR=1)')
    .option('--gateway', 'also check the reverse proxy in front of the API: redirect, HSTS, security headers, CORS, body limit, WebSocket upgrade')
    .option('--origin <origin>', 'with --gateway: the browser origin whose CORS preflight is checked (https://app.example.com)')
    .option('--burst <N>', 'with --gateway: send N requests at once (1 to 50) to see what the rate limit answers')
    .option('--http-port <port>', 'with --gateway: the plain-http port asked for the redirect to https (default 80)')
    .option('--ws-idle <duration>', 'with --gateway and a ws(s):// target: how long to keep the WebSocket idle (default 65s)')
    .version(TOOL_VERSION, '-V, --version')
    .helpOption('-h, --help')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addHelpText('after', '\nConfig lint: diagnose lint <file> reads an nginx, Envoy or HAProxy configuration offline (diagnose lint --help).');
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
  // `diagnose serve ...`: the exporter, an entry of its own.
  if (argv[0] === 'serve') return (await import('./serve.js')).serveMain(argv.slice(1), io);
  // `diagnose lint FILE` has its own command line (src/lint.ts); loaded only when asked for.
  if (argv[0] === 'lint') return (await import('./lint.js')).lintMain(argv.slice(1), io);
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
  for (const a of argv) for (const m of a.matchAll(/[?&]([^=&#]+)=([^&#\s]+)/g)) for (const k of urlKeys(`${m[1]}=${m[2]}`)) redactor.add(k.value);

  let targetArg: string | undefined;
  let raw: RawOptions & { explain?: string | true; config?: string; parallel?: string; curl?: boolean; quiet?: boolean; verbose?: boolean; color?: boolean };
  try {
    program.parse(argv, { from: 'user' });
    targetArg = program.args[0];
    raw = program.opts();
    if (program.args.length > 1 || raw.config !== undefined) {
      const { fleetMain } = await import('./fleet/main.js');
      return fleetMain({ targets: program.args, raw, program }, withIo(io, { color: colorEnabled(io, io.stdoutIsTTY) }), redactor);
    }
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

  if (raw.color === false) io = withIo(io, { env: { ...io.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
  if (raw.quiet && raw.verbose) {
    err('diagnose: -q/--quiet and -v/--verbose disagree; give one of them\n');
    return ExitCode.USAGE;
  }
  if (raw.explain === true) {
    out((await import('./explain/list.js')).listCodes());
    return ExitCode.OK;
  }
  if (raw.explain !== undefined) {
    const { explain } = await import('./explain/explain.js');
    const text = explain(raw.explain, colorEnabled(io, io.stdoutIsTTY));
    if (text === undefined) {
      const near = (await import('./explain/list.js')).nearestCodes(raw.explain);
      err(`diagnose: --explain: unknown diagnosis code "${raw.explain}"${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ' (diagnose --explain lists them all)'}\n`);
      return ExitCode.USAGE;
    }
    out(text);
    return ExitCode.OK;
  }

  let config: Config;
  let key;
  let ca: string | undefined;
  let clientCert: ClientCert | undefined;
  let outputTarget: OutputTarget | undefined;
  try {
    config = buildConfig(targetArg, raw);
    // -H values that carry credentials are secrets from here on, like the key.
    for (const part of headerSecrets(config)) redactor.add(part);
    if (raw.curl) {
      out((await import('./curlopts/reproduce.js')).reproduceCommands(config, io.env));
      return ExitCode.OK;
    }
    const readCap = Math.min(config.timeoutMs, 10_000);
    // io.stdin only for --api-key-file -: the stream is made at its first touch.
    key = await loadKey(config.keySource, io.env, config.keySource.kind === 'stdin' ? io.stdin : undefined, readCap);
    if (config.caFile !== undefined) ca = await readCa(config.caFile, readCap);
    if (config.clientCertFile !== undefined) clientCert = await readClientCert(config.clientCertFile, config.clientKeyFile);
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

  const renderer = await loadRenderer(config.format);
  if (!renderer) {
    err(`diagnose: --format ${config.format} is not available in this build\n`);
    return ExitCode.USAGE;
  }

  const notice = (config.gateway || config.mtu) ? (await import('./net/gateway/own-host.js')).probeNotice(config) : undefined;
  if (notice) err(`${notice}\n`);

  // Loaded only when a run happens: --help, --version, --explain and usage errors stay fast.
  const { runDoctor } = await import('./doctor.js');
  // The live checklist only on a terminal: a --json run in CI does not load it.
  const unicode = canShowUnicode(io.env);
  const spinner = io.stderrIsTTY && io.spinnerStream && !raw.quiet ? (await import('./terminal/checklist.js')).checklistEvents(io.spinnerStream, { color: colorEnabled(io, true), unicode, width: terminalWidth(io.spinnerStream as { columns?: number }, io.env), budgetMs: config.timeoutMs }) : undefined;
  let report: Report;
  try {
    // --repeat/--duration/--capture: a loop around runDoctor (src/sample/).
    const runner = config.sampling || config.capture ? (await import('./sample/entry.js')).runSampledOrCaptured : runDoctor;
    io.beforeRun?.();
    report = await runner(config, {
      env: io.env,
      apiKey: key.key,
      keySource: key.source,
      ca,
      ...(clientCert ? { clientCert } : {}),
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

  if (report.capture?.warning) err(`diagnose: warning: --capture: ${report.capture.warning}\n`);
  if (report.capture?.credentialsInClear?.length) err(`diagnose: warning: --capture: ${report.capture.file} holds ${report.capture.credentialsInClear.join(', and ')} in clear; it was written readable by you only (0600): treat it like the key, and share it only after removing those headers\n`);
  if (raw.verbose) err((await import('./terminal/verbose.js')).verboseHeads(report));
  const color = colorEnabled(io, io.stdoutIsTTY);
  const text = raw.quiet
    ? `${(await import('./render/human.js')).verdictLine(report, new (await import('chalk')).Chalk({ level: color ? 1 : 0 }))}\n`
    : renderer(report, { color, ...(config.format === 'human' ? { width: terminalWidth(io.stdoutColumns !== undefined ? { columns: io.stdoutColumns } : undefined, io.env), unicode } : {}) });
  // Values are scrubbed (doctor.ts); a JSON text is never scrubbed as text, which could break it.
  if (config.format === 'json' && !raw.quiet) io.stdout.write(text);
  else out(unicode || config.format !== 'human' ? text : (await import('./terminal/ascii.js')).toAscii(text));
  if (config.output !== undefined) {
    const fileRenderer = (await loadRenderer(config.outputFormat ?? 'json')) ?? (await loadRenderer('json'))!;
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
      await appendFile(summaryFile, redactor.scrub((await loadRenderer('md'))!(report, { color: false })));
    } catch (e) {
      err(`diagnose: could not append to GITHUB_STEP_SUMMARY ${summaryFile}: ${(e as { code?: string }).code ?? String(e)}\n`);
    }
  }
  return report.exitCode;
}

/** `io` with some fields changed, its getters (stdin, spinnerStream: streams made at first use) kept as getters, not read. */
function withIo<T extends object>(io: Io, changes: T): Io & T {
  return Object.defineProperties(Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)), Object.getOwnPropertyDescriptors(changes)) as Io & T;
}

/** Entry point of bin/diagnose.js: wires process.* into main() and sets the exit code; `beforeRun` as in Io. */
export function run(opts: Pick<Io, 'beforeRun'> = {}): void {
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
  // the --output file: the run goes on, writes what it can, and keeps its exit code (stdio.ts).
  const stdout = stdWriter(1, () => process.stdout);
  const stderr = stdWriter(2, () => process.stderr);
  std = [stdout, stderr];
  const io: Io = {
    onTerminate: (cb) => process.once('SIGTERM', cb),
    stdout,
    stderr,
    // Built on first use (--api-key-file -): Node makes the stream at the first touch, about 1 ms.
    get stdin() {
      return process.stdin;
    },
    // The checklist draws on a terminal only (stderrIsTTY): the stream is there then.
    get spinnerStream() {
      return stderr.tty ?? process.stderr;
    },
    env: process.env,
    stdoutIsTTY: stdout.isTTY,
    ...(stdout.tty ? { stdoutColumns: stdout.tty.columns } : {}),
    stderrIsTTY: stderr.isTTY,
    interrupt: controller.signal,
    ...(opts.beforeRun ? { beforeRun: opts.beforeRun } : {}),
  };
  main(process.argv.slice(2), io).then(
    (code) => finish(code),
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      stderr.write(`diagnose: internal error: ${msg}\nThis is a bug of upstream-doctor; please report it with the command you ran.\n`);
      finish(ExitCode.INTERNAL);
    },
  );
}

/** The run's stdout and stderr writers (run() sets them). */
let std: StdWriter[] = [];

/** Exit once stdout and stderr are flushed: sockets a stage left behind must not keep us alive. */
function finish(code: number): void {
  process.exitCode = code;
  let pending = std.length;
  const done = () => {
    if (--pending <= 0) process.exit(code);
  };
  if (pending === 0) done();
  for (const w of std) w.flush(done);
}
