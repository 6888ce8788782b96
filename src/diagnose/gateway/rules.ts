/**
 * The gateway section (`--gateway`) -> findings. Pure: no I/O, no prose beyond evidence; the
 * catalogue (catalogue/gateway.ts) holds titles and remediation. Every finding is an http-stage
 * code: the contract's stage ids are fixed, and these are answers of the HTTP layer in front of
 * the API.
 */
import type { Finding } from '../../stages/types.js';
import type { BodyCheck, BurstCheck, CorsCheck, GatewayAnswer, GatewayReply, GatewaySection, HeaderCheck, RedirectCheck, WebSocketCheck } from '../../net/gateway/section.js';
import { allowsOrigin, judgePreflight } from './cors.js';

/** The security headers the reference setup sends on every answer (X-XSS-Protection is obsolete and not asked for). */
export const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy'] as const;

const ran = <T extends object>(c: T | { skipped: string }): c is T => !('skipped' in c);
const answered = (r: GatewayReply): r is GatewayAnswer => 'status' in r;
const mib = (b: number) => (b >= 1_048_576 ? `${Math.round((b / 1_048_576) * 10) / 10} MiB` : `${Math.round(b / 1024)} KiB`);

export interface GatewayRuleContext {
  scheme: 'http' | 'https';
}

export function redirectFindings(r: RedirectCheck): Finding[] {
  if (!answered(r.reply)) return [];
  const s = r.reply.status;
  if (s === 301 || s === 302 || s === 303) {
    return [{ code: 'REDIRECT_DROPS_METHOD', evidence: [`POST ${r.url} was answered ${s}${r.location ? ` to ${r.location}` : ''}: clients follow a ${s} with a GET and no body, so the request is lost (307 and 308 keep the method)`], details: { status: s, location: r.location ?? null }, params: { status: s } }];
  }
  return [];
}

function hstsOk(a: GatewayAnswer): boolean {
  const m = /max-age\s*=\s*"?(\d+)/i.exec(a.headers['strict-transport-security'] ?? '');
  return !!m && Number(m[1]) > 0;
}

export function headerFindings(h: HeaderCheck, c: GatewayRuleContext): Finding[] {
  const answers = h.probes.filter((p) => answered(p.reply)) as Array<{ path: string; reply: GatewayAnswer; method?: string }>;
  if (answers.length === 0) return [];
  const out: Finding[] = [];
  if (c.scheme === 'https') {
    const without = answers.filter((a) => !hstsOk(a.reply));
    if (without.length > 0) {
      const onErrorsOnly = without.length < answers.length;
      out.push({
        code: 'HSTS_MISSING',
        evidence: without.map((a) => `the ${a.reply.status} answer to ${a.method ?? 'GET'} ${a.path} had ${a.reply.headers['strict-transport-security'] ? `Strict-Transport-Security "${a.reply.headers['strict-transport-security']}" without a positive max-age` : 'no Strict-Transport-Security header'}`),
        details: { statuses: without.map((a) => a.reply.status), onErrorsOnly },
      });
    }
  }
  const missing = new Set<string>();
  const byStatus: Record<string, string[]> = {};
  for (const a of answers) {
    const m = SECURITY_HEADERS.filter((n) => a.reply.headers[n] === undefined);
    if (m.length) byStatus[String(a.reply.status)] = m;
    m.forEach((n) => missing.add(n));
  }
  if (missing.size > 0) {
    const present = answers.some((a) => SECURITY_HEADERS.some((n) => a.reply.headers[n] !== undefined));
    out.push({
      code: 'SECURITY_HEADERS_MISSING',
      evidence: Object.entries(byStatus).map(([s, m]) => `the ${s} answer lacked ${m.join(', ')}`),
      details: { missing: [...missing], byStatus, onErrorsOnly: present && Object.keys(byStatus).every((s) => Number(s) >= 400) },
    });
  }
  return out;
}

export function corsFindings(c: CorsCheck): Finding[] {
  const requested = c.requestHeaders;
  const pre = c.preflight.reply;
  if (!answered(pre)) return [];
  const v = judgePreflight(pre.status, pre.headers, c.origin, requested);
  if (!v.ok) {
    const why: Record<NonNullable<typeof v.reason>, string> = {
      status: `the preflight was answered ${pre.status}, not a 2xx`,
      'no-allow-origin': 'the answer had no Access-Control-Allow-Origin header',
      'other-origin': `Access-Control-Allow-Origin was "${pre.headers['access-control-allow-origin']}", not ${c.origin}`,
      method: `Access-Control-Allow-Methods "${pre.headers['access-control-allow-methods']}" does not include POST`,
      headers: `Access-Control-Allow-Headers "${pre.headers['access-control-allow-headers'] ?? ''}" does not list ${(v.missingHeaders ?? []).join(', ')}`,
    };
    return [{
      code: 'CORS_PREFLIGHT_REJECTED',
      evidence: [`OPTIONS ${c.preflight.path} from origin ${c.origin} asking for POST with ${requested.join(', ')}: ${why[v.reason!]}; a browser would block the request`],
      details: { origin: c.origin, status: pre.status, reason: v.reason, ...(v.missingHeaders ? { missingHeaders: v.missingHeaders } : {}) },
      params: { origin: c.origin },
    }];
  }
  if (c.error && answered(c.error.reply) && !allowsOrigin(c.error.reply.headers, c.origin)) {
    return [{
      code: 'CORS_MISSING_ON_ERRORS',
      evidence: [`the preflight from ${c.origin} passed, but the ${c.error.reply.status} answer to GET ${c.error.path} had no Access-Control-Allow-Origin for it: a browser hides that error from the page (it sees only a network error)`],
      details: { origin: c.origin, status: c.error.reply.status },
      params: { origin: c.origin },
    }];
  }
  return [];
}

export function bodyFindings(b: BodyCheck): Finding[] {
  const last = b.rungs[b.rungs.length - 1];
  if (!last || last.result === 'accepted') return [];
  const accepted = b.largestAcceptedBytes;
  const before = accepted !== undefined ? `a ${mib(accepted)} body was accepted; ` : '';
  if (last.result === 'refused') {
    return [{
      code: 'BODY_LIMIT_LOW',
      evidence: [`${before}a ${mib(last.bytes)} POST to ${b.path} was refused with 413 (the ladder goes to ${mib(b.ladderMaxBytes)})`],
      details: { largestAcceptedBytes: accepted ?? null, refusedBytes: last.bytes, refusedBy: 413 },
    }];
  }
  // A cut (reset or close while the body was being written) after smaller bodies passed: a gateway that refuses by hanging up.
  if ((last.failure === 'reset' || last.failure === 'closed') && accepted !== undefined) {
    return [{
      code: 'BODY_LIMIT_LOW',
      evidence: [`${before}a ${mib(last.bytes)} POST to ${b.path} got no answer: the connection was ${last.failure === 'reset' ? 'reset' : 'closed'} after ${mib(last.bodyBytesWritten)} of its body`],
      details: { largestAcceptedBytes: accepted, refusedBytes: last.bytes, refusedBy: last.failure },
    }];
  }
  return [];
}

export function websocketFindings(w: WebSocketCheck): Finding[] {
  // Ctrl-C during the upgrade measured nothing.
  if (w.outcome === 'failed' && /\binterrupted\b/.test(w.failure ?? '')) return [];
  if (w.outcome === 'refused' && (w.status === 401 || w.status === 403) && !w.keySent) return [];
  if (w.outcome !== 'upgraded') {
    const what = w.outcome === 'refused' ? `was answered ${w.status}${w.headers?.server ? ` by ${w.headers.server}` : ''} instead of 101 Switching Protocols` : `got no answer (${w.failure ?? 'failed'})`;
    return [{ code: 'WEBSOCKET_UPGRADE_FAILED', evidence: [`the WebSocket upgrade of ${w.url} ${what}`], details: { status: w.status ?? null, outcome: w.outcome }, params: { wsUrl: w.url } }];
  }
  if (w.idle?.closedAfterSeconds !== undefined) {
    return [{
      code: 'WEBSOCKET_IDLE_CLOSED',
      evidence: [`the upgrade of ${w.url} got 101, and the idle socket (no message, no ping) was closed by the far side after ${w.idle.closedAfterSeconds} s (close code ${w.idle.closeCode}); the check would have waited ${w.idle.targetSeconds} s`],
      details: { idleSeconds: w.idle.closedAfterSeconds, closeCode: w.idle.closeCode ?? null },
      params: { idleSeconds: Math.round(w.idle.closedAfterSeconds) },
    }];
  }
  return [];
}

export function burstFindings(b: BurstCheck): Finding[] {
  const l = b.limited;
  if (!l) return [];
  if (l.status === 429) {
    if (l.retryAfter !== undefined) return [];
    // The right status, but nothing says when to come back: clients fall back to their own backoff or retry at once.
    return [{
      code: 'RATE_LIMIT_NO_RETRY_AFTER',
      evidence: [`${b.requests} requests at once to ${b.path} met the limit from request ${l.index + 1} on: 429${l.server ? ` (server ${l.server})` : ''}, but without a Retry-After header`],
      details: { status: 429, retryAfter: null, intermediary: /nginx/i.test(l.server ?? '') ? 'nginx' : /haproxy/i.test(l.server ?? '') ? 'haproxy' : 'unknown', statuses: b.statuses },
    }];
  }
  const counts = Object.entries(b.statuses).map(([s, n]) => `${n} x ${s}`).join(', ');
  return [{
    code: 'RATE_LIMIT_WRONG_STATUS',
    evidence: [`${b.requests} requests at once to ${b.path} got ${counts}: the limit answered ${l.status}${l.server ? ` (server ${l.server})` : ''} from request ${l.index + 1} on, which clients read as ${l.status === 403 ? 'a refusal of their credentials or permissions' : 'an outage'}, not as "slow down"`],
    details: { status: l.status, retryAfter: l.retryAfter ?? null, intermediary: /nginx/i.test(l.server ?? '') ? 'nginx' : /haproxy/i.test(l.server ?? '') ? 'haproxy' : 'unknown', statuses: b.statuses },
  }];
}

export function gatewayFindings(s: GatewaySection, c: GatewayRuleContext): Finding[] {
  return [
    ...(ran(s.redirect) ? redirectFindings(s.redirect) : []),
    // The preflight's answer is judged too: often the one success answer among the error answers of unauthenticated probes.
    ...(ran(s.headers) ? headerFindings(ran(s.cors) ? { probes: [...s.headers.probes, { ...s.cors.preflight, method: 'OPTIONS' }] } : s.headers, c) : []),
    ...(ran(s.cors) ? corsFindings(s.cors) : []),
    ...(ran(s.body) ? bodyFindings(s.body) : []),
    ...(ran(s.websocket) ? websocketFindings(s.websocket) : []),
    ...(ran(s.burst) ? burstFindings(s.burst) : []),
  ].map((f) => ({ ...f, stage: 'http' as const }));
}
