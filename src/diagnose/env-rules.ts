/**
 * Env rules: what the environment says about the run -> findings (pure, no prose beyond evidence).
 * The env stage observes (variables, files); these rules decide what deserves a warning.
 */
import type { ProxyDecision } from '../net/proxy/env.js';
import type { Finding } from '../stages/types.js';

/** The facts the env stage gathered that the rules judge. */
export interface EnvFacts {
  host: string;
  /** True when the target is loopback, private or a single-label name (people list those in NO_PROXY on purpose). */
  hostIsLocal: boolean;
  decision: ProxyDecision;
  /** Same-name variables in both cases with different values; `values` are display-safe (no credentials). */
  conflicts: Array<{ lower: string; upper: string; lowerValue: string; upperValue: string }>;
  /** NODE_TLS_REJECT_UNAUTHORIZED as set, when set. */
  tlsRejectUnauthorized?: string;
}

const PROXY_VARS = new Set(['https_proxy', 'http_proxy', 'all_proxy']);

/** Which variable wins for each conflicting pair, as curl reads them. */
function conflictEvidence(c: EnvFacts['conflicts'][number], decision: ProxyDecision): string {
  const used = decision.from === c.lower ? ' (this run, like curl, uses the lower-case one)' : decision.from === c.upper ? ' (this run uses the upper-case one)' : '';
  // Display values have no credentials: two that print alike differ in the user or password.
  if (c.lowerValue === c.upperValue && PROXY_VARS.has(c.lower)) {
    return `${c.lower} and ${c.upper} both name ${c.lowerValue} but with different credentials (not shown)${used}; tools that read only one spelling authenticate differently`;
  }
  return `${c.lower}=${c.lowerValue} but ${c.upper}=${c.upperValue}${used}; tools that read only one spelling reach a different place`;
}

export function envFindings(f: EnvFacts): Finding[] {
  const out: Finding[] = [];
  for (const c of f.conflicts) {
    out.push({
      code: 'PROXY_ENV_CONFLICT',
      evidence: [conflictEvidence(c, f.decision)],
      details: { kind: PROXY_VARS.has(c.lower) ? 'case-mismatch' : 'no-proxy-case-mismatch', variables: [c.lower, c.upper] },
      params: { lower: c.lower, upper: c.upper },
    });
  }

  const d = f.decision;
  // NO_PROXY sent the run direct although a proxy variable was set: surprising unless the target is
  // something people keep off the proxy on purpose (loopback, private, single-label names).
  if (d.noProxy && !d.proxy && d.from && (d.noProxy.kind === 'wildcard' || !f.hostIsLocal)) {
    out.push({
      code: 'PROXY_ENV_CONFLICT',
      evidence: [`${d.noProxy.variable} entry "${d.noProxy.entry}" covers ${f.host}, so ${d.from} is not used and the connection goes direct`],
      details: { kind: 'no-proxy-covers-target', variable: d.noProxy.variable, entry: d.noProxy.entry, match: d.noProxy.kind, proxyVariable: d.from },
      params: { lower: d.noProxy.variable, upper: d.from },
    });
  }

  // Tools disagree on an https target when only the http variable is set: a network where only the
  // proxy gets out fails for curl and Python while Node code using EnvHttpProxyAgent works.
  if (d.httpProxyOnly && !f.hostIsLocal) {
    out.push({
      code: 'PROXY_ENV_CONFLICT',
      evidence: [`only ${d.httpProxyOnly} is set: curl and Python use it for http:// URLs only, so they (and this run) reach ${f.host} directly, while undici's EnvHttpProxyAgent falls back to it for https:// too`],
      details: { kind: 'http-proxy-only', variable: d.httpProxyOnly },
      params: { lower: d.httpProxyOnly, upper: d.httpProxyOnly.toLowerCase() === d.httpProxyOnly ? 'https_proxy' : 'HTTPS_PROXY' },
    });
  }

  if (d.invalid) {
    out.push({
      code: 'PROXY_ENV_INVALID',
      evidence: [`${d.invalid.from} ${d.invalid.problem}; this run goes direct`],
      details: { variable: d.invalid.from, problem: d.invalid.problem },
      params: { variable: d.invalid.from },
    });
  }

  if (f.tlsRejectUnauthorized === '0') {
    out.push({
      code: 'TLS_VERIFY_DISABLED',
      evidence: ['NODE_TLS_REJECT_UNAUTHORIZED=0 is set: every Node program started from this environment accepts any certificate, including a forged one'],
      details: { variable: 'NODE_TLS_REJECT_UNAUTHORIZED', value: '0' },
    });
  }
  return out;
}
