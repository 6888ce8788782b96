/**
 * Catalogue entries of the http stage: transport failures and intermediaries' answers here, the
 * API's own answers (auth, quota, status) in http-api.ts. Prose is the project's own, drawn from
 * the facts in ../shared/reference and ../shared/corpus.
 */
import type { CatalogueEntry } from './types.js';
import { httpApiEntries } from './http-api.js';

const transportEntries: CatalogueEntry[] = [
  {
    code: 'RESET_BEFORE_HEADERS',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'The connection was reset or closed before any response header',
    explanation:
      'The request went out, and the connection died before a status line came back: a TCP RST (something refused to carry on) or a FIN (the peer hung up). The tool opened a fresh connection for the probe, so a stale pooled connection is ruled out for this run; in applications the most common cause is exactly that, a keep-alive connection the server or a middlebox had already dropped (Anthropic closes idle connections after 400 s). A reset that repeats on new connections points at a firewall, a proxy or a server that rejects the request itself.',
    origin: 'unknown',
    owner: 'network',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Retry once on a new connection; if it then works, make your client drop idle pooled connections sooner than the server does (below 300 s, and below 400 s for Anthropic).', command: "new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 }) // undici: setGlobalDispatcher(agent)" },
      { who: 'you', text: 'Capture the exchange to see who sent the RST or FIN, and from which address.', command: 'tcpdump -ni any -w reset.pcap host {host} and port {port}' },
      { who: 'you', text: 'Compare with a direct path (no proxy, another network) to see whether a middlebox is involved.', command: 'curl -sv --noproxy "*" {url}' },
      { who: 'network', text: 'Ask the network team whether a firewall, IDS or TLS inspection device resets connections to this host, and for its logs at the times shown.' },
      { who: 'provider', text: 'If the reset happens on every new connection from several networks, report it to the provider with the times and the bytes written.' },
    ],
    attach: ['the UTC time of the failure', 'RST or FIN, bytes written and read', 'the egress IP address', 'a packet capture if you have one'],
  },
  {
    code: 'HEADERS_TIMEOUT',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'No response header arrived in time',
    explanation:
      'The request was written and the connection stayed open, but no status line came back before the deadline. Either something on the path holds the request (a gateway waiting on a slow or dead upstream, a proxy that buffers), or large packets from the server never arrive (an MTU blackhole: the tool then runs its MTU checks), or the server is simply slower than the budget.',
    origin: 'unknown',
    owner: 'network',
    retry: 'yes',
    steps: [
      { who: 'you', text: 'Run again with a longer budget to tell "slow" from "never".', command: 'diagnose {url} --timeout 60s' },
      { who: 'you', text: 'If not a single byte came back, check for an MTU blackhole (VPNs, tunnels, overlays): lower the MTU and compare.', command: 'diagnose {url} --mtu', unless: ['MTU_RULED_OUT', 'MTU_CHECK_INCONCLUSIVE'] },
      { who: 'gateway', text: 'If a gateway sits in front, ask its operator to check its upstream timeouts and logs for this request.' },
      { who: 'provider', text: 'If the direct path hangs too, check the provider status page and report the request time.' },
    ],
    attach: ['the UTC time', 'bytes written and read', 'the elapsed time before giving up'],
  },
  {
    code: 'HTTP_PROTOCOL_ERROR',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'The answer was not valid HTTP',
    explanation:
      'Something answered on this port, but not with HTTP/1.1: another service (SSH, a database, a TLS port spoken to in plain text), a captive portal, or a broken middlebox. The tool stopped reading at the first byte that could not be HTTP.',
    origin: 'unknown',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Check the scheme and port of the target: https on a TLS port, http on a plain port.', command: 'curl -sv {url}' },
      { who: 'you', text: 'Look at what the port really speaks.', command: 'printf "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n" | nc -w 3 {host} {port} | head -c 300' },
    ],
  },
  {
    code: 'RESPONSE_BODY_INCOMPLETE',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'The response started, but its body never completed',
    explanation:
      'A success status and headers arrived, then the body was cut (the connection closed or was reset before content-length was reached, or a chunked body stopped without its last chunk) or kept trickling until the deadline. Clients then fail with errors like "terminated", "other side closed" or a JSON parse error, although the status said success. Causes: a server or proxy crashing mid-response, an idle or byte-count limit on a middlebox, or a broken server that never ends its body.',
    origin: 'unknown',
    owner: 'network',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Fetch the same URL and watch how the body ends (curl says "transfer closed with N bytes remaining" for a cut body).', command: 'curl -sv -o /dev/null {url}' },
      { who: 'you', text: 'Capture the exchange to see who ends it and when.', command: 'tcpdump -ni any -w body.pcap host {host} and port {port}' },
      { who: 'gateway', text: 'If a proxy sits in front, check its log for upstream errors at that time (nginx: "upstream prematurely closed connection while reading upstream").' },
    ],
    attach: ['the bytes received and the content-length announced', 'the UTC time', 'the server and via headers'],
  },
  {
    code: 'HTTP_TRANSPORT_ERROR',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'The HTTP exchange failed below HTTP',
    explanation:
      'The connection failed in a way the tool has no more specific diagnosis for. The error code in the evidence says what the operating system or the HTTP client reported.',
    origin: 'unknown',
    owner: 'network',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Run again; if it repeats, capture the exchange and look up the error code in the evidence.', command: 'tcpdump -ni any -w http.pcap host {host} and port {port}' },
    ],
  },
];

const gatewayEntries: CatalogueEntry[] = [
  {
    code: 'UPSTREAM_RESET_REPORTED',
    stage: 'http',
    severity: 'error',
    exitCode: 17,
    title: 'An intermediary reports that its upstream connection failed or was reset',
    explanation:
      'A proxy on the path (usually Envoy: "upstream connect error or disconnect/reset before headers") answered for its upstream, because connecting to it failed, timed out, or the connection died before headers. Who must act depends on whose proxy it is: an Envoy next to cf-ray and the provider\'s request-id headers is the provider\'s own edge, an Envoy with no provider marks is your mesh or gateway. The reset reason says which failure: connection failure/refused (upstream down), connection timeout, connection termination (a keep-alive race), overflow (a circuit breaker shedding load), protocol error (HTTP/1 vs HTTP/2 mismatch).',
    origin: 'gateway',
    owner: 'gateway',
    retry: 'yes',
    steps: [
      { who: 'you', text: 'Retry with exponential backoff and jitter, honouring Retry-After; overflow and connection failures are often brief.', command: 'delay = min(30, 0.5 * 2 ** attempt) * (0.5 + random()); sleep(max(delay, retry_after))' },
      { who: 'gateway', text: "If it is your Envoy or Istio mesh: look up the request in the access log (response flags UF, UC, UO, URX) and test the upstream from the proxy's host.", command: 'kubectl logs deploy/<gateway> -c istio-proxy | grep -E " (UF|UC|UO|URX) "' },
      { who: 'gateway', text: 'For connection termination: make the upstream keep idle connections open longer than the proxy does, or lower the proxy\'s idle timeout.', command: 'DestinationRule trafficPolicy.connectionPool.http.idleTimeout: 60s' },
      { who: 'gateway', text: 'For overflow: raise the circuit-breaker limits (max pending requests, max requests) of the upstream cluster.' },
      { who: 'provider', text: "If the provider's edge answered: check its status page and report the times with the request ids and cf-ray." },
    ],
    attach: ['the body of the reply (reset reason and transport failure reason)', 'request ids and cf-ray', 'the UTC time'],
  },
  {
    code: 'GATEWAY_TIMEOUT',
    stage: 'http',
    severity: 'error',
    exitCode: 17,
    title: 'An intermediary timed out waiting for its upstream',
    explanation:
      'A gateway gave up waiting for the upstream\'s response (504, Cloudflare 524, Envoy "upstream request timeout"). LLM requests that generate long answers without streaming often outlast gateway defaults; an elapsed time that matches a default (Envoy 15 s, nginx and ALB 60 s, Cloudflare 100 to 120 s, 300 s idle timeouts) says which hop gave up. Repeating the same request will time out the same way.',
    origin: 'gateway',
    owner: 'gateway',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Use streaming for long generations: the first token arrives within seconds and keeps the connection busy.', command: '{"stream": true}' },
      { who: 'gateway', text: 'nginx: raise the read timeout of the location that proxies the API.', command: 'proxy_read_timeout 300s;\nproxy_send_timeout 300s;' },
      { who: 'gateway', text: 'Envoy or Istio: raise the route timeout (default 15 s).', command: 'route: { timeout: 300s }   # Istio VirtualService: http[].timeout: 300s' },
      { who: 'gateway', text: 'HAProxy: raise the server timeout of the backend.', command: 'timeout server 300s' },
      { who: 'gateway', text: 'AWS ALB: raise the idle timeout of the load balancer (default 60 s).', command: 'aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> --attributes Key=idle_timeout.timeout_seconds,Value=300' },
      { who: 'provider', text: "If the provider's own edge timed out (a 524 at the provider's host), report it with the request id and the time." },
    ],
    attach: ['the elapsed time until the timeout', 'the status and body of the reply', 'request ids and cf-ray'],
  },
  {
    code: 'BAD_GATEWAY',
    stage: 'http',
    severity: 'error',
    exitCode: 17,
    title: 'An intermediary got no valid answer from its upstream',
    explanation:
      'A gateway or load balancer answered that its upstream is unusable: it refused the connection, closed it early, sent something invalid, or there is no healthy upstream at all (502, 503 from a proxy, Cloudflare 520 to 523, 525, 526, Envoy "no healthy upstream"). The gateway is working; what stands behind it is not.',
    origin: 'gateway',
    owner: 'gateway',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Retry once after a short pause; a restarting upstream recovers within seconds.' },
      { who: 'gateway', text: "Check the gateway's error log for this request: nginx says why (connect() failed, upstream prematurely closed, no live upstreams).", command: 'grep -E "upstream|no live" /var/log/nginx/error.log | tail -20' },
      { who: 'gateway', text: "If the upstream is the provider over TLS through nginx, send SNI: a missing server name is a classic cause of 502 from Cloudflare-fronted APIs.", command: 'proxy_ssl_server_name on;\nproxy_ssl_name {host};' },
      { who: 'gateway', text: 'Check that the upstream is listening and healthy from the gateway host.', command: 'curl -sv http://<upstream-host>:<port>/v1/models' },
      { who: 'provider', text: "If the provider's edge answered (Google front end, Cloudflare at the provider's host), check the status page and report the time." },
    ],
    attach: ['the status and the body of the page', 'the server and via headers', 'the UTC time'],
  },
];

export const httpEntries: CatalogueEntry[] = [...transportEntries, ...gatewayEntries, ...httpApiEntries];
