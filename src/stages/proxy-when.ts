/**
 * Whether the proxy stage runs, apart from the stage itself (proxy.ts), so a direct run loads no
 * proxy probe (stages/index.ts).
 */
import { firstHop } from './hop.js';
import type { Endpoint, RunContext, SkipDecision } from './types.js';

export function proxyEndpoint(ctx: RunContext): Pick<Endpoint, 'address' | 'port'> | undefined {
  if (ctx.state.endpoint) return ctx.state.endpoint;
  const hop = firstHop(ctx);
  return /^[\d.]+$|:/.test(hop.host) ? { address: hop.host, port: hop.port } : undefined;
}

export function proxyShouldRun(ctx: RunContext): SkipDecision {
  if (!ctx.state.proxy) {
    const reason = (ctx.results.env?.data.proxy as { reason?: string } | undefined)?.reason;
    return { run: false, reason: reason ?? 'direct: no proxy configured' };
  }
  // The tcp stage reports PROXY_UNREACHABLE itself when it cannot connect to the proxy, and the
  // dns stage names the proxy host when it does not resolve: nothing is left to ask here.
  if (ctx.results.tcp?.status === 'fail') return { run: false, reason: `the proxy ${ctx.state.proxy.display} could not be reached (tcp stage)` };
  // The proxy's own name did not resolve: this stage runs only to name the proxy as the cause.
  if (!proxyEndpoint(ctx) && ctx.results.dns?.status !== 'fail') return { run: false, reason: `no address for the proxy ${ctx.state.proxy.display} (dns stage)` };
  return { run: true };
}
