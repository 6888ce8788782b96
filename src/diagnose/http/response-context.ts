/**
 * One HTTP response made ready for the rules (pure): its attribution, its parsed error body, the
 * evidence lines every finding about it carries, and a helper that builds findings.
 */
import type { Origin, Owner, ProviderName, Retry } from '../../report.js';
import { errorText, parseAnyError } from '../../providers/errors.js';
import type { ProviderError } from '../../providers/types.js';
import type { Finding } from '../../stages/types.js';
import { attribute, type Attribution } from './intermediaries.js';

import type { ResponseFacts } from './intermediaries.js';

/** One HTTP response as the http stage saw it. Header names lower-case; body already scrubbed. */
export interface ResponseEvidence extends ResponseFacts {
  /** The start of the body (at most 64 KiB). */
  body: string;
  /** Whether the request carried the key. */
  keySent: boolean;
  /** Whether the request went through a configured forward proxy (a 407 without one is a transparent proxy's). */
  viaProxy?: boolean;
  /** Milliseconds from the request being written to the response headers. */
  elapsedMs: number;
  /** Wall-clock time (epoch ms) when the headers arrived. */
  nowMs: number;
  /** How the body read ended when it did not end cleanly (cut by the peer, or still coming at the deadline). */
  bodyEnd?: BodyEnd;
}

/** An unfinished response body. */
export interface BodyEnd {
  /** The wire fact (closed, reset, other) of the error that ended the read. */
  fact: string;
  code?: string;
  /** True when the stage's deadline ended the read while the body was still coming. */
  timedOut: boolean;
  /** Body bytes received. */
  bytes: number;
  /** Milliseconds from the headers to the end of the read. */
  downloadMs?: number;
  /** The HTTP/1.1 parser's own words, when its refusal ended the read. */
  parserReason?: string;
}

/** One evidence line about an unfinished body. */
export function bodyEndLine(ev: ResponseEvidence): string | undefined {
  const b = ev.bodyEnd;
  if (!b) return undefined;
  const expected = ev.headers['content-length'];
  const after = b.downloadMs !== undefined ? ` ${(b.downloadMs / 1000).toFixed(2)} s after the headers` : '';
  const of = expected !== undefined ? ` of the ${expected} that content-length announced` : '';
  if (b.timedOut) return `the body never finished: ${b.bytes} bytes${of} had arrived when the deadline ended the read${after}`;
  return `the body was cut (${b.code ?? b.fact}) after ${b.bytes} bytes${of}${after}`;
}

/** The shared part of every response finding. */
export interface ResponseContext {
  ev: ResponseEvidence;
  attr: Attribution;
  perr?: ProviderError;
  /** Error words and the start of the body, lower-cased, for family matching. */
  text: string;
  /** Evidence lines every finding of this response carries. */
  base: string[];
  details: Record<string, unknown>;
}

/** Who owns a failure of a hop: the gateway's operator, or the provider for its edge. */
export function ownerOf(origin: Origin): Owner {
  return origin === 'gateway' ? 'gateway' : origin === 'forward-proxy' ? 'network' : origin === 'local' ? 'you' : 'provider';
}

export function finding(c: ResponseContext, code: string, extra: string[], o: { origin?: Origin; owner?: Owner; retry?: Retry; details?: Record<string, unknown> } = {}): Finding {
  const f: Finding = { code, evidence: [...c.base, ...extra], details: { ...c.details, ...(o.details ?? {}) } };
  f.origin = o.origin ?? c.attr.origin;
  if (o.owner) f.owner = o.owner;
  if (o.retry) f.retry = o.retry;
  return f;
}

function firstLine(body: string): string {
  const t = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}

export function responseContext(ev: ResponseEvidence): ResponseContext {
  const attr = attribute({ status: ev.status, headers: ev.headers, body: ev.body, host: ev.host, provider: ev.provider, https: ev.https });
  const perr = parseAnyError(ev.body);
  const text = `${errorText(perr)} ${ev.body.slice(0, 4096).toLowerCase()}`;
  const who = attr.answeredBy === 'provider' ? 'the API' : attr.answeredBy === 'unknown' ? 'an unidentified hop' : attr.answeredBy;
  const base = [`HTTP ${ev.status} written by ${who} (${(ev.elapsedMs / 1000).toFixed(2)} s after the request was sent)`, ...attr.evidence];
  if (perr?.code || perr?.type || perr?.message) {
    base.push(`error body: ${[perr.code, perr.type].filter(Boolean).join(' / ')}${perr.message ? ` "${perr.message.slice(0, 200)}"` : ''}`);
  } else if (ev.body.trim() !== '') base.push(`body starts: "${firstLine(ev.body)}"`);
  else base.push(ev.body === '' ? 'the body is empty' : 'the body is only whitespace');
  const cut = bodyEndLine(ev);
  if (cut) base.push(cut);
  const details: Record<string, unknown> = { status: ev.status, answeredBy: attr.answeredBy };
  if (attr.answeredBy !== 'provider') details.intermediary = attr.answeredBy;
  if (perr?.code) details.errorCode = perr.code;
  if (perr?.type) details.errorType = perr.type;
  return { ev, attr, perr, text, base, details };
}
