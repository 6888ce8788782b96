/**
 * A reset or close met by a request on a REUSED pooled connection (--reuse): what matters is how
 * long the connection had sat idle before the request went out on it, not how long the request
 * then waited (pure). A far side that closes idle connections after T seconds races a pool that
 * keeps them T seconds or longer: the request leaves just as the close arrives. The idle time is
 * compared with the well-known keep-alive idle timeouts of servers and gateways (sources: Node's
 * http.Server keepAliveTimeout 5 s; uvicorn's timeout_keep_alive 5 s, which vLLM and FastAPI
 * servers run with; gunicorn's keepalive 2 s; Apache httpd's KeepAliveTimeout 5 s; nginx's
 * keepalive_timeout 75 s; the idle timeouts of gateway-timeouts.ts, such as the AWS ALB's 60 s),
 * and the pools that keep connections that long are named (clients.ts).
 */
import { matchGatewayDefault } from './gateway-timeouts.js';
import { CLIENT_POOL_DEFAULTS } from '../keepalive/clients.js';

export interface IdleDefault {
  seconds: number;
  who: string;
}

export const SERVER_IDLE_DEFAULTS: readonly IdleDefault[] = [
  { seconds: 2, who: "gunicorn's keepalive" },
  { seconds: 5, who: "Node's http.Server keepAliveTimeout, uvicorn's timeout_keep_alive (vLLM, FastAPI) or Apache httpd's KeepAliveTimeout" },
  { seconds: 75, who: "nginx's keepalive_timeout" },
];

/** How close counts as "almost exactly" for an idle time: 10 % or at least 0.3 s above, 0.25 s below (the close was in flight). */
function near(idleS: number, d: number): boolean {
  return idleS >= d - 0.25 && idleS <= d + Math.max(0.3, d * 0.1);
}

/** The well-known idle timeout an idle time matches, if any. */
export function matchIdleDefault(idleMs: number): IdleDefault | undefined {
  const s = idleMs / 1000;
  const server = SERVER_IDLE_DEFAULTS.find((d) => near(s, d.seconds));
  if (server) return server;
  const gw = matchGatewayDefault(idleMs);
  return gw ? { seconds: gw.seconds, who: gw.who } : undefined;
}

const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);

/** Evidence lines about the idle time of the reused connection a request failed on. */
export function reusedIdleEvidence(idleMs: number): string[] {
  const d = matchIdleDefault(idleMs);
  const first = `the connection had sat idle ${secs(idleMs)} s in the pool before this request went out on it`;
  if (d) {
    const pools = CLIENT_POOL_DEFAULTS.filter((c) => c.idleSeconds >= d.seconds).map((c) => c.client);
    return [
      `${first}, which matches the ${d.seconds} s idle timeout of ${d.who}: the far side closed it just as the request was sent (a keep-alive race)`,
      ...(pools.length > 0 ? [`pools that keep idle connections ${d.seconds} s or longer by default race such a server: ${pools.join(', ')}`] : []),
    ];
  }
  if (idleMs < 1000) return [`${first}: too short for any idle timeout, so the server or a hop between dropped a connection that was in use, not an idle one`];
  return [`${first}, which matches no well-known idle timeout: one configured on the far side or a hop between (--keepalive measures it), or a drop of a connection in use`];
}
