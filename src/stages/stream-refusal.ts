/**
 * A streaming request refused with an HTTP error (429, 404, 403 ...) after the key check had
 * passed: the classic case is a key that may list models but not generate (no quota, a model or
 * deployment it cannot use). What came back is an HTTP answer, so the http stage's rules read it
 * (attribution first, then status and body) and give the code that names the cause; the stream
 * rules' STREAM_NOT_SSE is kept when those rules have nothing more specific to say, and for a
 * 4xx that is not an API error (an HTML block or login page): there the page's own title says
 * more than a status code, and the http rules would read a web filter's 403 as a key problem.
 */
import { classifyResponse } from '../diagnose/http/response-rules.js';
import { describeBody } from '../diagnose/stream/body.js';
import { scrubEcho, scrubHeaders } from '../net/http/redact.js';
import type { StreamObservation } from '../net/stream/observation.js';
import type { StreamRequest } from '../net/stream/probe.js';
import type { Finding, RunContext } from './types.js';

/** Codes too generic to replace STREAM_NOT_SSE, which already says what came instead. */
const GENERIC = new Set(['HTTP_ERROR_STATUS']);

/** The http rules' finding for a refused streaming request, or undefined (2xx, or nothing specific). */
export function refusalFinding(ctx: RunContext, o: StreamObservation, req: StreamRequest): Finding | undefined {
  if (o.status === undefined || o.status < 300) return undefined;
  const body = describeBody(o.headers['content-type'], o.bodyPrefix).kind;
  const apiAnswer = body === 'json-error' || body === 'json';
  // 413 names its cause whatever the body: a proxy's HTML page (nginx's client_max_body_size) is still a size limit.
  if (!apiAnswer && o.status !== 429 && o.status !== 413 && o.status < 500) return undefined;
  const t = ctx.config.target;
  const f = classifyResponse({
    status: o.status,
    headers: scrubHeaders(o.allHeaders ?? o.headers, ctx.redactor, ctx.apiKey),
    body: scrubEcho(o.bodyPrefix, ctx.redactor, ctx.apiKey),
    host: t.host,
    provider: ctx.config.provider,
    https: t.scheme === 'https',
    keySent: ctx.apiKey !== undefined,
    elapsedMs: o.headersAt ?? 0,
    nowMs: Date.now(),
  });
  if (!f || GENERIC.has(f.code)) return undefined;
  const line = `the streaming request (${req.method} ${req.path.split('?')[0]}) got HTTP ${o.status}, although the key check before it had passed`;
  return { ...f, evidence: [line, ...f.evidence] };
}
