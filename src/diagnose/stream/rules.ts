/**
 * Stream observation -> findings (pure, no prose beyond evidence). Order of precedence, first
 * the one that makes the others moot:
 *   NOT_SSE (there is no stream to judge) → ERROR_EVENT (the provider said why it stopped) →
 *   STALLED (cut or silent: explains the missing terminal event) → TRUNCATED (ended cleanly but
 *   early) → BUFFERED (a complete stream, held back; also reported next to a stall).
 */
import type { Retry, Owner } from '../../report.js';
import type { Finding } from '../../stages/types.js';
import type { StreamObservation } from '../../net/stream/observation.js';
import { assessBuffering, type BufferingAssessment } from './buffering.js';
import { bodyInWords, describeBody } from './body.js';
import { matchGatewayDefault } from '../http/gateway-timeouts.js';

/**
 * The well-known timeout a duration matches (the one table in gateway-timeouts.ts), as the stream
 * rules word it. Silences are measured at the client, so they may fall a little short of the timer.
 */
export function matchTimeout(ms: number): { ms: number; label: string } | undefined {
  const d = matchGatewayDefault(ms, { allowEarly: true });
  return d && { ms: d.seconds * 1000, label: `the ${d.seconds} s default of ${d.who}` };
}

const fmt = (ms: number | undefined) => (ms === undefined ? '-' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function isEventStream(ct: string | undefined): boolean {
  return (ct ?? '').toLowerCase().split(';')[0]!.trim() === 'text/event-stream';
}

/** Evidence lines every stream finding shares: what the headers said about buffering. */
function headerEvidence(o: StreamObservation): string[] {
  const h = o.headers;
  const out: string[] = [];
  if (h['content-encoding']) out.push(`the event stream was compressed (content-encoding: ${h['content-encoding']}); compressors hold small writes back`);
  // A length is known only once the whole body exists: whoever sent it had collected the stream.
  if (h['content-length'] && isEventStream(h['content-type'])) out.push(`the event stream came with content-length: ${h['content-length']}: whatever sent it had the whole body before sending it`);
  for (const name of ['x-accel-buffering', 'via', 'server', 'cache-control', 'x-request-id', 'request-id', 'cf-ray'] as const) if (h[name]) out.push(`${name}: ${h[name]}`);
  return out;
}

/**
 * Who fixes an in-stream error and whether retrying helps, from its type and code (pure). Relays
 * often give only an HTTP status as the code (500, "429"): 429, 408 and 5xx are transient, other
 * 4xx are the request's own fault. Words in the type decide otherwise; the caller's own faults
 * (invalid request, auth, quota) win over transient-sounding words.
 */
export function errorEventAdvice(e: { type?: string; code?: string }): { retry: Retry; owner: Owner } {
  const kind = `${e.type ?? ''} ${e.code ?? ''}`.toLowerCase();
  const status = Number(/\b([45]\d\d)\b/.exec(kind)?.[1] ?? 0);
  const yours = /invalid|auth|permission|not_found|billing|quota|context_length|validation/.test(kind) || (status >= 400 && status < 500 && status !== 408 && status !== 429);
  const transient = /overload|rate|server|api_error|internal|unavailable|timeout|capacity|exhausted/.test(kind) || status >= 500 || status === 408 || status === 429;
  return { retry: yours && !/rate|exhausted/.test(kind) && status !== 429 ? 'no' : transient ? 'yes' : 'once', owner: yours ? 'you' : 'provider' };
}

function errorEventFinding(o: StreamObservation): Finding {
  const e = o.sse.error!;
  const { retry, owner } = errorEventAdvice(e);
  const what = [e.type, e.code].filter(Boolean).join(' / ') || 'unnamed error';
  return {
    code: 'STREAM_ERROR_EVENT',
    evidence: [
      `HTTP ${o.status ?? '?'} stream carried an error event after ${fmt(e.at)}: ${what}${e.message ? ` — "${e.message}"` : ''}`,
      `${o.sse.events} event(s) before and including the error; no terminal event`,
    ],
    details: { errorType: e.type, errorCode: e.code, errorMessage: e.message, atMs: e.at },
    retry,
    owner,
  };
}

/**
 * The budget ran out in silence: the same verdict as the idle timer's. Before the first event,
 * any silence to the end counts (the idle budget is the whole budget); after events, a silence of
 * at least half the budget does (a shorter one is a stream still flowing when time ran out).
 */
function silentAtDeadline(o: StreamObservation): boolean {
  if (o.end.kind !== 'deadline' || o.headersAt === undefined) return false;
  if (o.sse.events === 0) return true;
  return o.end.at - (o.sse.lastEventAt ?? o.headersAt) >= o.idleBudgetMs / 2;
}

function stallFinding(o: StreamObservation): Finding | undefined {
  const end = silentAtDeadline(o) ? { ...o.end, kind: 'idle' as const } : o.end;
  // Idle: silence between events (what the user sees). Cut: silence on the wire (what a proxy's
  // idle timer sees), so it can be matched to the proxy's timeout.
  const last = end.kind === 'idle' ? (o.sse.lastEventAt ?? o.headersAt ?? 0) : (o.lastByteAt ?? o.headersAt ?? 0);
  const silence = Math.max(0, end.at - last);
  let phase: string;
  let line: string;
  if (end.kind === 'idle') {
    phase = o.sse.events > 0 ? 'mid-stream' : 'before-first-event';
    line = `no event arrived for ${fmt(silence)} (idle budget ${fmt(o.idleBudgetMs)}) after ${o.sse.events} event(s); gave up ${fmt(end.at)} after the request`;
  } else if (end.kind === 'cut') {
    phase = o.sse.events > 0 ? 'mid-stream' : 'before-first-event';
    const since = o.lastByteAt !== undefined ? 'the last byte' : 'the headers';
    line = `the connection was cut ${fmt(end.at)} after the request (${end.errorCode ?? 'closed'}), ${fmt(silence)} after ${since}, after ${o.sse.events} event(s) and ${o.rawBytes} body bytes, before the terminal event`;
  } else if (end.kind === 'no-headers' || end.kind === 'failed') {
    phase = 'before-headers';
    line =
      end.kind === 'failed'
        ? `the streaming request failed before any response header after ${fmt(end.at)} (${end.errorCode ?? 'error'})`
        : `no response header within ${fmt(end.at)} of the streaming request (the key check had answered)`;
  } else return undefined;
  const matchedIdle = end.kind === 'failed' ? undefined : matchTimeout(silence);
  const matchedTotal = end.kind === 'failed' ? undefined : matchTimeout(end.at);
  const evidence = [line];
  if (matchedIdle) evidence.push(`${fmt(silence)} of silence matches ${matchedIdle.label}`);
  else if (matchedTotal) evidence.push(`the cut at ${fmt(end.at)} after the request matches ${matchedTotal.label}`);
  if (end.kind === 'idle' && o.sse.comments > 0) evidence.push(`${o.sse.comments} keep-alive comment(s) arrived meanwhile, but no event`);
  // Headers, then not one event for the whole budget: from the client a proxy that buffers the
  // stream until it ends looks exactly like a producer that stalled. Say both, and how to tell.
  const silentFromStart = (end.kind === 'idle' && o.sse.events === 0 && o.headersAt !== undefined) || end.kind === 'no-headers';
  if (end.kind === 'no-headers') {
    evidence.push(
      'the key check on the same path had answered at once, but the streaming request got not even its headers in the whole budget: either an intermediary is buffering the whole response, headers included, until the stream ends (nginx does with its default proxy_buffering), or the producer stalled; this check cannot tell the two apart',
    );
  } else if (silentFromStart) {
    evidence.push(
      o.rawBytes === 0
        ? `the headers came after ${fmt(o.headersAt)} but not one body byte in the whole budget: either an intermediary is buffering the stream until it ends (it would then arrive whole, later), or the producer stalled; this check cannot tell the two apart`
        : `the headers came after ${fmt(o.headersAt)} but no event in the whole budget (${o.rawBytes} body bytes, none an event): either an intermediary is holding the stream back, or the producer stalled`,
    );
  }
  if (o.decodeError) evidence.push(`the body could not be decoded: ${o.decodeError}`);
  const matched = matchedIdle ?? matchedTotal;
  // Keep-alive comments kept coming until the end: the path is alive and passes bytes at once,
  // so the silence is at the producer (the model or the gateway's upstream), not on the way.
  const pathAlive = end.kind === 'idle' && o.sse.comments > 0 && o.lastByteAt !== undefined && end.at - o.lastByteAt < o.idleBudgetMs / 2;
  if (pathAlive) evidence.push(`the last keep-alive came ${fmt(end.at - o.lastByteAt!)} before giving up: the connection was alive, the producer sent no event (a slow or stuck model behind it; a longer --timeout gives it more time)`);
  return {
    ...(pathAlive ? { origin: 'provider' as const, owner: 'provider' as const } : {}),
    code: 'STREAM_STALLED',
    evidence: [...evidence, ...headerEvidence(o)],
    details: {
      phase,
      how: end.kind,
      ...(pathAlive ? { keptAlive: true } : {}),
      ...(silentFromStart && !pathAlive ? { silentFromStart: true, reading: 'buffering-or-stall' } : {}),
      atMs: round(end.at),
      silenceMs: round(silence),
      eventsBefore: o.sse.events,
      ...(end.errorCode ? { errorCode: end.errorCode } : {}),
      ...(matched ? { matchedTimeoutMs: matched.ms, matchedTimeout: matched.label } : {}),
    },
  };
}

function bufferedFinding(o: StreamObservation, b: BufferingAssessment): Finding {
  const evidence = [
    `headers after ${fmt(o.headersAt)}, first event after ${fmt(o.sse.firstEventAt)}, last after ${fmt(b.burstStartMs + b.burstSpanMs)}`,
    b.bursts
      ? `${b.bursts.events} of ${b.events} events arrived in ${b.bursts.reads} bursts of ${Math.round(b.bursts.events / b.bursts.reads)} events on average, a median ${fmt(b.bursts.medianIntervalMs)} apart: released each time a buffer filled, not as produced`
      : `${b.burstEvents} of ${b.events} events arrived in ${b.burstReads} network read(s) (of ${b.reads}), within ${fmt(b.burstSpanMs)}, after a wait of ${fmt(b.burstStartMs)}`,
  ];
  if (b.producedSpanMs !== undefined && b.producedSpanMs > 0) evidence.push(`the events' own timestamps span ${fmt(b.producedSpanMs)}: they were produced over time`);
  return {
    code: 'STREAM_BUFFERED',
    evidence: [...evidence, ...headerEvidence(o)],
    details: { ...b, contentEncoding: o.headers['content-encoding'], xAccelBuffering: o.headers['x-accel-buffering'], via: o.headers.via, server: o.headers.server },
  };
}

export interface StreamVerdict {
  findings: Finding[];
  buffering?: BufferingAssessment;
  /** True when the tool's deadline or body cap ended reading before the stream could finish. */
  outOfBudget: boolean;
}

/** Apply the rules to one observation. */
export function judgeStream(o: StreamObservation): StreamVerdict {
  const ok = o.status !== undefined && o.status >= 200 && o.status < 300;
  if (o.status !== undefined && (!ok || !isEventStream(o.headers['content-type']))) {
    const body = describeBody(o.headers['content-type'], o.bodyPrefix);
    const what = bodyInWords(body);
    return {
      findings: [
        {
          code: 'STREAM_NOT_SSE',
          evidence: [`the streaming request got HTTP ${o.status} with content-type ${o.headers['content-type'] ?? '(none)'}: ${what}`, ...headerEvidence(o)],
          details: { status: o.status, contentType: o.headers['content-type'], body: body.kind, ...(body.label ? { label: body.label } : {}) },
        },
      ],
      outOfBudget: false,
    };
  }
  const findings: Finding[] = [];
  if (o.sse.error) findings.push(errorEventFinding(o));
  const stall = o.sse.error ? undefined : stallFinding(o);
  if (stall) findings.push(stall);
  if (!o.sse.error && !stall && o.end.kind === 'complete' && o.sse.terminalAt === undefined) {
    const lastKind = o.sse.arrivals[o.sse.arrivals.length - 1]?.kind ?? 'none';
    findings.push({
      code: 'STREAM_TRUNCATED',
      evidence: [
        `the body ended cleanly after ${fmt(o.end.at)} and ${o.sse.events} event(s) without the terminal event (last event: ${lastKind})`,
        o.sse.finish ? `the model had reported finish reason "${o.sse.finish}", yet the terminal event never came` : 'no finish reason was seen either',
        ...(o.decodeError ? [`the body could not be decoded: ${o.decodeError}`] : []),
        ...headerEvidence(o),
      ],
      details: { events: o.sse.events, lastEventKind: lastKind, finish: o.sse.finish, atMs: round(o.end.at) },
    });
  }
  const buffering = o.sse.arrivals.length > 0 ? assessBuffering(o.sse.arrivals) : undefined;
  if (buffering?.buffered) findings.push(bufferedFinding(o, buffering));
  // The tool's own limits (its deadline, its body cap) end the check without a verdict on the path.
  const k = o.end.kind;
  return { findings, ...(buffering ? { buffering } : {}), outOfBudget: k === 'deadline' || k === 'limit' || k === 'aborted' };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
