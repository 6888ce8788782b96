/** One diagnosis run: config in, report out. No printing here. */
import { isIP } from './net/is-ip.js';
import { hostname } from 'node:os';
import { formatHost } from './target.js';
import type { Config } from './config.js';
import { attribute, type CompareSection } from './diagnose/compare-direct.js';
import { compose, verdictOf } from './diagnose/compose.js';
import { exitCodeFor } from './exit.js';
import { noteRestOfPath } from './diagnose/accuracy/rest-of-path.js';
import type { InternalError, Report } from './report.js';
import { SCHEMA_VERSION } from './report.js';
import { runStages, type RunnerEvents } from './runner.js';
import { fingerprint, Redactor } from './secret.js';
import { STAGES } from './stages/index.js';
import { warmParser } from './net/http/undici.js';
import type { RunContext, Stage } from './stages/types.js';
import { TOOL_VERSION, UNDICI_VERSION } from './version.js';
import type { KeepaliveSection } from './net/keepalive/section.js';
import { commandParams, type CommandProxy } from './commands/params.js';
import type { GatewaySection } from './net/gateway/section.js';
import { clockMs } from './clock.js';

export interface DoctorOptions {
  env: Record<string, string | undefined>;
  apiKey?: string;
  keySource: string;
  /** PEM text of --ca, already read. */
  ca?: string;
  /** --cert/--key, already read. */
  clientCert?: { cert: string; key: string };
  interrupt?: AbortSignal;
  events?: RunnerEvents;
  /** The stages to run (tests may pass a subset). */
  stages?: readonly Stage[];
  redactor?: Redactor;
  /** --reuse: the keep-alive pool shared by the samples of a sampled run (sample/pool.ts). */
  pool?: RunContext['pool'];
}

/** Placeholder values the catalogue may use in any entry, from the target. */
export function targetParams(config: Config, proxy?: CommandProxy): Record<string, string | number> {
  const t = config.target;
  const hostPort = `${formatHost(t.host)}:${t.port}`;
  return { host: t.host, port: t.port, hostPort, url: t.url, scheme: t.scheme, provider: config.provider, sniArg: isIP(t.host) ? '' : ` -servername ${t.host}`, ...commandParams(config, proxy) };
}

/** Close the connections stages left open for the next one (when none took them). */
function releaseHandoffs(state: RunContext['state']): void {
  state.handoff?.close();
  state.handoff = undefined;
  state.tcpHandoff?.socket.destroy();
  state.tcpHandoff = undefined;
}

export async function runDoctor(config: Config, opts: DoctorOptions): Promise<Report> {
  const startedAt = new Date();
  const t0 = clockMs();
  const redactor = opts.redactor ?? new Redactor();
  redactor.add(opts.apiKey);
  const ctx: RunContext = {
    config,
    env: opts.env,
    apiKey: opts.apiKey,
    redactor,
    state: { ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...(opts.clientCert ? { clientCert: opts.clientCert } : {}) },
    now: clockMs,
    results: {},
    ...(opts.pool ? { pool: opts.pool } : {}),
  };
  const runnerOpts = { budgetMs: config.timeoutMs, interrupt: opts.interrupt, events: opts.events };
  // The HTTP request's parser compiles on another thread while the stages before it run (plain
  // http; an https run starts it in the tls stage, beside the roots Node parses there).
  if (config.target.scheme === 'http' && (opts.stages ?? STAGES).some((s) => s.id === 'http')) warmParser();
  const run = await runStages([...(opts.stages ?? STAGES)], ctx, runnerOpts);
  // The connections the tcp and tls stages left for the next, when nothing took them, close now.
  releaseHandoffs(ctx.state);

  // --compare-direct: the same stages once more without the proxy; attribution is pure (compare-direct.ts).
  let compare: CompareSection | undefined;
  if (config.compareDirect && ctx.state.proxy && !run.interrupted) {
    const directCtx: RunContext = {
      ...ctx,
      config: { ...config, proxy: undefined, noProxy: true, compareDirect: false },
      state: { ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...(opts.clientCert ? { clientCert: opts.clientCert } : {}) },
      results: {},
    };
    const direct = await runStages([...(opts.stages ?? STAGES)], directCtx, { ...runnerOpts, events: undefined });
    releaseHandoffs(directCtx.state);
    run.interrupted ||= direct.interrupted;
    try {
      const directComposition = compose(direct.findings, targetParams(config));
      const proxied = compose(run.findings, targetParams(config, ctx.state.proxy));
      const a = attribute(ctx.state.proxy.display, run.findings, { ...proxied, internalError: run.internalErrors.length > 0 }, { ...directComposition, internalError: direct.internalErrors.length > 0 });
      run.findings = a.findings;
      compare = { proxy: ctx.state.proxy.display, outcome: a.outcome, proxied: a.proxied, direct: { ...a.direct, stages: direct.stages, diagnoses: directComposition.diagnoses } };
    } catch (err) {
      run.internalErrors.push({ stage: 'tool', message: `--compare-direct: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  // --keepalive: the idle-connection probe after the stages (src/net/keepalive/step.ts).
  let keepalive: KeepaliveSection | { skipped: string } | undefined;
  if (config.keepalive && !run.interrupted) {
    const { keepaliveSkipReason, runKeepaliveStep } = await import('./net/keepalive/step.js');
    const skip = keepaliveSkipReason(ctx);
    if (skip) keepalive = { skipped: skip };
    else {
      try {
        const k = await runKeepaliveStep(ctx, opts.interrupt);
        keepalive = k.section;
        run.findings.push(...k.findings);
        if (opts.interrupt?.aborted) run.interrupted = true;
      } catch (err) {
        run.internalErrors.push({ stage: 'http', message: `--keepalive: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }

  // --gateway: checks of the reverse proxy in front of the API, after the stages (src/net/gateway/step.ts).
  let gateway: GatewaySection | { skipped: string } | undefined;
  if (config.gateway && !run.interrupted) {
    const { gatewaySkipReason, runGatewayStep } = await import('./net/gateway/step.js');
    const skip = gatewaySkipReason(ctx);
    if (skip) gateway = { skipped: skip };
    else {
      try {
        const g = await runGatewayStep(ctx, opts.interrupt);
        gateway = g.section;
        run.findings.push(...g.findings);
        if (opts.interrupt?.aborted) run.interrupted = true;
      } catch (err) {
        run.internalErrors.push({ stage: 'http', message: `--gateway: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }

  const internalErrors: InternalError[] = [...run.internalErrors];
  let composition;
  try {
    composition = compose(run.findings, targetParams(config, ctx.state.proxy));
  } catch (err) {
    internalErrors.push({ stage: 'tool', message: err instanceof Error ? err.message : String(err) });
    composition = { diagnoses: [], rootCause: undefined };
  }
  noteRestOfPath(composition.diagnoses, run.stages);
  const t = config.target;
  const proxy = ctx.state.proxy;
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'upstream-doctor', version: TOOL_VERSION },
    target: {
      input: t.input,
      url: t.url,
      host: t.host,
      port: t.port,
      provider: config.provider,
      via: proxy ? 'proxy' : 'direct',
      ...(proxy ? { proxy: proxy.display } : {}),
    },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(clockMs() - t0),
    verdict: verdictOf(composition.diagnoses, internalErrors.length > 0),
    exitCode: 0,
    interrupted: run.interrupted,
    stages: run.stages,
    diagnoses: composition.diagnoses,
    ...(composition.rootCause ? { rootCause: composition.rootCause } : {}),
    ...(internalErrors.length > 0 ? { internalErrors } : {}),
    ...(compare ? { compare } : {}),
    ...(keepalive ? { keepalive } : {}),
    ...(gateway ? { gateway } : {}),
    host: { hostname: hostname(), node: process.version, undici: UNDICI_VERSION, platform: `${process.platform}-${process.arch}` },
    key: opts.apiKey ? { source: opts.keySource, fingerprint: fingerprint(opts.apiKey) } : null,
  };
  report.exitCode = exitCodeFor(report, config.strict);
  // Last line of defence: no secret survives in the report, whatever a server echoed.
  return redactor.scrubValue(report);
}
