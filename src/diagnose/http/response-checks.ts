/**
 * Smaller readings of a response for the rules (pure): the WWW-Authenticate challenge of a 401,
 * whether an intermediary (not the API) wrote the answer, and a 2xx that is not an API answer at
 * all (a captive portal's or web app's HTML where JSON was asked for).
 */
import type { Finding } from '../../stages/types.js';
import { parserReason } from './parser-errors.js';
import { bodyEndLine, finding, responseContext, type ResponseContext, type ResponseEvidence } from './response-context.js';

/** Schemes of a login of the endpoint's own: an API key never travels in them. */
const LOGIN_SCHEMES = /^(basic|digest|negotiate|ntlm)$/i;

/** True when an identified intermediary, not the API, wrote this answer. */
export function hopWrote(c: ResponseContext): boolean {
  return c.attr.answeredBy !== 'provider' && c.attr.answeredBy !== 'unknown';
}

export interface Challenge {
  /** Evidence lines about the challenge and who issued it. */
  lines: string[];
  /** True when the endpoint asks for a login scheme of its own, not for an API key. */
  foreign: boolean;
}

/** What a 401's WWW-Authenticate says (RFC 9110 / RFC 6750), and who asked. */
export function challenge(c: ResponseContext): Challenge {
  const lines: string[] = [];
  const v = c.ev.headers['www-authenticate'];
  if (v !== undefined) lines.push(`the challenge: WWW-Authenticate: ${v.slice(0, 200)}`);
  const scheme = v === undefined ? undefined : /^\s*([A-Za-z][A-Za-z0-9._-]*)/.exec(v)?.[1];
  const foreign = scheme !== undefined && LOGIN_SCHEMES.test(scheme);
  if (foreign) lines.push(`the endpoint asks for ${scheme} credentials, a login of its own, which the request did not carry: an API key is not what it wants`);
  if (hopWrote(c) && c.ev.status === 401) lines.push(`${c.attr.answeredBy} itself answered the 401: the request did not reach the API behind it`);
  return { lines, foreign };
}

function isHtml(ev: ResponseEvidence): boolean {
  return /text\/html/i.test(ev.headers['content-type'] ?? '') || /^\s*<(!doctype html|html)/i.test(ev.body);
}

/**
 * A 2xx HTML page where an API profile asked for JSON: a captive portal, a login wall, or the web
 * front end at the URL given instead of the API. The generic profile asks for the base URL, where
 * a page is a fine answer.
 */
export function notAnApi(ev: ResponseEvidence): Finding | undefined {
  if (ev.provider === 'generic' || !isHtml(ev)) return undefined;
  const c = responseContext(ev);
  const title = /<title[^>]*>([^<]{1,160})<\/title>/i.exec(ev.body)?.[1]?.trim();
  const line = `the ${ev.provider} key check asks for JSON and got an HTML page${title ? ` titled "${title}"` : ''} (content-type ${ev.headers['content-type'] ?? 'not given'}): this is not the API`;
  return finding(c, 'HTTP_NOT_API', [line], { origin: 'unknown', details: { contentType: ev.headers['content-type'], ...(title ? { title } : {}) } });
}

/**
 * A 2xx whose body did not finish: cut by the peer (FIN, RST, fewer bytes than content-length) or
 * still trickling at the deadline. An SDK fails on it as on a reset, so it is a transport failure.
 */
export function bodyIncomplete(ev: ResponseEvidence): Finding | undefined {
  const b = ev.bodyEnd;
  if (!b) return undefined;
  const c = responseContext(ev);
  if (b.code?.startsWith('HPE_')) {
    // Not a cut: the client's parser refused the body's framing (bad chunking and kin).
    const reason = [b.parserReason, parserReason(b.code)].filter(Boolean).join(': ') || `the HTTP/1.1 parser refused the body (${b.code})`;
    return finding(c, 'HTTP_PROTOCOL_ERROR', [`the status and headers came, then the body's framing broke after ${b.bytes} bytes (${b.code}): ${reason}`], {
      origin: 'unknown',
      details: { where: 'body', errorCode: b.code, reason, bytes: b.bytes, transferEncoding: ev.headers['transfer-encoding'], contentLength: ev.headers['content-length'] },
    });
  }
  const how = b.timedOut ? 'stalled' : b.fact === 'reset' ? 'rst' : b.fact === 'closed' ? 'fin' : 'other';
  const extra = [
    b.timedOut
      ? 'the status and headers came, then the body kept the connection busy without ending: a server or proxy that streams without end, or one that stalled mid-body'
      : 'the status and headers came, then the connection ended before the body was complete',
  ];
  return finding(c, 'RESPONSE_BODY_INCOMPLETE', extra, { origin: 'unknown', details: { how, bytes: b.bytes, errorCode: b.code, contentLength: ev.headers['content-length'] } });
}
