/** Catalogue entries of the stream stage. Prose is the project's own, drawn from ../shared/reference and corpus. */
import type { CatalogueEntry } from './types.js';

const NGINX_STREAM_LOCATION = `location /v1/ {
    proxy_pass https://api.example-llm.com;
    proxy_http_version 1.1;
    proxy_buffering off;
    proxy_cache off;
    gzip off;
    proxy_read_timeout 300s;
}`;

export const streamEntries: CatalogueEntry[] = [
  {
    code: 'STREAM_BUFFERED',
    stage: 'stream',
    severity: 'error',
    exitCode: 18,
    title: 'The stream was held back and delivered in bursts, not as it was produced',
    explanation:
      'The server produced its events over time, but they reached this machine all at once at the end, or in a few ' +
      'large bursts each time a buffer filled. Something in between collected the response before passing it on: a reverse proxy with response ' +
      'buffering on (nginx and ingress-nginx buffer by default), a compressor that waits for a full block ' +
      'before it emits anything, or a security product that inspects whole bodies. Users see a chat that ' +
      'hangs and then prints everything at once, and long answers may hit a timeout before the first byte.',
    origin: 'gateway',
    owner: 'gateway',
    retry: 'no',
    steps: [
      {
        who: 'gateway',
        text: 'Turn response buffering off for the streaming routes of the reverse proxy (nginx: proxy_buffering off, and talk HTTP/1.1 to the upstream).',
        command: NGINX_STREAM_LOCATION,
      },
      {
        who: 'you',
        text: 'If you run the service that produces the stream, send X-Accel-Buffering: no (and Cache-Control: no-cache) on event-stream responses: nginx then passes that response through unbuffered whatever its config says.',
        command: 'X-Accel-Buffering: no\nCache-Control: no-cache',
      },
      {
        who: 'gateway',
        text: 'Do not compress event streams: take text/event-stream out of the compressor\'s types (nginx gzip_types, a CDN or ingress compression setting), or turn compression off on the streaming route.',
        command: 'gzip off;   # in the streaming location, or drop text/event-stream from gzip_types',
      },
      {
        who: 'network',
        text: 'If no proxy of yours is involved, ask whoever runs the TLS-inspecting proxy, antivirus or CDN in the path to let text/event-stream pass without holding the body back.',
      },
    ],
    attach: ['the arrival timeline of this report (first and last event times, network reads)', 'the response headers: Server, Via, Content-Encoding, X-Accel-Buffering'],
  },
  {
    code: 'STREAM_TRUNCATED',
    stage: 'stream',
    severity: 'error',
    exitCode: 18,
    title: 'The stream ended without its terminal event',
    explanation:
      'The response closed cleanly, but the event that marks a complete answer (data: [DONE] for OpenAI-style ' +
      'APIs, message_stop for Anthropic) never came. Many SDKs treat such an end as success, so applications ' +
      'silently keep a partial answer. Usually an intermediary ended the response early (a request or ' +
      'duration limit), or the server stopped generating without saying so.',
    origin: 'unknown',
    owner: 'gateway',
    retry: 'once',
    steps: [
      {
        who: 'you',
        text: 'Make the client treat a stream without its terminal event as a failure: read until [DONE] or message_stop, and retry or report when the body ends before it.',
      },
      {
        who: 'gateway',
        text: 'Check the intermediary for limits on response duration or size on the streaming route (route or request timeouts, max stream duration, body size caps) and raise them for event streams.',
      },
      {
        who: 'provider',
        text: 'If the stream arrives directly from the provider and still ends early, report it with the request id and the time it ended.',
      },
    ],
    attach: ['the request id header', 'the time the stream ended and the number of events received'],
  },
  {
    code: 'STREAM_STALLED',
    stage: 'stream',
    severity: 'error',
    exitCode: 18,
    title: 'The stream stalled or was cut mid-way',
    explanation:
      'Events stopped arriving: either nothing came for longer than the idle budget, or the connection was closed ' +
      'or reset before the stream finished. A cut after a fixed silence usually means an idle or read timeout ' +
      'in a proxy or load balancer that expects the upstream to keep sending; a cut at a fixed total time means ' +
      'a request timeout. The elapsed times in the evidence are compared with the defaults of common ' +
      'intermediaries.',
    origin: 'unknown',
    owner: 'gateway',
    retry: 'once',
    steps: [
      {
        who: 'gateway',
        text: 'Raise the idle/read timeout of the proxy or load balancer on the streaming route above the longest pause a model takes; the evidence says how long the stream was silent before it ended.',
        command: 'proxy_read_timeout 300s;   # nginx\n# AWS ALB: idle_timeout.timeout_seconds; Envoy: stream_idle_timeout / route idle_timeout',
      },
      {
        who: 'gateway',
        text: 'Raise the total request timeout for streaming routes too: streams last as long as the answer (Envoy route timeout, gateway request timeouts).',
      },
      {
        who: 'you',
        text: 'Set the client\'s own body/idle timeout above the longest expected pause, and retry the request when a stream is cut before its terminal event.',
      },
      {
        who: 'provider',
        text: 'If the stream comes straight from the provider and stalls, report it with the request id and the times in this report.',
      },
      {
        who: 'you',
        text: 'If the evidence says keep-alive comments kept arriving, the path is healthy and the model was slow to produce anything: run again with a longer --timeout, or choose a faster model; a proxy timeout is not the cause.',
      },
      {
        who: 'you',
        text: 'Headers but not one event in the whole budget is either a buffering proxy or a stall. Run again with a longer --timeout: a buffering proxy then delivers the whole stream at once at the end (STREAM_BUFFERED), a stall stays silent.',
        command: '{diagnose} --stream --timeout 60s',
        when: { detail: 'reading', in: ['buffering-or-stall'] },
      },
      {
        who: 'gateway',
        text: 'Turn response buffering off on the streaming route and watch whether events start to flow: in nginx `proxy_buffering off;` for the location, or have the upstream send the header `X-Accel-Buffering: no`.',
        command: 'location /v1/ {\n  proxy_buffering off;\n  proxy_http_version 1.1;\n}',
        when: { detail: 'reading', in: ['buffering-or-stall'] },
      },
      {
        who: 'you',
        text: 'Compare with a path without the intermediary (the API directly, or --compare-direct when a forward proxy is in use): events that flow there and not here are held back by the intermediary.',
        command: '{diagnose} --stream --compare-direct',
        when: { detail: 'reading', in: ['buffering-or-stall'] },
      },
    ],
    attach: ['the request id header', 'when the stream stalled and how long it had been silent'],
  },
  {
    code: 'STREAM_NOT_SSE',
    stage: 'stream',
    severity: 'error',
    exitCode: 18,
    title: 'The streaming response is not an event stream',
    explanation:
      'A streaming request should be answered with Content-Type text/event-stream; this one was not (the evidence says what came). ' +
      'An HTML page usually comes from a web filter, captive portal or proxy error page; a JSON error is the API ' +
      'refusing the request (often the model name); a whole JSON completion means something in the path ' +
      'does not support streaming and dropped the stream flag. SDKs report such answers as decoding errors.',
    origin: 'gateway',
    owner: 'gateway',
    retry: 'no',
    steps: [
      {
        who: 'you',
        text: 'Look at what came back (see the evidence): if it is a JSON error from the API, fix what it names (often the model: pass one the key may use with --model).',
      },
      {
        who: 'network',
        text: 'If it is an HTML block or login page, ask the team that runs the web filter or proxy to allow the API host and event-stream responses.',
      },
      {
        who: 'gateway',
        text: 'If a gateway answered with a whole JSON completion, enable streaming pass-through on it (it must forward "stream": true and return text/event-stream).',
      },
    ],
    attach: ['the status, the Content-Type and the first lines of the body'],
  },
  {
    code: 'STREAM_ERROR_EVENT',
    stage: 'stream',
    severity: 'error',
    exitCode: 18,
    title: 'The provider sent an error event inside the stream',
    explanation:
      'The response started with HTTP 200, then an event inside the stream reported an error (its type is in the evidence). ' +
      'Providers do this when a failure happens after streaming has begun (overload, an internal error, a ' +
      'policy stop). Clients that only check the status code miss it.',
    origin: 'provider',
    owner: 'provider',
    retry: 'yes',
    steps: [
      {
        who: 'you',
        text: 'Handle error events in the stream like the matching HTTP error: back off and retry for overload and server errors; fix the request for invalid-request errors.',
      },
      {
        who: 'provider',
        text: 'If the error keeps coming back, check the provider\'s status page and report it with the request id and the error event.',
      },
    ],
    attach: ['the request id header', 'the error event as received'],
  },
];
