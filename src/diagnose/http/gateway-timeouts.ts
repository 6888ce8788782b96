/**
 * Well-known timeout defaults of the hops between a client and an LLM API (pure). When a request
 * fails after almost exactly one of these, that hop most likely gave up: evidence, not proof.
 */

export interface GatewayDefault {
  seconds: number;
  /** Which hop and setting has this default. */
  who: string;
}

export const GATEWAY_DEFAULTS: readonly GatewayDefault[] = [
  { seconds: 15, who: "Envoy's default route timeout (Istio, Envoy-based gateways)" },
  { seconds: 29, who: "AWS API Gateway's integration timeout" },
  { seconds: 30, who: "the Google Cloud load balancer's backend service timeout, or Heroku's router" },
  { seconds: 60, who: "nginx's proxy_read_timeout, the AWS ALB idle timeout, Kong's upstream read timeout, or Envoy AI Gateway's request timeout" },
  { seconds: 100, who: "Cloudflare's proxy read timeout (older plans: 524 at 100 s)" },
  { seconds: 120, who: "Cloudflare's proxy read timeout (524 at 120 s)" },
  { seconds: 300, who: "Envoy's stream_idle_timeout or undici's headersTimeout/bodyTimeout" },
  { seconds: 400, who: "Anthropic's edge idle-connection timeout" },
  { seconds: 600, who: "the default timeout of the OpenAI and Anthropic SDKs" },
];

/** How close counts as "almost exactly": 3 % or at least 0.75 s (scheduling, RTT). */
function tolerance(seconds: number): number {
  return Math.max(0.75, seconds * 0.03);
}

/** The default that an elapsed time matches, if any: a little above it is allowed for the round trip, below it only with `allowEarly`. */
export function matchGatewayDefault(elapsedMs: number, opts: { allowEarly?: boolean } = {}): GatewayDefault | undefined {
  const s = elapsedMs / 1000;
  let best: GatewayDefault | undefined;
  let bestDist = Infinity;
  for (const d of GATEWAY_DEFAULTS) {
    const dist = s - d.seconds;
    // A hop cannot give up before its timeout: allow only a small early margin (clock granularity).
    // A silence measured at the client starts later than the hop's timer (the last bytes were in
    // flight), so it may look shorter by up to the tolerance: `allowEarly`.
    const early = opts.allowEarly ? tolerance(d.seconds) : 0.25;
    if (dist < -early || dist > tolerance(d.seconds)) continue;
    if (Math.abs(dist) < bestDist) {
      best = d;
      bestDist = Math.abs(dist);
    }
  }
  return best;
}

/** One evidence line about an elapsed time, matched or not. */
export function timingEvidence(elapsedMs: number, what: string): string {
  const s = (elapsedMs / 1000).toFixed(1);
  const d = matchGatewayDefault(elapsedMs);
  if (d) return `${what} after ${s} s, which matches the ${d.seconds} s default of ${d.who}`;
  return `${what} after ${s} s, which matches no well-known default: a timeout configured on that hop, or the upstream itself`;
}
