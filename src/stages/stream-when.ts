/**
 * Whether the stream stage runs, and the key it may send, apart from the stage itself (stream.ts),
 * so a run loads the streaming probe only when the stage will run (stages/index.ts).
 */
import { INSECURE_KEY_FLAG, plaintextLeavesHost } from '../net/http/request.js';
import type { RunContext, SkipDecision } from './types.js';

const KEYLESS_OK = new Set(['openai-compatible', 'generic']);

/**
 * The key the streaming request may carry: the http stage's rule, applied again so the stream
 * never sends what the key check withheld (no key over plain http that leaves this machine
 * unless --allow-insecure-key; none to a `generic` target, whose auth scheme is unknown).
 */
export function keyToSend(ctx: RunContext): { key?: string; withheld?: string } {
  if (ctx.apiKey === undefined) return {};
  if (ctx.config.provider === 'generic') return { withheld: 'a generic target gets no key' };
  if (plaintextLeavesHost(ctx) && !ctx.config.allowInsecureKey) {
    return { withheld: `the key is not sent over plain http that leaves this machine (${INSECURE_KEY_FLAG} sends it anyway)` };
  }
  return { key: ctx.apiKey };
}

export function streamShouldRun(ctx: RunContext): SkipDecision {
  if (!ctx.config.stream) return { run: false, reason: 'the streaming check runs only with --stream' };
  if (!ctx.state.httpOk) return { run: false, reason: 'the http stage did not get a successful answer' };
  if (!ctx.state.endpoint) return { run: false, reason: 'no address to connect to' };
  const { key, withheld } = keyToSend(ctx);
  if (!key && !KEYLESS_OK.has(ctx.config.provider)) {
    if (withheld) return { run: false, reason: `${withheld}, and ${ctx.config.provider} refuses a streaming request without one` };
    return { run: false, reason: `no API key: ${ctx.config.provider} refuses a streaming request without one (it spends a few tokens)` };
  }
  return { run: true };
}
