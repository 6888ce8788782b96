/**
 * Catalogue entries of the keep-alive probe (`--keepalive`): the far side's idle timeout, and an
 * idle flow forgotten on the way. Both are http-stage codes: they are about reusing the
 * connections the http stage opens.
 */
import type { CatalogueEntry } from './types.js';

export const keepaliveEntries: CatalogueEntry[] = [
  {
    code: 'STALE_KEEPALIVE',
    stage: 'http',
    severity: 'warning',
    exitCode: 0,
    title: 'The far side closes idle keep-alive connections: client pools that keep them longer will race it',
    explanation:
      'The server, or an intermediary in front of it, ends a keep-alive connection once it has been idle for this long. That is normal; the trouble starts when the client keeps idle connections in its pool for longer. Then, sooner or later, the client picks a pooled connection at the very moment the far side is closing it, writes its request, and gets a reset or an empty close before any header: the intermittent "socket hang up", "ECONNRESET" or "upstream connect error or disconnect/reset before headers" that no single test reproduces. The pool must give up idle connections before the far side does.',
    origin: 'unknown',
    owner: 'you',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Make your client drop idle pooled connections before the far side does, about {clientIdleSeconds} s here (undici / Node fetch):', command: 'setGlobalDispatcher(new Agent({\n  keepAliveTimeout: {clientIdleMs},\n  keepAliveMaxTimeout: {clientIdleMs},\n}));' },
      { who: 'you', text: 'Python httpx (the openai and anthropic Python SDKs take an http_client):', command: 'httpx.Client(limits=httpx.Limits(keepalive_expiry={clientIdleSeconds}))' },
      { who: 'you', text: 'Retry once on a fresh connection when a request on a reused connection fails before any header arrives: the request never reached the application, so an idempotent retry is safe.' },
      { who: 'gateway', text: 'If you run the proxy in front, keep its upstream idle timeout below the upstream server\'s (Envoy: common_http_protocol_options.idle_timeout; nginx: keepalive_timeout in the upstream block), and its client-side keep-alive timeout above your clients\' pool idle time.' },
      { who: 'you', text: 'Measure again after the change.', command: '{diagnose} --keepalive' },
    ],
    attach: ['the measured idle timeout and how the connection was closed (FIN or RST)', 'the client library and its pool settings'],
  },
  {
    code: 'IDLE_CONNECTION_DROPPED',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'An idle connection was silently dropped on the way: its reuse got no answer',
    explanation:
      'A keep-alive connection that nobody closed (no FIN, no RST arrived) stopped carrying traffic after it had been idle: the request written on it got no answer, while a fresh connection to the same address was answered at once. Something on the path forgot the flow without telling either end: a NAT gateway or a stateful firewall whose idle timer expired, a load balancer that dropped the connection from its table. The client then waits until its own timeout (often minutes) and fails with a timeout or a late reset. Neither the client nor the server can see it happen; only shorter idle times or TCP keepalive probes avoid it.',
    origin: 'network',
    owner: 'network',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Make your client drop idle pooled connections before the path forgets them, about {clientIdleSeconds} s here (undici / Node fetch):', command: 'setGlobalDispatcher(new Agent({\n  keepAliveTimeout: {clientIdleMs},\n  keepAliveMaxTimeout: {clientIdleMs},\n}));' },
      { who: 'you', text: 'Or keep the flows alive with TCP keepalive probes more often than the path forgets them (Linux defaults wait two hours before the first probe).', command: 'sysctl -w net.ipv4.tcp_keepalive_time=30 net.ipv4.tcp_keepalive_intvl=10' },
      { who: 'you', text: 'Give requests a first-byte timeout well below the default minutes, so a dead pooled connection fails fast and is retried on a fresh one.' },
      { who: 'network', text: 'Ask the network team which NAT gateway, firewall or load balancer is on the path and what its idle timeout for TCP flows is (cloud NAT gateways commonly forget idle flows after a few minutes); ask them to raise it or to answer with a reset instead of dropping silently.', command: 'conntrack -L -p tcp --dport {dialPort}' },
    ],
    attach: ['the idle time after which reuses fail, and the longest that worked', 'the egress IP address and the NAT or firewall on the path', 'a packet capture of a reuse that hangs (retransmissions with no answer)'],
  },
];
