/**
 * Whether the mtu stage runs, apart from the stage itself (mtu.ts), so a run loads the MTU probes
 * only when the stage will run (stages/index.ts).
 */
import { isIP } from '../net/is-ip.js';
import { pinFor } from '../config.js';
import type { Endpoint, RunContext, SkipDecision } from './types.js';

/** The address to probe: the tcp stage's choice, else an IP literal or a --resolve pin (never DNS). */
export function probeEndpoint(ctx: RunContext): Endpoint | undefined {
  if (ctx.state.endpoint) return ctx.state.endpoint;
  const { host, port } = ctx.config.target;
  const family = isIP(host);
  if (family) return { address: host, port, family: family as 4 | 6, source: 'literal' };
  const pin = pinFor(ctx.config.resolve, host, port)?.addresses[0];
  if (pin) return { address: pin, port, family: isIP(pin) as 4 | 6, source: 'pin' };
  return undefined;
}

export function mtuShouldRun(ctx: RunContext): SkipDecision {
  if (!ctx.config.mtu && !ctx.state.stall) return { run: false, reason: 'nothing stalled after a good TCP connect (--mtu runs the checks anyway)' };
  if (ctx.state.proxy) return { run: false, reason: 'the traffic goes through a forward proxy; the probes would measure only the path to it' };
  const { scheme } = ctx.config.target;
  if (scheme === 'http' && !ctx.config.mtu && !ctx.state.httpAnswered) {
    return { run: false, reason: 'over plain http only the request-body ladder applies, and it needs an endpoint that answered (or --mtu)' };
  }
  if (ctx.results.tcp?.status === 'fail') return { run: false, reason: 'the TCP connection failed' };
  if (!probeEndpoint(ctx)) return { run: false, reason: 'no address to probe (the tcp stage chose none)' };
  return { run: true };
}
