/**
 * `--gateway` as a step of the run (doctor.ts), after the stages, as `--keepalive` is: it needs
 * the address, proxy tunnel and verified TLS the stages chose. Its findings are http-stage codes;
 * its data is the report's `gateway` section. The rate-limit burst goes last, so that a limiter it
 * trips does not answer the other checks.
 *
 * Budget: each request waits at most the --timeout budget; the WebSocket check adds --ws-idle.
 */
import { gatewayFindingOwner } from '../../diagnose/accuracy/own-host.js';
import { gatewayFindings } from '../../diagnose/gateway/rules.js';
import type { Finding, RunContext } from '../../stages/types.js';
import { probeBody, probeBurst, probeCors, probeHeaders, probeRedirect, type ProbeEnv } from './probes.js';
import type { GatewaySection } from './section.js';
import { probeWebSocket } from './websocket.js';

export interface GatewayStepResult {
  section: GatewaySection;
  findings: Array<Finding & { stage: 'http' }>;
}

/** Why the checks cannot run on this run's path, or undefined when they can. */
export function gatewaySkipReason(ctx: RunContext): string | undefined {
  if (!ctx.state.endpoint) return 'no address to connect to';
  if (ctx.config.target.scheme === 'https' && !ctx.state.tlsOk) return 'the TLS handshake did not verify: the gateway checks would not know whom they talk to';
  if (!ctx.state.httpAnswered) return 'the http stage got no HTTP answer';
  return undefined;
}

/** The status the key-check path got without a key in the header checks (before the burst). */
function normalStatus(headers: Awaited<ReturnType<typeof probeHeaders>>): number | undefined {
  const r = headers.probes[0]?.reply;
  return r && 'status' in r ? r.status : undefined;
}

export async function runGatewayStep(ctx: RunContext, interrupt?: AbortSignal): Promise<GatewayStepResult> {
  const cfg = ctx.config;
  const g = cfg.gateway!;
  const t0 = ctx.now();
  const signal = interrupt ?? new AbortController().signal;
  const env: ProbeEnv = { ctx, signal, waitMs: cfg.timeoutMs };
  const https = cfg.target.scheme === 'https';
  const skip = (skipped: string) => ({ skipped });

  const redirect = https ? await probeRedirect(env, g.httpPort) : skip('the target is plain http: there is nothing to redirect to');
  const headers = await probeHeaders(env, g.origin);
  const ws = cfg.target.websocket !== undefined;
  // A WebSocket has no preflight (the browser sends Origin with the upgrade) and carries frames, not request bodies.
  const cors = ws ? skip('a WebSocket upgrade has no CORS preflight') : g.origin ? await probeCors(env, g.origin, headers) : skip('no --origin given');
  const body = ws ? skip('a WebSocket carries frames, not request bodies: check the https:// API URL') : await probeBody(env);
  const websocket = cfg.target.websocket
    ? await probeWebSocket(ctx, { idleMs: g.wsIdleMs, waitMs: cfg.timeoutMs, origin: g.origin, signal })
    : skip('the target is not a ws:// or wss:// URL');
  const burst = g.burst === undefined ? skip('no --burst given') : ws ? skip('--burst measures the https:// API URL, not a WebSocket endpoint') : signal.aborted ? skip('interrupted') : await probeBurst(env, g.burst, normalStatus(headers));
  const section: GatewaySection = { redirect, headers, cors, body, websocket, burst, durationMs: Math.round(ctx.now() - t0) };
  const t = cfg.target;
  const edge = gatewayFindingOwner(t.host);
  const findings = gatewayFindings(section, { scheme: t.scheme }).map((f) => ({
    ...f,
    ...(edge && f.owner === undefined ? edge : {}),
    stage: 'http' as const,
    params: { host: t.host, port: t.port, url: t.url.replace(/\/$/, ''), httpPort: g.httpPort, ...(f.params ?? {}) },
  }));
  return { section, findings };
}
