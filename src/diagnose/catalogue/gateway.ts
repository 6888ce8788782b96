/**
 * Catalogue entries of the gateway checks (`--gateway`): the reverse proxy in front of the API as
 * its operator sees it from outside. All are http-stage codes (the stage ids are fixed), owned by
 * whoever runs the gateway. Config snippets are nginx's, as the reference setup uses it.
 */
import type { CatalogueEntry } from './types.js';

const gw = { stage: 'http', origin: 'gateway', owner: 'gateway', retry: 'no' } as const;

export const gatewayEntries: CatalogueEntry[] = [
  {
    ...gw,
    code: 'REDIRECT_DROPS_METHOD',
    severity: 'warning',
    exitCode: 0,
    title: 'The http-to-https redirect turns a POST into a GET',
    explanation:
      'Plain http is redirected to https, but with a 301, 302 or 303. Clients that follow such a redirect repeat the request as a GET without its body, so a POST sent to the http address by a misconfigured client arrives at the API as an empty GET and fails in a confusing way (404, 405, or a model that never got the prompt). 307 and 308 tell the client to repeat the same method with the same body.',
    steps: [
      { who: 'gateway', text: 'Redirect with 308 (permanent, method kept) instead of {status}:', command: 'server {\n    listen 80;\n    server_name {host};\n    return 308 https://$host$request_uri;\n}' },
      { who: 'you', text: 'Point clients at the https:// URL directly, so no redirect is ever needed.' },
      { who: 'gateway', text: 'Check again.', command: '{diagnose} --gateway --http-port {httpPort}' },
    ],
  },
  {
    ...gw,
    code: 'HSTS_MISSING',
    severity: 'warning',
    exitCode: 0,
    title: 'The gateway does not send Strict-Transport-Security on every answer',
    explanation:
      'Without HSTS a browser-based client that once reaches the API over plain http (a typed address, an old link) can be downgraded and have its key read on the way. nginx adds a header with add_header only to 2xx and 3xx answers unless the directive ends with `always`, so HSTS is often present on successes and missing on the 401, 404 or 5xx answers.',
    steps: [
      { who: 'gateway', text: 'Send HSTS on every answer, errors included (the `always` flag):', command: 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;' },
      { who: 'gateway', text: 'An add_header inside a location block replaces every add_header inherited from the server block: repeat it there, or keep all of them at one level.' },
    ],
  },
  {
    ...gw,
    code: 'SECURITY_HEADERS_MISSING',
    severity: 'warning',
    exitCode: 0,
    title: 'Some of the usual security headers are missing from the gateway\'s answers',
    explanation:
      'The reference setup sends X-Content-Type-Options, X-Frame-Options, Referrer-Policy and Content-Security-Policy on every answer. They cost nothing on an API and stop a browser from sniffing an error body into HTML or framing an answer. As with HSTS, nginx drops add_header headers from error answers unless the directive says `always`, so they are often missing exactly on the 4xx and 5xx answers.',
    steps: [
      { who: 'gateway', text: 'Add the missing headers, with `always` so error answers carry them too:', command: 'add_header X-Content-Type-Options nosniff always;\nadd_header X-Frame-Options DENY always;\nadd_header Referrer-Policy strict-origin-when-cross-origin always;\nadd_header Content-Security-Policy "default-src \'self\'" always;' },
      { who: 'gateway', text: 'An add_header inside a location block replaces every add_header inherited from the server block: repeat them there.' },
    ],
  },
  {
    ...gw,
    code: 'CORS_PREFLIGHT_REJECTED',
    severity: 'error',
    exitCode: 17,
    title: 'A browser at the given origin cannot call the API: its CORS preflight is refused',
    explanation:
      'Before a cross-origin POST with an Authorization header and a JSON body, a browser sends an OPTIONS preflight and goes on only when the answer is a 2xx that allows the origin, the method and every requested header. This one did not, so every call from that origin fails in the browser with a network error, while curl and server-side clients work.',
    steps: [
      { who: 'gateway', text: 'Answer the preflight and allow the origin, the method and the headers (the origin exactly, never * with credentials):', command: 'add_header Access-Control-Allow-Origin "{origin}" always;\nadd_header Access-Control-Allow-Methods "GET, POST, OPTIONS" always;\nadd_header Access-Control-Allow-Headers "Authorization, Content-Type" always;\nadd_header Access-Control-Max-Age 86400 always;\nif ($request_method = OPTIONS) { return 204; }' },
      { who: 'gateway', text: 'If several origins are allowed, map the Origin header to the allowed value (a map block) instead of listing them in one header: browsers accept a single origin there.' },
      { who: 'you', text: 'Check the preflight as the browser sends it.', command: '{curl} -si -X OPTIONS {url} -H "Origin: {origin}" -H "Access-Control-Request-Method: POST" -H "Access-Control-Request-Headers: authorization,content-type"' },
    ],
  },
  {
    ...gw,
    code: 'CORS_MISSING_ON_ERRORS',
    severity: 'warning',
    exitCode: 0,
    title: 'Error answers carry no CORS headers: browsers hide the API\'s errors from the page',
    explanation:
      'The preflight passes, but a 4xx or 5xx answer comes back without Access-Control-Allow-Origin. The browser then refuses to let the page read it and reports only a network error: a 401 for a bad key, a 429 with its Retry-After or a 413 for a large prompt all look alike, and the application cannot react to them. With nginx this is add_header without `always`, which applies to 2xx and 3xx answers only.',
    steps: [
      { who: 'gateway', text: 'Add `always` to every CORS add_header, so error answers carry them too:', command: 'add_header Access-Control-Allow-Origin "{origin}" always;' },
      { who: 'gateway', text: 'If the upstream sets CORS headers itself on its answers, make sure the gateway does not strip them (proxy_hide_header) and does not send them twice.' },
    ],
  },
  {
    ...gw,
    code: 'BODY_LIMIT_LOW',
    severity: 'warning',
    exitCode: 0,
    title: 'The gateway refuses request bodies that LLM requests reach',
    explanation:
      'A request with images as base64, an audio file or a long-context prompt easily reaches several megabytes. The gateway refused a body of this size (413, or a cut connection) before it reached the API; nginx\'s default client_max_body_size is only 1m. The API itself accepts much larger requests, so the failure appears only for the large requests and only behind this gateway.',
    steps: [
      { who: 'gateway', text: 'Raise the limit for the API routes (the reference setup uses 10m globally and 100m for uploads):', command: 'client_max_body_size 10m;' },
      { who: 'gateway', text: 'Check every level: a client_max_body_size in a location overrides the server\'s, and other proxies in the chain (a load balancer, an ingress controller annotation such as nginx.ingress.kubernetes.io/proxy-body-size) have limits of their own.' },
      { who: 'gateway', text: 'Check again.', command: '{diagnose} --gateway' },
    ],
  },
  {
    ...gw,
    code: 'WEBSOCKET_UPGRADE_FAILED',
    severity: 'error',
    exitCode: 17,
    title: 'The WebSocket upgrade does not get through the gateway',
    explanation:
      'A WebSocket (OpenAI\'s Realtime API, a live status channel) starts with an HTTP/1.1 request carrying Upgrade: websocket and Connection: Upgrade, and works only when the answer is 101 Switching Protocols. A gateway that speaks HTTP/1.0 to its upstream or does not pass those two hop-by-hop headers on turns it into a plain GET, which the upstream answers with 400 or 426, or the gateway answers itself.',
    steps: [
      { who: 'gateway', text: 'Pass the upgrade on, with HTTP/1.1 to the upstream and long timeouts for idle sockets:', command: 'location /ws/ {\n    proxy_pass http://127.0.0.1:3000;\n    proxy_http_version 1.1;\n    proxy_set_header Upgrade $http_upgrade;\n    proxy_set_header Connection "upgrade";\n    proxy_read_timeout 3600s;\n    proxy_send_timeout 3600s;\n}' },
      { who: 'gateway', text: 'Behind a load balancer or CDN, enable WebSockets there too (some need it switched on per route or listener).' },
      { who: 'you', text: 'Check the upgrade again.', command: '{diagnose} --gateway' },
    ],
  },
  {
    ...gw,
    code: 'WEBSOCKET_IDLE_CLOSED',
    severity: 'warning',
    exitCode: 0,
    title: 'The gateway closes an idle WebSocket long before a session is over',
    explanation:
      'The upgrade worked, but a socket on which nothing was sent for a while was closed by the far side. A Realtime session waits silently while its user thinks or speaks, and the gateway\'s read timeout (nginx proxy_read_timeout, 60 s by default) counts that silence as a dead upstream and closes the socket: sessions drop after a quiet minute.',
    retry: 'once',
    steps: [
      { who: 'gateway', text: 'Raise the read and send timeouts of the WebSocket route well above the longest silence of a session:', command: 'proxy_read_timeout 3600s;\nproxy_send_timeout 3600s;' },
      { who: 'you', text: 'Or send a WebSocket ping from the client more often than the timeout (the server\'s pong resets the gateway\'s read timer), and reconnect when the socket closes.' },
    ],
  },
  {
    ...gw,
    code: 'RATE_LIMIT_WRONG_STATUS',
    severity: 'warning',
    exitCode: 0,
    title: 'The gateway\'s rate limit answers with another status than 429 (nginx\'s default 503, HAProxy\'s 403)',
    explanation:
      'When its limit is reached, nginx\'s limit_req answers 503 Service Unavailable unless told otherwise, and an HAProxy `http-request deny` answers 403. Clients and SDKs read a 503 as an outage and a 403 as a refused key or permission: they retry at once, give up or alert, and never slow down, while a 429 with Retry-After tells them to back off. Monitoring also counts these as server or auth errors.',
    steps: [
      { who: 'gateway', text: 'nginx: answer the limit with 429 (next to each limit_req, or once at http level):', command: 'limit_req_status 429;' },
      { who: 'gateway', text: 'HAProxy: give the deny rule of the rate limit its status:', command: 'http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }' },
      { who: 'gateway', text: 'Tell clients when to come back: nginx does not add Retry-After by itself.', command: 'error_page 429 = @ratelimited;\nlocation @ratelimited {\n    add_header Retry-After 1 always;\n    # a location with its own add_header inherits none of the server\'s:\n    # repeat the HSTS, security and CORS headers here, each with always\n    return 429;\n}' },
      { who: 'gateway', text: 'Check again.', command: '{diagnose} --gateway --burst 30' },
    ],
  },
  {
    ...gw,
    code: 'RATE_LIMIT_NO_RETRY_AFTER',
    severity: 'warning',
    exitCode: 0,
    title: 'The gateway\'s rate limit answers 429 but never says when to come back (no Retry-After)',
    explanation:
      'The limit uses the right status, but its answer carries no Retry-After header. The OpenAI and Anthropic SDKs wait as long as Retry-After says when it is there; without it they guess with their own short exponential backoff, and simpler clients retry at once, so a burst keeps hitting the limit. nginx\'s limit_req never adds the header by itself, and add_header at server level does not reach the answers limit_req writes.',
    retry: 'once',
    steps: [
      { who: 'gateway', text: 'nginx: send the limit\'s 429 from a named location that adds Retry-After (seconds: about one request slot of the zone\'s rate, rounded up):', command: 'limit_req_status 429;\nerror_page 429 = @ratelimited;\nlocation @ratelimited {\n    add_header Retry-After 1 always;\n    # a location with its own add_header inherits none of the server\'s:\n    # repeat the HSTS, security and CORS headers here, each with always\n    return 429;\n}' },
      { who: 'gateway', text: 'HAProxy: return the 429 with the header:', command: 'http-request return status 429 hdr Retry-After 1 if { sc_http_req_rate(0) gt 10 }' },
      { who: 'you', text: 'Meanwhile, retry 429 answers with exponential backoff and jitter in the client, never at once.' },
      { who: 'gateway', text: 'Check again.', command: '{diagnose} --gateway --burst 30' },
    ],
  },
];
