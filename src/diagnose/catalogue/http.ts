/**
 * Catalogue entries of the http stage: transport failures here, intermediaries' answers about
 * their upstream in http-gateway.ts, the API's own answers (auth, quota, status) in http-api.ts. Prose is the project's own, drawn from
 * the facts in ../shared/reference and ../shared/corpus.
 */
import type { CatalogueEntry } from './types.js';
import { httpApiEntries } from './http-api.js';
import { gatewayEntries } from './http-gateway.js';

const transportEntries: CatalogueEntry[] = [
  {
    code: 'RESET_BEFORE_HEADERS',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'The connection was reset or closed before any response header',
    explanation:
      'The request went out, and the connection died before a status line came back: a TCP RST (something refused to carry on) or a FIN (the peer hung up). Unless --reuse was given, the tool opened a fresh connection for the probe, so a stale pooled connection is ruled out for this run; in applications the most common cause is exactly that, a keep-alive connection the server or a middlebox had already dropped (Anthropic closes idle connections after 400 s). A reset that repeats on new connections points at a firewall, a proxy or a server that rejects the request itself.',
    origin: 'unknown',
    owner: 'network',
    retry: 'once',
    steps: [
      { who: 'you', text: 'Retry once on a new connection; if it then works, make your client drop idle pooled connections sooner than the server does (below 300 s, and below 400 s for Anthropic).', command: "new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 }) // undici: setGlobalDispatcher(agent)" },
      { who: 'you', text: 'Capture the exchange to see who sent the RST or FIN, and from which address.', command: 'tcpdump -ni any -w reset.pcap host {dialHost} and port {dialPort}' },
      { who: 'you', text: 'Compare with a direct path (no proxy, another network) to see whether a middlebox is involved.', command: '{curl} -sv --noproxy "*" {keyHeaders} {checkUrl}' },
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
      { who: 'you', text: 'Run again with a longer budget to tell "slow" from "never".', command: '{diagnose} --timeout 60s' },
      { who: 'you', text: 'If not a single byte came back, check for an MTU blackhole (VPNs, tunnels, overlays): lower the MTU and compare.', command: '{diagnose} --mtu', unless: ['MTU_RULED_OUT', 'MTU_CHECK_INCONCLUSIVE'] },
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
      'Something answered on this port, but not with valid HTTP/1.1: another service (SSH, a database, a TLS port spoken to in plain text), a captive portal, or a broken middlebox; ' +
      'or an HTTP server whose framing is broken (Content-Length beside Transfer-Encoding, bad chunked encoding, an invalid header), which every strict client refuses. The evidence gives the parser\'s reason.',
    origin: 'unknown',
    owner: 'you',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Check the scheme and port of the target: https on a TLS port, http on a plain port.', command: '{curl} -sv {keyHeaders} {checkUrl}' },
      { who: 'you', text: 'Look at what the port really speaks.', command: 'printf "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n" | nc -w 3 {dialHost} {dialPort} | head -c 300' },
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
      { who: 'you', text: 'Fetch the same URL and watch how the body ends (curl says "transfer closed with N bytes remaining" for a cut body).', command: '{curl} -sv -o /dev/null {keyHeaders} {checkUrl}' },
      { who: 'you', text: 'Capture the exchange to see who ends it and when.', command: 'tcpdump -ni any -w body.pcap host {dialHost} and port {dialPort}' },
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
      { who: 'you', text: 'Run again; if it repeats, capture the exchange and look up the error code in the evidence.', command: 'tcpdump -ni any -w http.pcap host {dialHost} and port {dialPort}' },
    ],
  },
];

export const httpEntries: CatalogueEntry[] = [...transportEntries, ...gatewayEntries, ...httpApiEntries];
