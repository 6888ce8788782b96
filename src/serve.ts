/**
 * `diagnose serve`: a Prometheus exporter in the way of blackbox_exporter. The command line of the
 * exporter lives here (beside cli.ts, which hands over `serve ...`); the server is in serve/.
 */
import { Command, CommanderError } from 'commander';
import type { Io } from './cli.js';
import { UsageError } from './errors.js';
import { ExitCode } from './exit.js';
import { parseTargetsFile, readTargetsFile } from './fleet/config-file.js';
import { startExporter } from './serve/server.js';
import { loadProbeTargets } from './serve/targets.js';
import { parsePort, splitHostPort } from './target.js';
import { TOOL_VERSION } from './version.js';

function program(): Command {
  return new Command('diagnose serve')
    .description('A Prometheus exporter: GET /probe?target=NAME&module=M runs one diagnosis and answers with its metrics.')
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:9115')
    .option('--config <file>', 'the YAML file of targets and modules (schema/config.schema.json)')
    .option('--allow-any-target', 'also probe URLs that are not in the config (with the module\'s options)')
    .option('--max-in-flight <n>', 'probes running at once; more are answered 503', '16')
    .option('--timeout-offset <seconds>', 'taken off Prometheus\'s scrape timeout so the answer arrives in time', '0.5')
    .helpOption('-h, --help')
    .allowExcessArguments(false);
}

export function parseListen(text: string): { host: string; port: number } {
  const { host, port } = splitHostPort(text.trim(), '--listen');
  if (port === undefined) throw new UsageError(`--listen: "${text}" has no port; write 127.0.0.1:9115 or [::1]:9115`);
  return { host: host === '' ? '0.0.0.0' : host, port: parsePort(String(port), '--listen') };
}

function parseBounded(text: string, what: string, lo: number, hi: number, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${what}: "${text}" is not a ${integer ? 'whole ' : ''}number from ${lo} to ${hi}`);
  }
  return n;
}

export async function serveMain(argv: string[], io: Io): Promise<number> {
  const cmd = program();
  let help = '';
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: (s) => (help += s), writeErr: () => undefined });
  let raw: { listen: string; config?: string; allowAnyTarget?: boolean; maxInFlight: string; timeoutOffset: string };
  try {
    cmd.parse(argv, { from: 'user' });
    raw = cmd.opts();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') {
        io.stdout.write(help);
        return ExitCode.OK;
      }
      io.stderr.write(`diagnose serve: ${e.message.replace(/^error: /, '').split('\n')[0]} (see diagnose serve --help)\n`);
      return ExitCode.USAGE;
    }
    throw e;
  }

  let exporter;
  try {
    if (raw.config === undefined) throw new UsageError('--config <file> is required: the exporter probes the targets it names');
    const listen = parseListen(raw.listen);
    const maxInFlight = parseBounded(raw.maxInFlight, '--max-in-flight', 1, 1024, true);
    const timeoutOffset = parseBounded(raw.timeoutOffset, '--timeout-offset', 0, 60, false);
    const text = await readTargetsFile(raw.config);
    const targets = await loadProbeTargets(parseTargetsFile(text, raw.config), io.env, raw.allowAnyTarget ?? false);
    try {
      exporter = await startExporter({ ...listen, targets, maxInFlight, timeoutOffset, env: io.env, version: TOOL_VERSION });
    } catch (e) {
      throw new UsageError(`--listen ${raw.listen}: cannot listen (${(e as { code?: string }).code ?? String(e)})`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`diagnose serve: ${e.message}\n`);
      return ExitCode.USAGE;
    }
    throw e;
  }
  io.stderr.write(`diagnose serve: listening on ${exporter.url} (probe: ${exporter.url}/probe?target=NAME)\n`);

  // SIGTERM (or SIGINT) drains: the running probes finish and are answered, then the process ends.
  await new Promise<void>((resolve) => {
    io.onTerminate?.(resolve);
    if (io.interrupt?.aborted) resolve();
    io.interrupt?.addEventListener('abort', () => resolve(), { once: true });
  });
  io.stderr.write(`diagnose serve: draining ${exporter.stats.inFlight} probe(s) in flight\n`);
  await exporter.drain();
  io.stderr.write('diagnose serve: stopped\n');
  return ExitCode.OK;
}
