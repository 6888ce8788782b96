/**
 * Catalogue entries for what an intermediary says about its upstream: Envoy's resets, timeouts and
 * bad-gateway answers. Their steps follow the evidence (`when`): the reset family, the hop that
 * timed out, who wrote the 502, and whether that hop is yours or the provider's edge.
 */
import type { CatalogueEntry, StepCondition } from './types.js';

/** The hop is on your side (or could not be placed): its configuration steps make sense. */
const YOURS: StepCondition = { origin: ['gateway', 'unknown'] };
/** The provider's edge (or API) answered: only the provider can act on it. */
const PROVIDERS: StepCondition = { origin: ['provider-edge', 'provider'] };
/** A forward proxy (Squid and kin) wrote the answer: the network team runs it. */
const FORWARD_PROXY: StepCondition = { origin: ['forward-proxy'] };
const proxyLog = { who: 'network' as const, text: "The forward proxy answered for the API: ask the network team for its log of this request (Squid: access.log and cache.log), which says whether it could not connect or gave up waiting.", when: FORWARD_PROXY };
const family = (...f: string[]): StepCondition => ({ detail: 'resetFamily', in: f });
/** A timeout step for these hops; `unknown` hops get the common ones. */
const timedOutAt = (...hops: string[]): StepCondition => ({ detail: 'timeoutHops', in: hops, orMissing: hops.includes('unknown') });
const wroteIt = (...hops: string[]): StepCondition => ({ detail: 'answeredBy', in: hops, orMissing: hops.includes('unknown') });

const upstreamReset: CatalogueEntry = {
  code: 'UPSTREAM_RESET_REPORTED',
  stage: 'http',
  severity: 'error',
  exitCode: 17,
  title: 'An intermediary reports that its upstream connection failed or was reset',
  explanation:
    'A proxy on the path (usually Envoy: "upstream connect error or disconnect/reset before headers") answered for its upstream, because connecting to it failed, timed out, or the connection died before headers. Who must act depends on whose proxy it is: an Envoy next to cf-ray and the provider\'s request-id headers is the provider\'s own edge, an Envoy with no provider marks is your mesh or gateway. The reset reason says which failure: connection failure/refused (upstream down), connection timeout, connection termination (a keep-alive race), overflow (a circuit breaker shedding load), overload manager (the proxy itself short of resources), protocol error (HTTP/1 vs HTTP/2 mismatch), remote reset (the upstream reset the stream).',
  origin: 'gateway',
  owner: 'gateway',
  retry: 'yes',
  steps: [
    { who: 'you', text: 'Retry with exponential backoff and jitter, honouring Retry-After: this kind of failure is often brief.', command: 'delay = min(30, 0.5 * 2 ** attempt) * (0.5 + random()); sleep(max(delay, retry_after))', when: { retry: ['yes', 'once'] } },
    { who: 'you', text: 'For overflow: send fewer requests at once; the circuit breaker opens when too many are pending or in flight on that proxy.', when: family('overflow') },
    { who: 'gateway', text: "If it is your Envoy or Istio mesh: find the request in the access log by its response flag ({envoyFlags}) and test the upstream from the proxy's host.", command: 'kubectl logs deploy/\"$GATEWAY_DEPLOYMENT\" -c istio-proxy | grep -E " ({envoyFlags}) "', when: YOURS },
    { who: 'gateway', text: "For a connection failure: check that the upstream is up and listening on the address and port the cluster points at (refused: nothing listens there; unreachable: routing or a host that is down). The proxy's admin page counts the failures per host.", command: 'curl -s http://localhost:9901/clusters | grep -E "cx_connect_fail|health_flags"   # Istio: port 15000', when: [YOURS, family('connect-failure', 'connect-request')] },
    { who: 'gateway', text: "For a connection timeout: the upstream accepted no connection within the cluster's connect timeout (Envoy 5 s, Istio 10 s by default). Look for an overloaded upstream or a firewall dropping SYNs between the proxy and it; raise the timeout only for a distant upstream.", command: 'cluster: { connect_timeout: 10s }   # Istio DestinationRule: trafficPolicy.connectionPool.tcp.connectTimeout: 10s', when: [YOURS, family('connect-timeout')] },
    { who: 'gateway', text: "For connection termination (a keep-alive race): make the upstream keep idle connections open longer than the proxy does, or lower the proxy's idle timeout below the upstream's.", command: 'DestinationRule trafficPolicy.connectionPool.http.idleTimeout: 60s', when: [YOURS, family('termination')] },
    { who: 'gateway', text: 'For connection termination or a remote reset: let the proxy retry such failures itself, which hides the race from clients.', command: 'retry_policy: { retry_on: "reset,connect-failure,refused-stream", num_retries: 2 }   # Istio VirtualService: retries.retryOn', when: [YOURS, family('termination', 'remote-reset')] },
    { who: 'gateway', text: 'For overflow: raise the circuit-breaker limits of the upstream cluster (max connections, pending requests, requests), or add upstream capacity.', command: 'circuit_breakers: { thresholds: [{ max_connections: 4096, max_pending_requests: 4096, max_requests: 4096 }] }   # Istio: connectionPool.http.http1MaxPendingRequests / http2MaxRequests', when: [YOURS, family('overflow')] },
    { who: 'gateway', text: "For the overload manager: the proxy itself is short of memory or CPU; check its resource use and the overload actions that fired, then give it more resources or more replicas.", command: 'curl -s http://localhost:9901/stats | grep -E "^overload\\."', when: [YOURS, family('overload-manager')] },
    { who: 'gateway', text: 'For a protocol error: make the protocol the proxy speaks to the upstream match what the upstream serves (HTTP/2 to an HTTP/1.1-only server fails this way), and look for invalid response headers from the upstream.', command: 'Istio: name the Service port http (not http2/grpc) or set DestinationRule connectionPool.http.h2UpgradePolicy: DO_NOT_UPGRADE', when: [YOURS, family('protocol-error')] },
    { who: 'gateway', text: "For a remote reset: read the upstream's own log at that time (a crash, a refused request, an HTTP/2 stream limit reached under load).", when: [YOURS, family('remote-reset')] },
    { who: 'gateway', text: "For a local reset: the proxy reset the stream itself; its log at debug level says why (a filter, a local timeout, a shutdown).", when: [YOURS, family('local-reset')] },
    { who: 'gateway', text: "For a TLS transport failure: check the upstream's certificate against the cluster's trusted CA and the SNI the proxy sends.", command: 'openssl s_client -connect "$UPSTREAM_HOST:$UPSTREAM_PORT" -servername "$UPSTREAM_NAME" </dev/null   # from the gateway host', when: [YOURS, { detail: 'transportFamily', in: ['tls'] }] },
    { who: 'provider', text: "The provider's edge answered: check its status page and report the times with the request ids and cf-ray.", when: PROVIDERS },
  ],
  attach: ['the body of the reply (reset reason and transport failure reason)', 'request ids and cf-ray', 'the UTC time'],
};

const gatewayTimeout: CatalogueEntry = {
  code: 'GATEWAY_TIMEOUT',
  stage: 'http',
  severity: 'error',
  exitCode: 17,
  title: 'An intermediary timed out waiting for its upstream',
  explanation:
    'A gateway gave up waiting for the upstream\'s response (504, Cloudflare 524, Envoy "upstream request timeout"). LLM requests that generate long answers without streaming often outlast gateway defaults; an elapsed time that matches a default (Envoy 15 s, AWS API Gateway 29 s, nginx, ALB and Kong 60 s, Cloudflare 100 to 120 s, 300 s idle timeouts) says which hop gave up. A request that is this slow every time will meet the same limit again; one run cannot tell that from an upstream that is only sometimes slow (`--repeat` measures it).',
  origin: 'gateway',
  owner: 'gateway',
  retry: 'no',
  steps: [
    { who: 'you', text: 'Use streaming for long generations: the first token arrives within seconds and keeps the connection busy.', command: '{"stream": true}' },
    { who: 'gateway', text: 'nginx: raise the read timeout of the location that proxies the API (default 60 s).', command: 'proxy_read_timeout 300s;\nproxy_send_timeout 300s;', when: [YOURS, timedOutAt('nginx', 'unknown')] },
    { who: 'gateway', text: 'Envoy or Istio: raise the route timeout (Envoy default 15 s).', command: 'route: { timeout: 300s }   # Istio VirtualService: http[].timeout: 300s', when: [YOURS, timedOutAt('envoy', 'unknown'), { detail: 'envoyReply', in: ['upstream-timeout'], orMissing: true }] },
    { who: 'gateway', text: "Envoy: the route's maximum stream duration ended the request; raise it for the API route.", command: 'route: { max_stream_duration: { max_stream_duration: 600s } }', when: [YOURS, { detail: 'envoyReply', in: ['max-stream-duration'] }] },
    { who: 'gateway', text: 'HAProxy: raise the server timeout of the backend.', command: 'timeout server 300s', when: [YOURS, timedOutAt('haproxy', 'unknown')] },
    { who: 'gateway', text: 'AWS ALB: raise the idle timeout of the load balancer (default 60 s).', command: 'aws elbv2 modify-load-balancer-attributes --load-balancer-arn \"$LOAD_BALANCER_ARN\" --attributes Key=idle_timeout.timeout_seconds,Value=300', when: [YOURS, timedOutAt('aws-elb', 'unknown')] },
    { who: 'gateway', text: 'Kong: raise the read timeout of the service (milliseconds, default 60000).', command: 'curl -X PATCH http://localhost:8001/services/\"$KONG_SERVICE\" --data read_timeout=300000', when: [YOURS, timedOutAt('kong')] },
    { who: 'gateway', text: "Traefik: check the servers transport's forwarding timeouts; a 504 after about 30 s is its dial timeout (the upstream never accepted the connection), a longer one its response header timeout.", command: '--serversTransport.forwardingTimeouts.responseHeaderTimeout=300s', when: [YOURS, timedOutAt('traefik')] },
    { who: 'gateway', text: 'AWS API Gateway: integrations stop at 29 s (HTTP APIs at 30 s); stream or answer asynchronously, or request a longer integration timeout for a regional REST API.', when: [YOURS, timedOutAt('aws-apigateway')] },
    { who: 'gateway', text: "Cloudflare in front of your own gateway waits about 100 s for the origin's answer (a 524 then): stream, or on an Enterprise plan raise the proxy read timeout.", when: [YOURS, timedOutAt('cloudflare')] },
    proxyLog,
    { who: 'provider', text: "The provider's own edge timed out: report it with the request id and the time.", when: PROVIDERS },
  ],
  attach: ['the elapsed time until the timeout', 'the status and body of the reply', 'request ids and cf-ray'],
};

const badGateway: CatalogueEntry = {
  code: 'BAD_GATEWAY',
  stage: 'http',
  severity: 'error',
  exitCode: 17,
  title: 'An intermediary got no valid answer from its upstream',
  explanation:
    'A gateway or load balancer answered that its upstream is unusable: it refused the connection, closed it early, sent something invalid, or there is no healthy upstream at all (502, 503 from a proxy, Cloudflare 520 to 523, 525, 526, Envoy "no healthy upstream", Traefik "no available server"). The gateway is working; what stands behind it is not.',
  origin: 'gateway',
  owner: 'gateway',
  retry: 'once',
  steps: [
    { who: 'you', text: 'Retry once after a short pause; a restarting upstream recovers within seconds.', when: { retry: ['yes', 'once'] } },
    { who: 'gateway', text: "nginx: its error log says why for this request (connect() failed, upstream prematurely closed, no live upstreams).", command: 'grep -E "upstream|no live" /var/log/nginx/error.log | tail -20', when: [YOURS, wroteIt('nginx', 'unknown')] },
    { who: 'gateway', text: "nginx in front of a provider over TLS: send SNI, a missing server name is a classic cause of 502 from Cloudflare-fronted APIs.", command: 'proxy_ssl_server_name on;\nproxy_ssl_name {host};', when: [YOURS, wroteIt('nginx', 'unknown')] },
    { who: 'gateway', text: 'Envoy: see which hosts of the cluster are unhealthy and why (health check, outlier ejection).', command: 'curl -s http://localhost:9901/clusters | grep health_flags   # Istio: istioctl proxy-config endpoints \"$POD\"', when: [YOURS, wroteIt('envoy')] },
    { who: 'gateway', text: 'HAProxy: see the state of the backend servers and their last health check.', command: 'echo "show servers state" | socat stdio /run/haproxy/admin.sock', when: [YOURS, wroteIt('haproxy')] },
    { who: 'gateway', text: "Traefik: check the service's servers and their health check status; \"no available server\" means every one failed it, and its log at debug level says why forwarding failed.", command: 'curl -s http://localhost:8080/api/http/services', when: [YOURS, wroteIt('traefik')] },
    { who: 'gateway', text: 'AWS ALB: check the health of the target group behind the load balancer.', command: 'aws elbv2 describe-target-health --target-group-arn \"$TARGET_GROUP_ARN\"', when: [YOURS, wroteIt('aws-elb')] },
    { who: 'gateway', text: "Cloudflare in front of your origin: make sure the origin is up and accepts Cloudflare's address ranges (520 to 523), and that it serves a valid certificate for the name (525, 526).", when: [YOURS, wroteIt('cloudflare')] },
    { who: 'gateway', text: 'Check that the upstream is listening and healthy from the gateway host.', command: 'curl -sv "http://$UPSTREAM_HOST:$UPSTREAM_PORT/v1/models"   # from the gateway host', when: YOURS },
    proxyLog,
    { who: 'provider', text: "The provider's edge answered (Google front end, Cloudflare at the provider's host): check the status page and report the time.", when: PROVIDERS },
  ],
  attach: ['the status and the body of the page', 'the server and via headers', 'the UTC time'],
};

export const gatewayEntries: CatalogueEntry[] = [upstreamReset, gatewayTimeout, badGateway];
