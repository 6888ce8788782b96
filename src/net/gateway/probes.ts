/**
 * The gateway checks that are one or a few plain requests: the http-to-https redirect, the
 * headers of ordinary and error answers (HSTS, security headers), the CORS preflight and CORS on
 * errors, the request-body ladder and the rate-limit burst. None sends the API key: the gateway's
 * behaviour is what is measured, and an unauthenticated request measures it as well.
 */
import type { Socket } from 'node:net';
import type { RunContext } from '../../stages/types.js';
import { connectTcp, openPath } from '../dial.js';
import { planKeyCheck } from '../http/request.js';
import { bodyPlan, hostHeader } from '../mtu/plan.js';
import { openTunnel } from '../proxy/tunnel.js';
import { formatHost } from '../../target.js';
import { TOOL_VERSION } from '../../version.js';
import { exchangeHead, type RawRequest } from './exchange.js';
import type { BodyCheck, BodyRungResult, BurstCheck, CorsCheck, GatewayReply, HeaderCheck, RedirectCheck } from './section.js';

/** Headers the checks read from an answer. */
export const KEPT_HEADERS = [
  'location', 'server', 'content-type', 'retry-after',
  'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy',
  'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-allow-credentials', 'access-control-max-age', 'vary',
] as const;

/**
 * Body sizes of the ladder, bytes: 64 KiB, nginx's 1m default exactly (accepted by it), 4 MiB (a
 * few images as base64), 10 MiB (the reference setup's limit). It stops at the first refusal.
 */
/** Statuses rate limiters answer with: 429 (right), 503 (nginx limit_req's default), 403 (HAProxy's deny default). */
export const LIMIT_STATUSES: readonly number[] = [429, 503, 403];

export const BODY_RUNGS = [65_536, 1_048_576, 4_194_304, 10_485_760] as const;

export interface ProbeEnv {
  ctx: RunContext;
  signal: AbortSignal;
  /** The wait for one answer, ms (the --timeout budget). */
  waitMs: number;
}

const baseHeaders = (): Record<string, string> => ({ 'user-agent': `upstream-doctor/${TOOL_VERSION}`, accept: 'application/json' });

/** The key-check path of the http stage, with any query (the key never goes in these probes). */
export function keyCheckPath(ctx: RunContext): string {
  return planKeyCheck({ ...ctx, apiKey: undefined }).spec.path;
}

const openTarget = (ctx: RunContext) => (signal: AbortSignal) => openPath(ctx, signal);

/** A path under the base path that no API serves: its answer is the gateway's or the API's 404. */
export function missingPath(ctx: RunContext): string {
  return `${ctx.config.target.basePath}/upstream-doctor-gateway-check-404`;
}

/** POST to http://host:httpPort/<key-check path>: does it redirect to https, keeping the method? */
export async function probeRedirect(env: ProbeEnv, httpPort: number): Promise<RedirectCheck> {
  const { ctx } = env;
  const t = ctx.config.target;
  const path = keyCheckPath(ctx);
  const host = `${formatHost(t.host)}${httpPort === 80 ? '' : `:${httpPort}`}`;
  const open = async (signal: AbortSignal): Promise<Socket> => {
    const ep = ctx.state.endpoint!;
    if (!ctx.state.proxy) return connectTcp({ address: ep.address, port: httpPort }, signal);
    const sock = await connectTcp(ep, signal);
    try {
      return (await openTunnel(sock, ctx.state.proxy, { host: t.host, port: httpPort }, signal)).socket;
    } catch (err) {
      sock.destroy();
      throw err;
    }
  };
  const req: RawRequest = { method: 'POST', path, hostHeader: host, headers: baseHeaders(), bodyBytes: 2 };
  const r = await exchangeHead(open, req, env.waitMs, env.signal, KEPT_HEADERS);
  const location = 'status' in r.reply ? r.reply.headers.location : undefined;
  return { url: `http://${host}${path}`, reply: r.reply, ...(location !== undefined ? { location } : {}) };
}

/** The key check without key and a path that does not exist: the answers whose headers are judged. */
export async function probeHeaders(env: ProbeEnv, origin?: string): Promise<HeaderCheck> {
  const { ctx } = env;
  const headers = { ...baseHeaders(), ...(origin ? { origin } : {}) };
  const probes: HeaderCheck['probes'] = [];
  for (const path of [keyCheckPath(ctx), missingPath(ctx)]) {
    const r = await exchangeHead(openTarget(ctx), { method: 'GET', path, hostHeader: hostHeader(ctx), headers }, env.waitMs, env.signal, KEPT_HEADERS);
    probes.push({ path, reply: r.reply });
  }
  return { probes };
}

/** The preflight a browser at `origin` sends before a POST with a key and a JSON body. */
export async function probeCors(env: ProbeEnv, origin: string, headerProbes: HeaderCheck | undefined): Promise<CorsCheck> {
  const { ctx } = env;
  const profile = planKeyCheck({ ...ctx, apiKey: undefined }).profile;
  const path = bodyPlan({ ...ctx, config: { ...ctx.config, mtu: true } }, undefined)?.path ?? keyCheckPath(ctx);
  const authHeader = Object.keys(profile.authHeaders('x'))[0] ?? 'authorization';
  const requestHeaders = [authHeader, 'content-type', ...Object.keys(profile.baseHeaders ?? {})].map((h) => h.toLowerCase()).sort();
  const pre = await exchangeHead(
    openTarget(ctx),
    { method: 'OPTIONS', path, hostHeader: hostHeader(ctx), headers: { ...baseHeaders(), accept: '*/*', origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders.join(',') } },
    env.waitMs,
    env.signal,
    KEPT_HEADERS,
  );
  // The error answer: one of the header probes (sent with the Origin) that got a 4xx/5xx.
  const error = headerProbes?.probes.find((p) => 'status' in p.reply && p.reply.status >= 400);
  return { origin, requestHeaders, preflight: { path, reply: pre.reply }, ...(error ? { error } : {}) };
}

/** Growing POST bodies without key, stopped at the first refusal (413) or cut. */
export async function probeBody(env: ProbeEnv): Promise<BodyCheck> {
  const { ctx } = env;
  const plan = bodyPlan({ ...ctx, config: { ...ctx.config, mtu: true } }, undefined);
  const path = plan?.path ?? keyCheckPath(ctx);
  const headers = { ...baseHeaders(), ...(plan?.headers ?? {}) };
  const rungs: BodyRungResult[] = [];
  for (const bytes of BODY_RUNGS) {
    if (env.signal.aborted) break;
    const r = await exchangeHead(openTarget(ctx), { method: 'POST', path, hostHeader: hostHeader(ctx), headers, bodyBytes: bytes, expectContinue: true }, env.waitMs, env.signal, KEPT_HEADERS);
    // An interrupted rung measured nothing: it is left out, not recorded as a cut.
    if (env.signal.aborted) break;
    const rung: BodyRungResult = 'status' in r.reply
      ? { bytes, result: r.reply.status === 413 ? 'refused' : 'accepted', status: r.reply.status, bodyBytesWritten: r.bodyBytesWritten }
      : { bytes, result: 'cut', failure: r.reply.failure, bodyBytesWritten: r.bodyBytesWritten };
    rungs.push(rung);
    if (rung.result !== 'accepted') break;
  }
  const accepted = rungs.filter((r) => r.result === 'accepted').map((r) => r.bytes);
  const refused = rungs.find((r) => r.result === 'refused');
  return {
    path,
    rungs,
    ...(accepted.length ? { largestAcceptedBytes: Math.max(...accepted) } : {}),
    ...(refused ? { smallestRefusedBytes: refused.bytes } : {}),
    ladderMaxBytes: BODY_RUNGS[BODY_RUNGS.length - 1]!,
  };
}

/** `n` requests at once (at most 10 in flight), the key-check path without key; what came back. */
/**
 * `before`: the status the same request (the key-check path, no key) got earlier in these checks,
 * before any burst: what this gateway answers when no limit is in the way.
 */
export async function probeBurst(env: ProbeEnv, n: number, before?: number): Promise<BurstCheck> {
  const { ctx } = env;
  const path = keyCheckPath(ctx);
  const replies: GatewayReply[] = new Array(n);
  let next = 0;
  const t0 = ctx.now();
  // A request that times out ends the burst: a gateway that hangs says nothing about its limit,
  // and waiting out every request would take N / 10 timeouts.
  let hung = false;
  const worker = async () => {
    while (next < n && !env.signal.aborted && !hung) {
      const i = next++;
      const r = await exchangeHead(openTarget(ctx), { method: 'GET', path, hostHeader: hostHeader(ctx), headers: baseHeaders() }, env.waitMs, env.signal, KEPT_HEADERS);
      if (env.signal.aborted) break;
      replies[i] = r.reply;
      if ('failure' in r.reply && r.reply.failure === 'timeout') hung = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(10, n) }, worker));
  const durationMs = Math.round(ctx.now() - t0);
  const statuses: Record<string, number> = {};
  const answers: Array<{ index: number; status: number; headers: Record<string, string> }> = [];
  replies.forEach((r, index) => {
    if (!r) return;
    const key = 'status' in r ? String(r.status) : 'none';
    statuses[key] = (statuses[key] ?? 0) + 1;
    if ('status' in r) answers.push({ index, status: r.status, headers: r.headers });
  });
  // The limiter's answer: the first status a limiter sends (429; 503 is nginx's default, 403
  // HAProxy's deny) that differs from what the same request normally gets. All 429 from the start:
  // the limit was reached before the burst, and that is still what it answers.
  // The earlier checks may already have used up a tight limit (HAProxy's 10 per 10 s): the burst's
  // own first answer is then the limiter's, and only the earlier answer tells what is normal.
  const baseline = before ?? answers[0]?.status;
  const hit = answers.find((a) => LIMIT_STATUSES.includes(a.status) && a.status !== baseline) ?? (baseline === 429 ? answers[0] : undefined);
  const limited: BurstCheck['limited'] = hit
    ? { status: hit.status, index: hit.index, ...(hit.headers['retry-after'] !== undefined ? { retryAfter: hit.headers['retry-after'] } : {}), ...(hit.headers.server ? { server: hit.headers.server } : {}) }
    : undefined;
  return { requests: n, path, durationMs, statuses, ...(limited ? { limited } : {}) };
}
