/**
 * A streaming request refused with an HTTP status (429, 404, 413, 403 ...) after the key check had
 * passed: the classic case is a key that may list models but not generate (no quota, a model or
 * deployment it cannot use), or a gateway whose body limit the chat request exceeds. What came
 * back is an HTTP answer, so the http stage's rules read it (attribution first, then status and
 * body) exactly as they read the key check's answer: 413 -> REQUEST_TOO_LARGE, an unknown model ->
 * NOT_FOUND, 401/403/429 as usual, anything else HTTP_ERROR_STATUS. A status means the same in
 * every stage; STREAM_NOT_SSE is left for a 2xx that is not an event stream.
 */
import { classifyResponse } from '../diagnose/http/response-rules.js';
import { bodyInWords, describeBody } from '../diagnose/stream/body.js';
import { scrubEcho, scrubHeaders } from '../net/http/redact.js';
import type { StreamObservation } from '../net/stream/observation.js';
import type { StreamRequest } from '../net/stream/probe.js';
import type { Finding, RunContext } from './types.js';

/** The http rules' finding for a refused streaming request, or undefined (a 2xx, or no answer). */
export function refusalFinding(ctx: RunContext, o: StreamObservation, req: StreamRequest): Finding | undefined {
  if (o.status === undefined || o.status < 300) return undefined;
  const body = describeBody(o.headers['content-type'], o.bodyPrefix);
  const t = ctx.config.target;
  const f = classifyResponse({
    status: o.status,
    headers: scrubHeaders(o.allHeaders ?? o.headers, ctx.redactor, ctx.apiKey),
    body: scrubEcho(o.bodyPrefix, ctx.redactor, ctx.apiKey),
    host: t.host,
    provider: ctx.config.provider,
    https: t.scheme === 'https',
    keySent: ctx.apiKey !== undefined,
    viaProxy: ctx.state.proxy !== undefined,
    elapsedMs: o.headersAt ?? 0,
    nowMs: Date.now(),
  });
  if (!f) return undefined;
  const line = `the streaming request (${req.method} ${req.path.split('?')[0]}) got HTTP ${o.status} with ${o.headers['content-type'] ?? 'no content-type'} (${bodyInWords(body)}), although the key check before it had passed`;
  return { ...f, evidence: [line, ...f.evidence], details: { ...f.details, streamStatus: o.status } };
}
