/**
 * What an HTTP response means (pure): attribution first (who wrote it), then the status and body.
 * One finding per response, carrying origin/owner/retry where the evidence overrides the
 * catalogue's defaults.
 */
import { isUsersOwnHost } from '../accuracy/own-host.js';
import type { Finding } from '../../stages/types.js';
import { matches } from './body-families.js';
import { parseEnvoyBody } from './envoy.js';
import { intermediaryRules } from './intermediary-rules.js';
import { readRateLimit } from './ratelimit.js';
import { statusMeaning } from './status-meanings.js';
import { bodyIncomplete, challenge, hopWrote, notAnApi } from './response-checks.js';
import { finding, ownerOf, responseContext, type ResponseContext, type ResponseEvidence } from './response-context.js';

export type { ResponseEvidence } from './response-context.js';

/** Classify one non-2xx response; undefined for a success. */
export function classifyResponse(ev: ResponseEvidence): Finding | undefined {
  const s = ev.status;
  if (s >= 200 && s < 300) return notAnApi(ev) ?? bodyIncomplete(ev);
  const c = responseContext(ev);
  if (s >= 300 && s < 400) {
    const loc = ev.headers.location;
    return finding(c, 'HTTP_REDIRECT', [loc ? `redirect to ${loc.slice(0, 300)} (not followed: the key must not go to another host)` : 'a redirect without a Location header'], {
      details: { location: loc },
      owner: 'you',
    });
  }
  // Statuses that mean the same from every hop (407, a missing scope, nginx's limit_req 503).
  const meaning = statusMeaning(c);
  if (meaning) return meaning;
  // Intermediary replies (gateway pages, Envoy resets, 5xx of the edge) before API semantics.
  const envoy = parseEnvoyBody(ev.body);
  const viaHop = intermediaryRules(c, envoy);
  if (viaHop) return viaHop;
  return apiRules(c);
}

/** The API's own answer (or an unidentified hop's), by status and error body. */
function apiRules(c: ResponseContext): Finding {
  const { ev, text } = c;
  const s = ev.status;
  const provider = c.attr.answeredBy === 'provider' || c.attr.answeredBy === 'unknown';
  const authWords = (matches(text, 'authInvalid') || matches(text, 'authMissing')) && !matches(text, 'region');
  if (s === 401 || (s === 403 && authWords) || (s === 400 && /api_key_invalid|api key not valid|api key not found/.test(text))) {
    if (matches(text, 'ipBlocked')) return finding(c, 'FORBIDDEN', ['the endpoint refuses the address this machine connects from'], { owner: 'you', details: { forbiddenBy: 'ip-allowlist' } });
    const ch = challenge(c);
    // authMissing says why no key counted: none sent, a login of the endpoint's own, or one lost on the way.
    if (!ev.keySent) return finding(c, 'AUTH_MISSING', ['no key was sent, and the endpoint asks for one', ...ch.lines], { details: { authMissing: 'not-sent' } });
    if (ch.foreign) return finding(c, 'AUTH_MISSING', ch.lines, { details: { authMissing: 'login' } });
    if (matches(text, 'authMissing')) {
      return finding(c, 'AUTH_MISSING', ['a key was sent, but the endpoint says none arrived: a gateway may strip the header, or the provider profile puts it in the wrong header', ...ch.lines], {
        details: { authMissing: 'lost' },
      });
    }
    return finding(c, 'AUTH_INVALID', ['the key was sent and refused', ...ch.lines]);
  }
  if (matches(text, 'region') && (s === 403 || s === 400 || s === 451)) {
    return finding(c, 'REGION_BLOCKED', ['the provider refuses the country or region of the address this machine egresses from']);
  }
  if ((s === 403 || s === 402 || s === 400) && matches(text, 'quota')) return finding(c, 'QUOTA_EXCEEDED', ['the refusal names quota or billing'], { details: { quota: quotaKind(text) } });
  if (s === 402) return finding(c, 'QUOTA_EXCEEDED', ['402 Payment Required'], { details: { quota: 'billing' } });
  if (s === 403) {
    // forbiddenBy says who refused and why, so the steps address that party only.
    if (matches(text, 'waf')) {
      return finding(c, 'FORBIDDEN', ['a firewall or security policy blocked the request'], { owner: c.attr.providerSide ? 'provider' : hopWrote(c) ? ownerOf(c.attr.origin) : 'network', details: { forbiddenBy: 'waf' } });
    }
    if (hopWrote(c)) {
      return finding(c, 'FORBIDDEN', [`${c.attr.answeredBy} refused the request itself (an access rule, allow-list or WAF of that hop): the API never saw it, so the key is not in question`], {
        owner: ownerOf(c.attr.origin),
        details: { forbiddenBy: 'hop' },
      });
    }
    // An HTML page is not an API's refusal: a web filter or security gateway on the way wrote it.
    const page = /^\s*(<!doctype html|<html)/i.test(ev.body) ? /<title[^>]*>([^<]{1,120})<\/title>/i.exec(ev.body) : undefined;
    if (page !== undefined && !c.attr.providerSide) {
      const title = page?.[1]?.trim();
      return finding(c, 'FORBIDDEN', [`an HTML page${title ? ` titled "${title}"` : ''} answered, not the API's JSON error: a web filter, security gateway or proxy on the way refused the request, so the key is not in question`], {
        origin: 'network',
        owner: 'network',
        details: { forbiddenBy: 'waf', ...(title ? { pageTitle: title } : {}) },
      });
    }
    if (!ev.keySent) return finding(c, 'FORBIDDEN', ['refused without a key'], { details: { forbiddenBy: 'no-key' } });
    return finding(c, 'FORBIDDEN', ['the key was accepted as a key but lacks permission here (project, organisation, model or IP allow-list)'], { details: { forbiddenBy: 'permission' } });
  }
  if (s === 404) return notFound(c);
  // A body limit of a hop (nginx client_max_body_size, an ALB) is its operator's to raise.
  if (s === 413) return finding(c, 'REQUEST_TOO_LARGE', hopWrote(c) ? [`${c.attr.answeredBy} refused the body itself (its own size limit): the API never saw the request`] : [], hopWrote(c) ? { owner: ownerOf(c.attr.origin) } : {});
  if (s === 429) return tooMany(c);
  // A 5xx no one signed (no API error, no hop's page) from a server plainly on the user's side is theirs to fix.
  const own = c.attr.answeredBy === 'unknown' && !c.attr.providerSide && isUsersOwnHost(ev.host, ev.provider);
  if (s === 529 || (s === 503 && provider)) return finding(c, 'OVERLOADED', own ? ['no API error body and no provider edge in the answer: the server that wrote it is on your side (a gateway or a self-hosted model server)'] : [], { owner: own ? 'gateway' : 'provider' });
  if (s === 500 || (s > 500 && s < 600 && provider)) return finding(c, 'SERVER_ERROR', [], { owner: c.attr.origin === 'gateway' || own ? 'gateway' : 'provider' });
  return finding(c, 'HTTP_ERROR_STATUS', [s === 400 && matches(text, 'missingHeader') ? 'the API says a required header is missing: a gateway may strip it' : `status ${s} is not one the tool has a more specific diagnosis for`]);
}

/** Wordings of "no such route" from web frameworks and API servers (Go, Express, FastAPI, OpenAI, LM Studio). */
const NO_ROUTE = /page not found|cannot (get|post)|no route|not found<\/|<html|invalid url|unexpected endpoint|unknown (url|endpoint|route|path)|no (such )?(endpoint|handler)|route .{0,60}not found/i;

function notFound(c: ResponseContext): Finding {
  const model = matches(c.text, 'modelMissing');
  const bare = /^not found\.?$/i.test((c.perr?.message ?? '').trim());
  const kind = model ? 'model' : c.ev.body.trim() === '' || c.attr.answeredBy !== 'provider' || bare || NO_ROUTE.test(c.ev.body) ? 'path' : 'unknown';
  const line =
    kind === 'model'
      ? 'the API says the model or deployment does not exist (the base URL itself is right)'
      : kind === 'path'
        ? 'nothing is served at this path: the base URL is likely wrong (missing or extra /v1, wrong prefix)'
        : 'the API says not found';
  return finding(c, 'NOT_FOUND', [line], { details: { notFound: kind } });
}

/** Which allowance ran out, by the wording: a per-day quota, a zero allowance, or billing and credit. */
function quotaKind(text: string): 'per-day' | 'zero' | 'billing' {
  if (/per ?day|perday/.test(text)) return 'per-day';
  if (/limit: 0\b/.test(text)) return 'zero';
  return 'billing';
}

function tooMany(c: ResponseContext): Finding {
  const rl = readRateLimit(c.ev.headers, c.ev.nowMs, c.perr?.retryDelaySeconds);
  const details: Record<string, unknown> = { rateLimitHeaders: rl.headers };
  if (rl.retryAfterSeconds !== undefined) details.retryAfterSeconds = rl.retryAfterSeconds;
  const extra: string[] = [];
  if (rl.retryAfterSeconds !== undefined) extra.push(`the server says to retry after ${rl.retryAfterSeconds} s (${rl.retryAfterSource})`);
  if (rl.exhausted.length > 0) extra.push(`exhausted limits: ${rl.exhausted.join(', ')}`);
  const text = c.text;
  const gateway = c.attr.origin === 'gateway';
  if (!gateway && matches(text, 'overloaded') && !matches(text, 'quota') && /demand|overload|capacity/.test(text)) {
    return finding(c, 'OVERLOADED', [...extra, 'the 429 says the service is short of capacity, not that you used too much'], { details, owner: 'provider' });
  }
  // Google says "check your plan and billing" for per-minute limits too: a per-minute quota id wins.
  const perMinute = matches(text, 'perMinute');
  const longWait = rl.retryAfterSeconds !== undefined && rl.retryAfterSeconds >= 3600;
  const hardQuota = /insufficient_quota|credit balance|out of credits|payment required|limit: 0\b|per ?day|perday/.test(text) || longWait;
  if (hardQuota || (matches(text, 'quota') && !perMinute)) {
    if (rl.remaining.length > 0) extra.push(`limits with capacity left: ${rl.remaining.join(', ')} (so this is billing or quota, not a burst)`);
    if (longWait) extra.push('a wait of an hour or more means the allowance is effectively zero');
    return finding(c, 'QUOTA_EXCEEDED', extra, { details: { ...details, quota: longWait && !/per ?day|perday/.test(text) ? 'zero' : quotaKind(text) } });
  }
  // rateLimit says which limit: one request too big for the window, a gateway's own, or the provider's window.
  if (matches(text, 'tooLarge')) {
    return finding(c, 'RATE_LIMITED', [...extra, 'one request is larger than the whole per-minute allowance: retrying cannot succeed'], { details: { ...details, rateLimit: 'request-too-large' }, retry: 'no' });
  }
  if (gateway) {
    return finding(c, 'RATE_LIMITED', [...extra, `${c.attr.answeredBy} itself limits the rate (e.g. nginx limit_req, HAProxy rate rules)`], { details: { ...details, rateLimit: 'gateway' }, owner: 'gateway' });
  }
  return finding(c, 'RATE_LIMITED', extra, { details: { ...details, rateLimit: 'provider' } });
}

