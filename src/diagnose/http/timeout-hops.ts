/**
 * Which hop most likely gave up on a request (pure): the product that wrote the timeout reply when
 * it can be told, else the products whose well-known default the elapsed time matches (preferring
 * ones whose headers are on the path), else the hops seen in the headers. The catalogue shows the
 * configuration steps of these products only.
 */
import { PASS_THROUGH, type Intermediary } from './intermediary-signatures.js';
import { matchGatewayDefault } from './gateway-timeouts.js';

/** The products behind each default in GATEWAY_DEFAULTS (seconds -> hops), where a product has one. */
const HOPS_BY_DEFAULT: Readonly<Record<number, readonly Intermediary[]>> = {
  15: ['envoy'],
  29: ['aws-apigateway'],
  60: ['nginx', 'aws-elb', 'kong'],
  100: ['cloudflare'],
  120: ['cloudflare'],
  300: ['envoy'],
};

/** What the hop guess rests on: who wrote the reply, a matched default, the headers, or nothing. */
export type TimeoutHopBasis = 'writer' | 'default' | 'headers' | 'none';

export interface TimeoutHops {
  /** Candidate hops; `['unknown']` when nothing points at one. */
  hops: string[];
  basis: TimeoutHopBasis;
}

/**
 * @param answeredBy who wrote the reply (attribution), `provider` or `unknown` when no hop could be told
 * @param seen hops whose headers are on the path
 * @param elapsedMs from the request being written to the reply
 */
export function timeoutHops(answeredBy: string, seen: readonly string[], elapsedMs: number): TimeoutHops {
  if (answeredBy !== 'provider' && answeredBy !== 'unknown') return { hops: [answeredBy], basis: 'writer' };
  const d = matchGatewayDefault(elapsedMs);
  const byDefault: readonly string[] = d ? (HOPS_BY_DEFAULT[d.seconds] ?? []) : [];
  const onPath = byDefault.filter((h) => seen.includes(h));
  if (onPath.length > 0) return { hops: onPath, basis: 'default' };
  if (byDefault.length > 0) return { hops: [...byDefault], basis: 'default' };
  // Hops that pass the origin's pages through (Cloudflare, Google's front end, ALB) did not write
  // an unsigned 504 of their own: their headers alone do not name the hop that gave up.
  const own = seen.filter((h) => !(PASS_THROUGH as readonly string[]).includes(h));
  if (own.length > 0) return { hops: own, basis: 'headers' };
  return { hops: ['unknown'], basis: 'none' };
}
