/**
 * The keep-alive probe as a step of the run (doctor.ts), after the stages: it needs the path the
 * stages chose and an answered key check, so it runs only when the http stage got an HTTP answer.
 * Its findings are http-stage codes (the contract's stage ids are fixed); its data is the report's
 * `keepalive` section, not part of the http stage's data, so the http stage's timings and budget
 * stay those of one request.
 */
import { keepaliveFindings } from '../../diagnose/keepalive/rules.js';
import type { Finding, RunContext } from '../../stages/types.js';
import { probeKeepalive } from './probe.js';
import type { KeepaliveSection } from './section.js';

export interface KeepaliveStepResult {
  section: KeepaliveSection;
  findings: Array<Finding & { stage: 'http' }>;
}

/** Why the probe cannot run on this run's path, or undefined when it can. */
export function keepaliveSkipReason(ctx: RunContext): string | undefined {
  if (!ctx.state.endpoint) return 'no address to connect to';
  if (!ctx.state.httpAnswered) return 'the http stage got no HTTP answer to reuse a connection after';
  return undefined;
}

export async function runKeepaliveStep(ctx: RunContext, interrupt?: AbortSignal): Promise<KeepaliveStepResult> {
  const cfg = ctx.config;
  const section = await probeKeepalive(ctx, { idleMaxMs: cfg.keepaliveMaxMs ?? cfg.timeoutMs, stageBudgetMs: cfg.timeoutMs, interrupt });
  const t = cfg.target;
  const findings = keepaliveFindings(section, { proxy: ctx.state.proxy?.display }).map((f) => ({
    ...f,
    stage: 'http' as const,
    params: { host: t.host, port: t.port, url: t.url.replace(/\/$/, ''), ...(f.params ?? {}) },
  }));
  return { section, findings };
}
