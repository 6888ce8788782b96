/**
 * The http stage: the provider's cheapest authenticated request (or an unauthenticated probe)
 * over the path the earlier stages chose, and what its answer, or its absence, means.
 *
 * data: { request: {method, path, keySent, keyWithheld?, authHeaders, headers (as sent, credentials [REDACTED])}, status?, httpVersion,
 *   fresh, timings: {connect, tls, request, firstByte, headers, download, total} (ms),
 *   bytesWritten, bytesRead, requestId?, requestIds, server?, via?, headers (scrubbed),
 *   body: {excerpt, bytes, truncated, contentType}, attribution?, error?, attempts,
 *   reusedIdleMs? (--reuse: the first attempt reused a pooled connection idle this long) }
 */
import { ownerFromProviderEdge } from '../diagnose/accuracy/own-host.js';
import { headerSignatures } from '../diagnose/http/intermediary-signatures.js';
import { classifyExchange, type ExchangeOutcome } from '../diagnose/http/rules.js';
import { noKeyFinding } from '../diagnose/key/no-key.js';
import { attribute } from '../diagnose/http/intermediaries.js';
import { probeHttp, type ProbeResult } from '../net/http/probe.js';
import { scrubEcho, scrubHeaders } from '../net/http/redact.js';
import { INSECURE_KEY_FLAG, planKeyCheck, type PlannedRequest } from '../net/http/request.js';
import type { Finding, RunContext, Stage, StageOutcome } from './types.js';
import { keyShapeLine } from '../diagnose/key/finding.js';
import { h2OnlyAfterRetry } from '../diagnose/http/h2-rules.js';

/** How much of a body the report keeps (classification reads up to 64 KiB). */
const EXCERPT = 2048;
/** Headers that say who is on the path, kept under their own names. */
const PATH_HEADERS = ['server', 'via', 'cf-ray', 'x-envoy-upstream-service-time', 'x-cache', 'x-served-by', 'x-amz-cf-id', 'x-ms-region'];

function outcomeOf(ctx: RunContext, plan: PlannedRequest, p: ProbeResult): ExchangeOutcome {
  const t = ctx.config.target;
  if (p.response) {
    return {
      response: {
        status: p.response.status,
        headers: scrubHeaders(p.response.headers, ctx.redactor, ctx.apiKey),
        body: scrubEcho(p.response.body.text, ctx.redactor, ctx.apiKey),
        host: t.host,
        provider: ctx.config.provider,
        https: t.scheme === 'https',
        keySent: plan.keySent,
        viaProxy: ctx.state.proxy !== undefined,
        elapsedMs: p.sinceRequestMs ?? p.timings.total,
        nowMs: p.response.wallMs,
        ...(p.response.body.error ? { bodyEnd: { fact: p.response.body.error.fact, code: p.response.body.error.code, timedOut: p.response.bodyTimedOut === true, bytes: p.response.body.bytes, downloadMs: p.timings.download, ...(p.response.body.error.code?.startsWith('HPE_') ? { parserReason: p.response.body.error.message.replace(/^Response does not match the HTTP\/1\.1 protocol \((.*)\)$/, '$1') } : {}) } } : {}),
      },
    };
  }
  const e = p.error!;
  return {
    transport: {
      fact: e.facts.fact,
      code: e.facts.code,
      codes: e.facts.codes,
      phase: e.phase,
      timedOut: e.timedOut,
      bytesWritten: p.bytesWritten,
      bytesRead: p.bytesRead,
      sinceRequestMs: p.sinceRequestMs,
      sinceStartMs: p.timings.total,
      fresh: p.fresh,
      ...(p.reusedIdleMs !== undefined ? { reusedIdleMs: p.reusedIdleMs } : {}),
      peerFin: p.peerFin,
      ...(e.h2 ? { h2: e.h2 } : {}),
      ...(e.parserReason ? { parserReason: e.parserReason } : {}),
      ...(e.h2FrameOnH1 ? { h2FrameOnH1: true } : {}),
    },
  };
}

function requestIds(plan: PlannedRequest, headers: Record<string, string>): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const h of [...plan.profile.requestIdHeaders, 'x-request-id', 'request-id', 'apim-request-id', 'cf-ray', 'x-amzn-requestid', 'x-amzn-trace-id']) {
    if (headers[h] !== undefined) ids[h] = headers[h]!;
  }
  return ids;
}

function dataOf(ctx: RunContext, plan: PlannedRequest, p: ProbeResult, o: ExchangeOutcome, attempts: number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    request: {
      method: plan.spec.method,
      path: scrubEcho(plan.spec.path, ctx.redactor, ctx.apiKey),
      provider: plan.profile.name,
      keySent: plan.keySent,
      ...(plan.keyWithheld ? { keyWithheld: plan.keyWithheld } : {}),
      authHeaders: plan.authHeaderNames,
      // The head as sent (for -v), credentials replaced: never a key, whole or in part.
      headers: Object.fromEntries(Object.entries(plan.spec.headers).map(([k, v]) => [k, plan.authHeaderNames.includes(k) ? '[REDACTED]' : scrubEcho(v, ctx.redactor, ctx.apiKey)])),
    },
    httpVersion: p.httpVersion,
    fresh: p.fresh,
    ...(p.tlsStageConnection ? { tlsStageConnection: true } : {}),
    timings: p.timings,
    bytesWritten: p.bytesWritten,
    bytesRead: p.bytesRead,
    attempts,
  };
  const r = o.response;
  if (r && p.response) {
    data.status = r.status;
    const ids = requestIds(plan, r.headers);
    data.requestIds = ids;
    const first = plan.profile.requestIdHeaders.find((h) => ids[h] !== undefined);
    if (first) data.requestId = ids[first];
    for (const h of PATH_HEADERS) if (r.headers[h] !== undefined) data[h === 'server' || h === 'via' ? h : h.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = r.headers[h];
    data.headers = r.headers;
    data.body = { excerpt: r.body.slice(0, EXCERPT), bytes: p.response.body.bytes, truncated: p.response.body.truncated, contentType: r.headers['content-type'] };
    if (p.response.body.error) data.bodyError = { code: p.response.body.error.code, fact: p.response.body.error.fact };
    const a = attribute({ status: r.status, headers: r.headers, body: r.body, host: r.host, provider: r.provider, https: r.https });
    data.attribution = { answeredBy: a.answeredBy, origin: a.origin, seen: a.seen, providerSide: a.providerSide };
  } else if (o.transport) {
    data.error = { fact: o.transport.fact, code: o.transport.code, codes: o.transport.codes, phase: o.transport.phase, timedOut: o.transport.timedOut, ...(o.transport.h2 ? { h2: o.transport.h2 } : {}) };
  }
  return data;
}

function summaryOf(plan: PlannedRequest, o: ExchangeOutcome, findings: Finding[]): string {
  const req = `${plan.spec.method} ${plan.spec.path.split('?')[0]}`;
  const key = plan.keySent ? 'with the key' : 'without a key';
  const code = findings[0]?.code;
  if (o.response) {
    const s = o.response.status;
    const ms = Math.round(o.response.elapsedMs);
    if (s >= 200 && s < 300) return `HTTP ${s} in ${ms} ms (${req}, ${key})${code ? `; ${code}` : ''}`;
    return `HTTP ${s} after ${ms} ms (${req}, ${key}): ${code ?? 'error'}`;
  }
  const t = o.transport!;
  return `no response to ${req} (${t.code ?? t.fact} in phase ${t.phase}): ${code ?? 'error'}`;
}

export const httpStage: Stage = {
  id: 'http',
  shouldRun(ctx) {
    if (!ctx.state.endpoint) return { run: false, reason: 'no address to connect to: the tcp stage did not get through' };
    if (ctx.state.proxy && !ctx.state.tunnelOk) return { run: false, reason: 'the proxy did not open a tunnel to the target' };
    if (ctx.config.target.scheme === 'https' && !ctx.state.tlsOk) return { run: false, reason: 'the TLS handshake did not succeed' };
    return { run: true };
  },
  async run(ctx, signal, deadline): Promise<StageOutcome> {
    const plan = planKeyCheck(ctx);
    let probe = await probeHttp(ctx, plan.spec, signal, deadline);
    let attempts = 1;
    // A reset before headers: try once more on a new connection. One retry tells "not every time" from
    // "again", never how often: only a sampled run (--repeat) measures that, so the evidence says just what happened.
    const firstFact = probe.error?.facts.fact;
    const first = probe;
    if (!probe.response && probe.error && !probe.error.timedOut && (firstFact === 'reset' || firstFact === 'closed') && probe.error.phase !== 'connect' && probe.error.phase !== 'tls' && deadline - ctx.now() > 500) {
      probe = await probeHttp(ctx, plan.spec, signal, deadline);
      attempts = 2;
    }
    const outcome = outcomeOf(ctx, plan, probe);
    const opts = { keyWithheld: plan.keyWithheld === 'insecure', host: ctx.config.target.host, overrideFlag: INSECURE_KEY_FLAG };
    let findings = classifyExchange(outcome, opts);
    if (attempts === 2 && probe.response) {
      // The second connection got an answer: a warning beside what the answer means.
      const reset = classifyExchange(outcomeOf(ctx, plan, first), { ...opts, keyWithheld: false })[0]!;
      reset.severity = 'warning';
      reset.retry = 'once';
      reset.evidence.push(`one retry on another new connection got HTTP ${probe.response.status}: the reset does not happen every time; one run cannot say how often (measure it with --repeat 50)`);
      findings = [...findings, reset];
    } else if (attempts === 2 && findings[0]) {
      findings[0].evidence.push('one retry on another new connection failed the same way; two attempts cannot show whether it always fails or how often (measure it with --repeat 50)');
      // One failed retry does not prove retries useless (contract: no such claim from one sample),
      // unless the answer itself says so (an HTTP/2 GOAWAY ENHANCE_YOUR_CALM asks the client to stop).
      if (findings[0].retry !== 'no') findings[0].retry = 'yes';
    }
    // No answer at all to HTTP/1.1 over TLS: a server that speaks only HTTP/2 (HAProxy's `proto h2`)
    // just closes. One request offering h2 alone tells that from a broken server.
    if (!probe.response && probe.error && !probe.error.timedOut && (probe.error.phase === 'wait' || probe.error.phase === 'send') && ctx.config.target.scheme === 'https' && !ctx.config.http2 && deadline - ctx.now() > 500) {
      const viaH2 = await probeHttp(ctx, plan.spec, signal, deadline, { h2Only: true });
      if (viaH2.response && viaH2.httpVersion === '2') findings = [h2OnlyAfterRetry(findings[0], viaH2.response.status)];
    }
    // An HTTP/2 refusal from a provider's own name, nothing of the user's between: the provider's edge.
    for (const f of findings) ownerFromProviderEdge(f, { host: ctx.config.target.host, https: ctx.config.target.scheme === 'https', viaProxy: ctx.state.proxy !== undefined, hops: headerSignatures(probe.response?.headers ?? {}) });
    // Join what the env stage knows: a refused key that is written oddly says so.
    const shape = ctx.state.keyShape;
    if (shape && plan.keySent) {
      for (const f of findings) {
        if (f.code === 'AUTH_INVALID' || f.code === 'FORBIDDEN' || f.code === 'AUTH_MISSING') {
          f.evidence.push(keyShapeLine(shape.issues, shape.where));
          f.details = { ...(f.details ?? {}), keyShape: shape.issues };
        }
      }
    }
    const t0 = ctx.config.target;
    // The catalogue's commands name the target: {host}, {port}, {url}.
    for (const f of findings) f.params = { host: t0.host, port: t0.port, url: t0.url.replace(/\/$/, ''), ...(f.params ?? {}) };
    const st = ctx.state;
    st.httpAnswered = outcome.response !== undefined;
    // A 2xx that is not the API's answer (an HTML page) or whose body broke is no success to build on.
    st.httpOk = outcome.response !== undefined && outcome.response.status >= 200 && outcome.response.status < 300 && !findings.some((f) => f.code === 'HTTP_NOT_API' || f.code === 'RESPONSE_BODY_INCOMPLETE');
    const t = outcome.transport;
    // Raw bytes may be TLS 1.3 session tickets, not a response: any headers timeout is a stall.
    if (t && findings[0]?.code === 'HEADERS_TIMEOUT' && t.sinceRequestMs !== undefined) {
      st.stall = { stage: 'http', code: 'HEADERS_TIMEOUT', afterMs: Math.round(t.sinceRequestMs), bytesWritten: t.bytesWritten, bytesRead: t.bytesRead };
    }
    const errors = findings.filter((f) => (f.severity ?? 'error') === 'error' && f.code !== 'CLOCK_SKEW');
    const status = errors.length > 0 ? 'fail' : findings.length > 0 ? 'warn' : 'pass';
    // Information only: it does not change the stage's status.
    const noKey = noKeyFinding({ provider: ctx.config.provider, keySource: ctx.config.keySource, keyLoaded: ctx.apiKey !== undefined, ok: st.httpOk, codes: findings.map((f) => f.code) });
    if (noKey) findings.push({ ...noKey, params: { host: t0.host, port: t0.port, url: t0.url.replace(/\/$/, ''), ...noKey.params } });
    const data = dataOf(ctx, plan, probe, outcome, attempts);
    // --reuse: the first attempt's pooled connection and its idle time (a retry goes over a new one).
    if (first.reusedIdleMs !== undefined) data.reusedIdleMs = first.reusedIdleMs;
    return { status, summary: summaryOf(plan, outcome, findings), data, findings };
  },
};
