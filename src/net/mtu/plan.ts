/**
 * What the mtu stage's HTTP probes send, planned from the run: the stalled request to repeat (a
 * download stall) and where the request-body ladder posts. Kept apart from the stage so the stage
 * only decides when to run and what to report.
 */
import { isIP } from '../is-ip.js';
import { profileFor, providerContext } from '../../providers/index.js';
import type { RunContext } from '../../stages/types.js';
import { TOOL_VERSION } from '../../version.js';
import { trustedCas } from '../dial.js';
import { planKeyCheck } from '../http/request.js';
import type { BodyProbePlan } from './body.js';
import { httpRequestBytes, type HttpProbeRequest } from './http.js';

/** The Host header for the target (port left out when it is the scheme's default). */
export function hostHeader(ctx: RunContext): string {
  const { host, port, scheme } = ctx.config.target;
  const dflt = scheme === 'https' ? 443 : 80;
  return `${isIP(host) === 6 ? `[${host}]` : host}${port === dflt ? '' : `:${port}`}`;
}

/** The request the http stage sent, to repeat when that is what stalled (https only). */
export function stalledRequest(ctx: RunContext, servername: string | undefined): HttpProbeRequest | undefined {
  if (ctx.state.stall?.stage !== 'http' || ctx.config.target.scheme !== 'https') return undefined;
  const plan = planKeyCheck(ctx).spec;
  return { bytes: httpRequestBytes(plan.method, plan.path, hostHeader(ctx), plan.headers, plan.body), servername, verifyHost: ctx.config.target.host, ca: trustedCas(ctx) };
}

/** Query parameters that may carry a credential: never repeated on an unauthenticated probe. */
const SECRET_PARAM = /^(key|api[-_]?key|access[-_]?token|token|sig|signature)$/i;

function withoutSecrets(path: string, key: string | undefined): string {
  const i = path.indexOf('?');
  if (i < 0) return path;
  const params = new URLSearchParams(path.slice(i + 1));
  for (const [name, value] of [...params]) if (SECRET_PARAM.test(name) || (key !== undefined && value.includes(key))) params.delete(name);
  const q = params.toString();
  return q ? `${path.slice(0, i)}?${q}` : path.slice(0, i);
}

/**
 * Where the body ladder posts: the provider's completion endpoint (it consumes bodies), with the
 * profile's base headers and no credentials. Undefined when the ladder should not run: it needs
 * an endpoint that answered HTTP (or --mtu), and for https a handshake the tls stage verified.
 */
export function bodyPlan(ctx: RunContext, servername: string | undefined): BodyProbePlan | undefined {
  const { scheme } = ctx.config.target;
  if (scheme !== 'https' && scheme !== 'http') return undefined;
  if (!ctx.config.mtu && !ctx.state.httpAnswered) return undefined;
  if (scheme === 'https' && !ctx.state.tlsOk) return undefined;
  const profile = profileFor(ctx.config.provider);
  const req = profile.streamRequest(providerContext(ctx.config.target, ctx.config.model));
  return {
    tls: scheme === 'https',
    servername,
    verifyHost: ctx.config.target.host,
    ca: trustedCas(ctx),
    path: withoutSecrets(req.path, ctx.apiKey),
    hostHeader: hostHeader(ctx),
    headers: { 'user-agent': `upstream-doctor/${TOOL_VERSION}`, accept: 'application/json', ...(profile.baseHeaders ?? {}) },
  };
}
