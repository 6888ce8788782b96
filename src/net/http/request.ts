/**
 * The key-check request of the http stage: which profile request, which headers, and whether the
 * key may be sent at all (never over plain http to a host that is not this machine).
 */
import { isLoopbackHost } from '../../target.js';
import { profileFor, providerContext, requestHeaders } from '../../providers/index.js';
import type { ProviderProfile } from '../../providers/types.js';
import type { RunContext } from '../../stages/types.js';
import { TOOL_VERSION } from '../../version.js';
import type { ProbeRequestSpec } from './probe.js';
import { extraHeaders } from '../../curlopts/options.js';
import { urlKeys, withoutUrlKeys } from '../../redact/url-key.js';

/** The option that sends the key over plain http anyway. */
export const INSECURE_KEY_FLAG = '--allow-insecure-key';

export interface PlannedRequest {
  profile: ProviderProfile;
  spec: ProbeRequestSpec;
  /** Whether the key goes with the request. */
  keySent: boolean;
  /** Why not, when a key exists but is not sent. */
  keyWithheld?: 'insecure' | 'generic';
  /** The header names that carry the key (values never kept). */
  authHeaderNames: string[];
}

/** Plain http whose bytes leave this machine: to a non-loopback address, or through a proxy. */
export function plaintextLeavesHost(ctx: RunContext): boolean {
  if (ctx.config.target.scheme === 'https') return false;
  if (ctx.state.proxy) return true;
  // Both must be this machine: the name the user gave (a pinned name may be an ssh forward
  // today and a real host tomorrow) and the address actually dialled (`localhost` pinned elsewhere).
  const addr = ctx.state.endpoint?.address ?? ctx.config.target.host;
  return !(isLoopbackHost(ctx.config.target.host) && isLoopbackHost(addr));
}

export function planKeyCheck(ctx: RunContext): PlannedRequest {
  const profile = profileFor(ctx.config.provider);
  const key = ctx.apiKey;
  // A key in the URL is the key too: over plain http that leaves this machine it is left out.
  const urlKeyWithheld = urlKeys(ctx.config.target.query).length > 0 && plaintextLeavesHost(ctx) && !ctx.config.allowInsecureKey;
  const target = urlKeyWithheld ? { ...ctx.config.target, query: withoutUrlKeys(ctx.config.target.query) } : ctx.config.target;
  const req = profile.keyCheck(providerContext(target, ctx.config.model));
  let keyWithheld: PlannedRequest['keyWithheld'];
  if (key !== undefined && profile.name === 'generic') keyWithheld = 'generic';
  else if ((key !== undefined || urlKeyWithheld) && plaintextLeavesHost(ctx) && !ctx.config.allowInsecureKey) keyWithheld = 'insecure';
  const keySent = key !== undefined && keyWithheld === undefined;
  const auth = keySent ? profile.authHeaders(key) : {};
  const headers: Record<string, string> = {
    'user-agent': `upstream-doctor/${TOOL_VERSION}`,
    accept: 'application/json',
    ...requestHeaders(profile, undefined),
    ...auth,
    ...(req.headers ?? {}),
    // -H: the user's headers win, as curl's do; secret ones follow the key's rule for plain http.
    ...extraHeaders(ctx.config.headers, plaintextLeavesHost(ctx) && !ctx.config.allowInsecureKey),
  };
  const spec: ProbeRequestSpec = { method: req.method, path: req.path, headers };
  if (req.body !== undefined) spec.body = JSON.stringify(req.body);
  return { profile, spec, keySent, keyWithheld, authHeaderNames: [...Object.keys(auth), ...(ctx.config.headers ?? []).filter((h) => h.secret && headers[h.name.toLowerCase()] !== undefined).map((h) => h.name.toLowerCase())] };
}
