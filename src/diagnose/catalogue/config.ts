/**
 * Catalogue of `diagnose lint`: every CONFIG_* code with its prose and, per configuration kind,
 * the fix as a snippet to paste. Kept apart from CATALOGUE because these findings come from a
 * file, not from a stage of a run: they have no stage and their exit code is a linter's (0/1).
 * Prose is the project's own, drawn from ../shared/reference (nginx-ai-api-proxy,
 * upstream-connect-error-guide).
 */
import type { Severity } from '../../report.js';

export type ConfigKindName = 'nginx' | 'envoy' | 'haproxy';

export interface ConfigFix {
  text: string;
  /** The config snippet to paste. */
  command: string;
}

export interface ConfigCatalogueEntry {
  code: string;
  /** Severity when the rule does not say otherwise (a rule raises it when the break is certain). */
  severity: Severity;
  title: string;
  explanation: string;
  /** The probe codes that show the same problem on a live gateway. */
  symptoms: string[];
  fix: Partial<Record<ConfigKindName, ConfigFix>>;
}

export const configEntries: ConfigCatalogueEntry[] = [
  {
    code: 'CONFIG_SSE_BUFFERED',
    severity: 'error',
    title: 'Response buffering is on for a streaming route',
    explanation:
      'The proxy collects the upstream\'s answer before passing it on. For a streamed completion (text/event-stream) the user then ' +
      'sees nothing, and then everything at once; long answers can hit a timeout before the first byte. nginx buffers by default, and ' +
      'with HTTP/1.0 to the upstream (its default too) it holds a stream to its very end.',
    symptoms: ['STREAM_BUFFERED'],
    fix: {
      nginx: {
        text: 'Turn buffering off on the streaming location and speak HTTP/1.1 to the upstream (or have the upstream send X-Accel-Buffering: no).',
        command: 'location /v1/ {\n    proxy_pass http://127.0.0.1:3000;\n    proxy_http_version 1.1;\n    proxy_set_header Connection "";\n    proxy_buffering off;\n    proxy_cache off;\n}',
      },
      envoy: { text: 'Remove the buffer filter from the streaming route (or disable it per route).', command: 'typed_per_filter_config:\n  envoy.filters.http.buffer:\n    "@type": type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute\n    disabled: true' },
    },
  },
  {
    code: 'CONFIG_UPSTREAM_HTTP10',
    severity: 'warning',
    title: 'The proxy talks HTTP/1.0 to the upstream',
    explanation:
      'nginx speaks HTTP/1.0 to upstreams unless told otherwise. That rules out keep-alive (every request opens a new connection, and a new TLS ' +
      'handshake for https upstreams), makes streamed answers depend on the connection closing, and makes WebSocket upgrades impossible.',
    symptoms: ['STREAM_BUFFERED', 'WEBSOCKET_UPGRADE_FAILED'],
    fix: {
      nginx: { text: 'Set HTTP/1.1 on the proxied location (or once at server or http level), and clear the Connection header unless the route upgrades to WebSocket.', command: 'proxy_http_version 1.1;\nproxy_set_header Connection "";' },
    },
  },
  {
    code: 'CONFIG_TIMEOUT_TOO_SHORT',
    severity: 'warning',
    title: 'A timeout of the proxy ({directive}, {seconds} s) is shorter than a long completion',
    explanation:
      'A model that reasons before its first token, or a long answer that is not streamed, can stay silent for minutes. A proxy whose read or ' +
      'route timeout is shorter gives up first: the client gets a 504 (nginx, HAProxy), "upstream request timeout" (Envoy) or a stream cut in the ' +
      'middle, and the tokens are billed anyway. Envoy\'s route timeout counts the whole response, streams included, and is 15 s by default.',
    symptoms: ['GATEWAY_TIMEOUT', 'STREAM_STALLED', 'HEADERS_TIMEOUT'],
    fix: {
      nginx: { text: 'Allow at least five minutes between two reads on routes that call a model (and a day on WebSocket routes).', command: 'proxy_read_timeout 300s;\nproxy_send_timeout 300s;' },
      envoy: { text: 'Give model routes a route timeout of several minutes (0s turns it off) and keep an idle timeout for dead connections.', command: 'route:\n  cluster: llm\n  timeout: 600s\n  idle_timeout: 300s' },
      haproxy: { text: 'Let the server stay silent for minutes before HAProxy gives up (and give WebSocket tunnels their own timeout).', command: 'defaults\n    timeout server 300s\n    timeout tunnel 1h' },
    },
  },
  {
    code: 'CONFIG_BODY_LIMIT_LOW',
    severity: 'warning',
    title: 'Request bodies above {limit} are refused with 413',
    explanation:
      'nginx refuses request bodies over client_max_body_size (1m by default) with 413 before the upstream sees them. A chat request with an image ' +
      'in base64, an audio file for transcription or a long document is several megabytes.',
    symptoms: ['REQUEST_TOO_LARGE', 'BODY_LIMIT_LOW'],
    fix: {
      nginx: { text: 'Raise the limit for the API (the reference setup uses 10m globally, more on upload routes).', command: 'client_max_body_size 10m;\n\nlocation /api/upload/ {\n    client_max_body_size 100m;\n}' },
      haproxy: { text: 'Raise the size in the deny rule that refuses large bodies (or drop the rule on model routes).', command: 'http-request deny deny_status 413 if { req.hdr_val(content-length) gt 20971520 }' },
      envoy: { text: 'Raise the buffer filter\'s max_request_bytes (or drop the filter on model routes).', command: 'name: envoy.filters.http.buffer\ntyped_config:\n  "@type": type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer\n  max_request_bytes: 20971520' },
    },
  },
  {
    code: 'CONFIG_UPSTREAM_SNI_OFF',
    severity: 'error',
    title: 'TLS to the upstream is opened without a server name (SNI)',
    explanation:
      'Without SNI, an upstream behind a CDN or shared TLS front cannot pick its certificate: it resets the handshake, answers with a default ' +
      'certificate that fails verification, or closes the connection. Behind Envoy this shows as "upstream connect error or disconnect/reset before headers"; ' +
      'behind nginx as 502 with "SSL_do_handshake() failed" in its error log.',
    symptoms: ['UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY'],
    fix: {
      nginx: { text: 'Send the upstream\'s name in the TLS handshake (and verify its certificate).', command: 'proxy_ssl_server_name on;\nproxy_ssl_name api.openai.com;   # when proxy_pass names an upstream block\nproxy_ssl_verify on;\nproxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;' },
      envoy: { text: 'Set sni on the cluster\'s UpstreamTlsContext (or auto_sni from the Host header).', command: 'transport_socket:\n  name: envoy.transport_sockets.tls\n  typed_config:\n    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext\n    sni: api.openai.com' },
      haproxy: { text: 'Send SNI on the server line (and verify the certificate).', command: 'server api api.openai.com:443 ssl verify required ca-file /etc/ssl/certs/ca-certificates.crt sni str(api.openai.com)' },
    },
  },
  {
    code: 'CONFIG_UPSTREAM_DNS_PINNED',
    severity: 'warning',
    title: 'The upstream\'s name is resolved once, at start',
    explanation:
      'A name in proxy_pass or in an upstream block is resolved when the proxy starts or reloads, and those addresses are used until the next reload. ' +
      'API providers behind CDNs change addresses; weeks later the proxy still connects to an address that no longer serves the API, and requests ' +
      'time out or are refused while DNS looks fine.',
    symptoms: ['BAD_GATEWAY', 'GATEWAY_TIMEOUT', 'UPSTREAM_RESET_REPORTED'],
    fix: {
      nginx: { text: 'Have nginx resolve the name at run time: a resolver and a variable in proxy_pass (or "resolve" on an upstream server with a shared zone, nginx 1.27.3+).', command: 'resolver 127.0.0.53 valid=30s;\nset $llm_upstream api.openai.com;\nproxy_pass https://$llm_upstream;' },
      envoy: { text: 'Use a DNS cluster type that re-resolves instead of fixed addresses.', command: 'type: LOGICAL_DNS\ndns_refresh_rate: 30s\ndns_lookup_family: V4_PREFERRED' },
      haproxy: { text: 'Declare resolvers and attach them to the server line.', command: 'resolvers dns\n    parse-resolv-conf\n    hold valid 30s\n\nbackend llm\n    server api api.openai.com:443 ssl sni str(api.openai.com) resolvers dns init-addr last,libc,none' },
    },
  },
  {
    code: 'CONFIG_GZIP_EVENT_STREAM',
    severity: 'error',
    title: 'Event streams are compressed',
    explanation:
      'A compressor emits output when its block fills, not when an event arrives. With text/event-stream in the compressed types, events reach the ' +
      'client in bursts or only at the end, exactly as if the stream were buffered.',
    symptoms: ['STREAM_BUFFERED'],
    fix: {
      nginx: { text: 'Take text/event-stream out of gzip_types, or turn gzip off on the streaming location.', command: 'gzip_types text/plain application/json;   # without text/event-stream\n\nlocation /v1/ {\n    gzip off;\n}' },
      envoy: { text: 'Leave text/event-stream out of the compressor\'s content_type list.', command: 'content_type:\n  - application/json\n  - text/plain' },
      haproxy: { text: 'Leave text/event-stream out of the compressed types.', command: 'compression algo gzip\ncompression type text/html text/plain application/json' },
    },
  },
  {
    code: 'CONFIG_WEBSOCKET_HEADERS_MISSING',
    severity: 'error',
    title: 'A WebSocket route does not pass the upgrade on',
    explanation:
      'Upgrade and Connection are hop-by-hop headers: a proxy drops them unless told to pass them. The handshake then reaches the upstream as a plain ' +
      'request and the client gets 400 or 426 instead of 101. Realtime voice APIs and status sockets fail this way.',
    symptoms: ['WEBSOCKET_UPGRADE_FAILED'],
    fix: {
      nginx: { text: 'Pass the upgrade headers in HTTP/1.1 and give the socket a long idle timeout.', command: 'location /ws/ {\n    proxy_pass http://127.0.0.1:3000;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection "upgrade";\n    proxy_read_timeout 86400s;\n    proxy_send_timeout 86400s;\n}' },
      envoy: { text: 'Allow the websocket upgrade on the HTTP connection manager (or the route).', command: 'upgrade_configs:\n  - upgrade_type: websocket' },
    },
  },
  {
    code: 'CONFIG_KEEPALIVE_RACE',
    severity: 'warning',
    title: 'Idle upstream connections are kept longer than the upstream keeps them ({idleTimeoutSeconds} s)',
    explanation:
      'The proxy keeps idle connections to the upstream in a pool. When the upstream closes an idle connection first, a request the proxy sends on it ' +
      'at that moment is reset before any header: "upstream prematurely closed connection" (nginx), "upstream connect error or disconnect/reset before ' +
      'headers. reset reason: connection termination" (Envoy). The proxy\'s idle time must be shorter than the upstream\'s.',
    symptoms: ['STALE_KEEPALIVE', 'UPSTREAM_RESET_REPORTED', 'BAD_GATEWAY'],
    fix: {
      nginx: { text: 'Keep idle upstream connections for less time than the application server does (or raise the server\'s keepAliveTimeout above it).', command: 'upstream app {\n    server 127.0.0.1:3000;\n    keepalive 16;\n    keepalive_timeout 4s;\n}\n# Node: server.keepAliveTimeout = 65000;  uvicorn: --timeout-keep-alive 65' },
      envoy: { text: 'Set the cluster\'s idle timeout below the upstream\'s keep-alive timeout.', command: 'typed_extension_protocol_options:\n  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n    "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n    common_http_protocol_options:\n      idle_timeout: 4s\n    explicit_http_config:\n      http_protocol_options: {}' },
      haproxy: { text: 'Keep idle server connections for less time than the server does.', command: 'backend app\n    http-reuse safe\n    timeout server-fin 1s\n    pool-purge-delay 4s' },
    },
  },
  {
    code: 'CONFIG_ADD_HEADER_NOT_ALWAYS',
    severity: 'warning',
    title: 'A header is added only to successful answers',
    explanation:
      'Without "always", nginx adds the header only to 2xx and 3xx answers. CORS headers missing on a 429 or 502 make the browser hide the real error ' +
      'behind a CORS failure, and security headers vanish exactly on error pages. HAProxy\'s http-response rules likewise skip its own error answers.',
    symptoms: ['CORS_MISSING_ON_ERRORS', 'SECURITY_HEADERS_MISSING'],
    fix: {
      nginx: { text: 'Add "always" to the header (remember that a location with any add_header drops those of the server level).', command: 'add_header Access-Control-Allow-Origin "https://app.example.com" always;\nadd_header X-Content-Type-Options nosniff always;' },
      haproxy: { text: 'Use http-after-response, which also applies to HAProxy\'s own error answers.', command: 'http-after-response set-header Access-Control-Allow-Origin "https://app.example.com"' },
    },
  },
  {
    code: 'CONFIG_RATE_LIMIT_503',
    severity: 'warning',
    title: 'The rate limit answers {status} instead of 429',
    explanation:
      'nginx\'s limit_req refuses excess requests with 503 unless limit_req_status says otherwise (HAProxy\'s deny with 403). Clients, SDKs and this ' +
      'tool read 503 as an outage or an overloaded upstream and retry at once, instead of backing off as they do on 429.',
    symptoms: ['OVERLOADED', 'BAD_GATEWAY', 'RATE_LIMIT_WRONG_STATUS'],
    fix: {
      nginx: { text: 'Answer 429 for requests over the limit (limit_req_status at http, server or location level).', command: 'limit_req_zone $binary_remote_addr zone=api:10m rate=10r/s;\nlimit_req_status 429;\n\nlocation /api/ {\n    limit_req zone=api burst=20 nodelay;\n}' },
      envoy: { text: 'Leave the status at Envoy\'s default (429), or set it to TooManyRequests.', command: 'status:\n  code: TooManyRequests' },
      haproxy: { text: 'Give the deny rule a 429 status.', command: 'http-request deny deny_status 429 if { sc_http_req_rate(0) gt 20 }' },
    },
  },
  {
    code: 'CONFIG_ADD_HEADER_NOT_INHERITED',
    severity: 'warning',
    title: 'A level with add_header of its own drops the headers set above it',
    explanation:
      'nginx inherits add_header into a server or location only when that level has no add_header at all. A location that adds its CORS ' +
      'headers therefore sends none of the security headers or HSTS set at server level, though the file seems to set them everywhere.',
    symptoms: ['SECURITY_HEADERS_MISSING', 'HSTS_MISSING'],
    fix: {
      nginx: { text: 'Repeat the upper level\'s headers in the location (an include file keeps them in one place).', command: '# /etc/nginx/snippets/security-headers.conf\nadd_header Strict-Transport-Security "max-age=31536000" always;\nadd_header X-Content-Type-Options nosniff always;\n\nlocation /api/ {\n    add_header Access-Control-Allow-Origin "https://app.example.com" always;\n    include snippets/security-headers.conf;\n}' },
    },
  },
  {
    code: 'CONFIG_SECURITY_HEADERS_MISSING',
    severity: 'warning',
    title: 'A TLS server sends no HSTS or security headers ({missing})',
    explanation:
      'Without Strict-Transport-Security a browser goes on trying plain http first, where the redirect can be intercepted; without ' +
      'X-Content-Type-Options, X-Frame-Options, Referrer-Policy and Content-Security-Policy an API answer can be sniffed, framed or leak its URL.',
    symptoms: ['HSTS_MISSING', 'SECURITY_HEADERS_MISSING'],
    fix: {
      nginx: { text: 'Add them at server level with "always" (and in every location that has add_header of its own).', command: 'add_header Strict-Transport-Security "max-age=31536000" always;\nadd_header X-Content-Type-Options nosniff always;\nadd_header X-Frame-Options DENY always;\nadd_header Referrer-Policy strict-origin-when-cross-origin always;\nadd_header Content-Security-Policy "default-src \'self\'" always;' },
      haproxy: { text: 'Set them on every answer, HAProxy\'s own errors included.', command: 'http-after-response set-header Strict-Transport-Security "max-age=31536000"\nhttp-after-response set-header X-Content-Type-Options nosniff' },
    },
  },
  {
    code: 'CONFIG_REDIRECT_DROPS_METHOD',
    severity: 'warning',
    title: 'The http-to-https redirect answers {status}, which turns a POST into a GET',
    explanation:
      'Clients follow a 301, 302 or 303 with a GET and no body. An API client configured with http:// then loses its request (or gets a 404 ' +
      'or 405 for a GET it never meant to send); 307 and 308 keep the method and the body.',
    symptoms: ['REDIRECT_DROPS_METHOD'],
    fix: {
      nginx: { text: 'Redirect with 308 (permanent) or 307.', command: 'server {\n    listen 80;\n    return 308 https://$host$request_uri;\n}' },
      haproxy: { text: 'Redirect with code 308.', command: 'http-request redirect scheme https code 308' },
    },
  },
  {
    code: 'CONFIG_CORS_PREFLIGHT_INCOMPLETE',
    severity: 'warning',
    title: 'The CORS preflight is not answered as a browser needs ({missing})',
    explanation:
      'Before a cross-origin POST with an Authorization header a browser sends OPTIONS and needs Access-Control-Allow-Origin on that answer. ' +
      'nginx answering the preflight without the header, or passing it to an API that refuses it for the missing key, makes the browser block the call.',
    symptoms: ['CORS_PREFLIGHT_REJECTED'],
    fix: {
      nginx: { text: 'Answer OPTIONS in the location that sets the CORS headers (they then go on the 204 too).', command: 'location /api/ {\n    add_header Access-Control-Allow-Origin "https://app.example.com" always;\n    add_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;\n    add_header Access-Control-Allow-Headers "Authorization, Content-Type" always;\n    if ($request_method = OPTIONS) {\n        return 204;\n    }\n    proxy_pass http://127.0.0.1:3000;\n}' },
    },
  },
];

const BY_CODE = new Map(configEntries.map((e) => [e.code, e]));

export function configEntry(code: string): ConfigCatalogueEntry | undefined {
  return BY_CODE.get(code);
}
