/**
 * The stream stage (--stream): the provider's smallest streaming request over the chosen path,
 * with the headers real SDKs send (so compression that buffers breaks the probe as it breaks
 * them), timed event by event, then judged by the stream rules.
 *
 * Keys: the cloud providers refuse a request without one, so the stage is skipped without a key.
 * `openai-compatible` and `generic` targets are often self-hosted servers (Ollama, vLLM, LM Studio)
 * that need none: there the check runs keyless, and a 401 is reported as what came instead.
 * The key goes only where the http stage's key check sent it (never over plain http that leaves
 * this machine without --allow-insecure-key). A refusal the http rules can name (quota, rate
 * limit, unknown model, a gateway's 5xx) is reported by its http code (see stream-refusal.ts).
 *
 * data: request {method, path, model}, status, headers (the buffering-related ones), timings
 * {connect, headers, firstByte, firstEvent, firstContent, terminal, total} (ms since the request
 * was sent; connect before it), gaps {maxMs, medianMs}, events, comments, rawBytes, decodedBytes,
 * reads, terminalEvent (true/false), end (how reading ended), idleBudgetMs, buffering (the rule's
 * figures), arrivals [{at, chunk, kind}] (at most 200: the timeline the arrival strip draws).
 */
import { ownerFromProviderEdge } from '../diagnose/accuracy/own-host.js';
import { headerSignatures } from '../diagnose/http/intermediary-signatures.js';
import { extraHeaders } from '../curlopts/options.js';
import { profileFor, providerContext, requestHeaders } from '../providers/index.js';
import { judgeStream } from '../diagnose/stream/rules.js';
import { probeStream, type StreamRequest } from '../net/stream/probe.js';
import { refusalFinding } from './stream-refusal.js';
import type { StreamObservation } from '../net/stream/observation.js';
import { plaintextLeavesHost } from '../net/http/request.js';
import { TOOL_VERSION } from '../version.js';
import type { RunContext, Stage, StageOutcome } from './types.js';
import { keyToSend, streamShouldRun } from './stream-when.js';
import { withoutUrlKeys } from '../redact/url-key.js';
import { scrubEcho } from '../net/http/redact.js';

/** Providers whose servers are often self-hosted and keyless. */

/**
 * The idle budget: the whole of the stage's remaining time (less a moment, so the idle verdict
 * comes before the runner's deadline), at most 60 s. Half the budget called a stream stalled that
 * a buffering proxy held back and then delivered whole well within --timeout.
 */
export function idleBudgetFor(remainingMs: number): number {
  return Math.round(Math.min(60_000, Math.max(500, remainingMs - IDLE_MARGIN_MS)));
}
const IDLE_MARGIN_MS = 150;

function buildRequest(ctx: RunContext): { req: StreamRequest; shownHeaders: Record<string, string>; model?: string; terminator: { data?: string; event?: string } } {
  const profile = profileFor(ctx.config.provider);
  const insecure = plaintextLeavesHost(ctx) && !ctx.config.allowInsecureKey;
  const target = insecure ? { ...ctx.config.target, query: withoutUrlKeys(ctx.config.target.query) } : ctx.config.target;
  const probe = profile.streamRequest(providerContext(target, ctx.config.model));
  const headers: Record<string, string> = {
    'user-agent': `upstream-doctor/${TOOL_VERSION}`,
    accept: 'text/event-stream',
    'accept-encoding': 'gzip, deflate, br',
    'cache-control': 'no-cache',
    ...requestHeaders(profile, keyToSend(ctx).key),
  };
  for (const [k, v] of Object.entries(probe.headers ?? {})) headers[k.toLowerCase()] = v;
  Object.assign(headers, extraHeaders(ctx.config.headers, plaintextLeavesHost(ctx) && !ctx.config.allowInsecureKey));
  const req: StreamRequest = { method: probe.method, path: probe.path, headers };
  // The head as sent, for -v: the profile's auth headers and secret -H headers replaced, every other value scrubbed.
  const secret = new Set([...Object.keys(requestHeaders(profile, keyToSend(ctx).key)).map((h) => h.toLowerCase()), ...(ctx.config.headers ?? []).filter((h) => h.secret).map((h) => h.name.toLowerCase())]);
  const shownHeaders = (): Record<string, string> => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, secret.has(k) ? '[REDACTED]' : scrubEcho(v, ctx.redactor, ctx.apiKey)]));
  if (probe.body !== undefined) {
    req.body = JSON.stringify(probe.body);
    headers['content-type'] ??= 'application/json';
  }
  const model = (probe.body as { model?: unknown } | undefined)?.model;
  return { req, shownHeaders: shownHeaders(), ...(typeof model === 'string' ? { model } : {}), terminator: profile.streamTerminator };
}

function gaps(o: StreamObservation): { maxMs: number; medianMs: number } | undefined {
  const at = o.sse.arrivals.map((a) => a.at);
  if (at.length < 2) return undefined;
  const g = at.slice(1).map((t, i) => t - at[i]!).sort((a, b) => a - b);
  return { maxMs: round(g[g.length - 1]!), medianMs: round(g[Math.floor(g.length / 2)]!) };
}

const fmt = (ms: number | undefined) => (ms === undefined ? '-' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function summaryOf(o: StreamObservation, codes: string[], terminated: boolean): string {
  const g = gaps(o);
  const token = o.sse.firstContentAt !== undefined ? `first token after ${fmt(o.sse.firstContentAt)}` : 'no token';
  const base = `${o.sse.events} events in ${fmt(o.end.at)}, ${token}${g ? `, max gap ${fmt(g.maxMs)}` : ''}`;
  if (codes.length > 0) return `${codes.join(', ')}: ${o.status === undefined ? `no response (${o.end.kind})` : base}`;
  if (o.end.kind === 'deadline') return `still streaming when the budget ran out: ${base}`;
  if (o.end.kind === 'aborted') return `stopped before any response header: the run was interrupted or the budget ran out while connecting (${fmt(o.connectMs)})`;
  if (o.end.kind === 'limit') return `stopped reading: the stream grew past what the check reads (${o.decodedBytes} bytes${o.sse.overflow ? ', one line without end' : ''}): ${base}`;
  const finish = o.sse.finish ? ` (finish reason ${o.sse.finish})` : '';
  return `${base}, ${terminated ? 'ended with its terminal event' : 'ended'}${finish}`;
}

export const streamStage: Stage = {
  id: 'stream',
  shouldRun: streamShouldRun,

  async run(ctx, signal, deadline): Promise<StageOutcome> {
    const { req, shownHeaders, model, terminator } = buildRequest(ctx);
    const idleBudgetMs = idleBudgetFor(deadline - ctx.now());
    const o = await probeStream(ctx, signal, req, { terminator, idleBudgetMs });
    // Gemini's stream has no terminal event: a clean end after a finish reason is its terminal.
    const terminatorless = terminator.data === undefined && terminator.event === undefined;
    if (terminatorless && o.end.kind === 'complete' && o.sse.finish !== undefined) o.sse.terminalAt = o.end.at;
    const verdict = judgeStream(o);
    // A refused streaming request (status >= 300) is judged by the http rules; NOT_SSE is for a 2xx only.
    const refused = refusalFinding(ctx, o, req);
    if (refused) verdict.findings = [refused];
    // A stall on a provider's own name, nothing of the user's between: the provider's edge, not "your gateway".
    for (const f of verdict.findings) ownerFromProviderEdge(f, { host: ctx.config.target.host, https: ctx.config.target.scheme === 'https', viaProxy: ctx.state.proxy !== undefined, hops: headerSignatures(o.headers) });
    const codes = verdict.findings.map((f) => f.code);
    const terminated = o.sse.terminalAt !== undefined;
    const data: Record<string, unknown> = {
      request: { method: req.method, path: scrubEcho(req.path, ctx.redactor, ctx.apiKey), ...(model ? { model } : {}), headers: shownHeaders },
      ...(o.status !== undefined ? { status: o.status } : {}),
      headers: o.headers,
      timings: {
        connect: o.connectMs,
        headers: o.headersAt,
        firstByte: o.firstByteAt,
        firstEvent: o.sse.firstEventAt,
        firstContent: o.sse.firstContentAt,
        terminal: o.sse.terminalAt,
        total: o.end.at,
      },
      ...(gaps(o) ? { gaps: gaps(o) } : {}),
      events: o.sse.events,
      comments: o.sse.comments,
      ...(o.sse.retryMs !== undefined ? { retryMs: o.sse.retryMs } : {}),
      rawBytes: o.rawBytes,
      decodedBytes: o.decodedBytes,
      reads: o.chunks,
      terminalEvent: terminated,
      terminator,
      end: o.end,
      idleBudgetMs,
      ...(o.sse.finish ? { finishReason: o.sse.finish } : {}),
      ...(o.sse.error ? { errorEvent: o.sse.error } : {}),
      ...(o.decodeError ? { decodeError: o.decodeError } : {}),
      ...(verdict.buffering ? { buffering: verdict.buffering } : {}),
      arrivals: o.sse.arrivals.slice(0, 200).map((a) => ({ at: a.at, chunk: a.chunk, kind: a.kind })),
    };
    const status = verdict.findings.length > 0 ? 'fail' : verdict.outOfBudget ? 'warn' : 'pass';
    return { status, summary: summaryOf(o, codes, terminated), data, findings: verdict.findings };
  },
};

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
