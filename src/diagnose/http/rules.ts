/**
 * The http stage's decisions (pure): what a response or its absence means, the clock check,
 * and the refusal to send a key over plain http. Rules fire only on evidence that exists.
 */
import type { Finding } from '../../stages/types.js';
import { classifyResponse, type ResponseEvidence } from './response-rules.js';
import { classifyTransport, type TransportEvidence } from './transport-rules.js';

export type { ResponseEvidence } from './response-rules.js';
export type { TransportEvidence, ExchangePhase } from './transport-rules.js';

/** More than this between the server's Date and the local clock is worth a warning. */
export const CLOCK_SKEW_LIMIT_S = 60;

/** CLOCK_SKEW when the server's Date header is more than a minute off the local clock. */
export function clockSkew(dateHeader: string | undefined, localMs: number): Finding | undefined {
  if (!dateHeader) return undefined;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return undefined;
  // Date has one-second resolution: allow for it before comparing.
  const skew = (localMs - server) / 1000;
  if (Math.abs(skew) <= CLOCK_SKEW_LIMIT_S + 1) return undefined;
  const ahead = skew > 0;
  return {
    code: 'CLOCK_SKEW',
    evidence: [`the server's Date was ${dateHeader}; the local clock was ${new Date(localMs).toISOString()}: local clock ${ahead ? 'ahead' : 'behind'} by ${Math.round(Math.abs(skew))} s`],
    details: { skewSeconds: Math.round(skew) },
  };
}

/** Where the key was not sent because the connection is plain http to a host that is not loopback. */
export function insecureKeyFinding(host: string, overrideFlag: string): Finding {
  return {
    code: 'KEY_NOT_SENT_INSECURE',
    evidence: [`the target is plain http to ${host}, which is not this machine: the key would cross the network unencrypted, so it was not sent`, `the endpoint was probed without a key instead (${overrideFlag} sends it anyway)`],
    details: { host },
    params: { flag: overrideFlag },
  };
}

export interface ExchangeOutcome {
  response?: ResponseEvidence;
  transport?: TransportEvidence;
}

/** All findings of one exchange, root cause first. */
export function classifyExchange(o: ExchangeOutcome, opts: { keyWithheld: boolean; host: string; overrideFlag: string }): Finding[] {
  const out: Finding[] = [];
  if (o.response) {
    const f = classifyResponse(o.response);
    const withheld = opts.keyWithheld ? insecureKeyFinding(opts.host, opts.overrideFlag) : undefined;
    // A 401 for a key we chose not to send is explained by that choice, not by the endpoint.
    if (withheld && f?.code === 'AUTH_MISSING') {
      out.push({ ...withheld, evidence: [...withheld.evidence, ...f.evidence] });
    } else {
      if (f) out.push(f);
      if (withheld) out.push({ ...withheld, severity: 'warning' });
    }
    const skew = clockSkew(o.response.headers.date, o.response.nowMs);
    if (skew) out.push(skew);
  } else if (o.transport) {
    out.push(classifyTransport(o.transport));
    if (opts.keyWithheld) out.push({ ...insecureKeyFinding(opts.host, opts.overrideFlag), severity: 'warning' });
  }
  return out;
}
