/**
 * Catalogue entries for HTTP/2 (issue 11): a server that speaks only h2, and an h2 exchange ended
 * by a GOAWAY or RST_STREAM frame. Params: host, port, hostPort, url.
 */
import type { CatalogueEntry } from './types.js';

export const http2Entries: CatalogueEntry[] = [
  {
    code: 'HTTP2_ONLY_SERVER',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'The server speaks only HTTP/2; HTTP/1.1 clients cannot talk to it',
    explanation:
      'The endpoint accepts HTTP/2 and nothing else: by ALPN it refuses a client that offers only http/1.1 (TLS alert no_application_protocol), ' +
      'or it answers an HTTP/1.1 request with HTTP/2 frames. curl and browsers offer h2 and get through, but Node\'s fetch, undici and most SDKs ' +
      'built on them speak HTTP/1.1 by default and fail, often with a confusing transport or parse error.',
    origin: 'gateway',
    owner: 'gateway',
    retry: 'no',
    steps: [
      { who: 'you', text: 'Confirm it: the same probe offering HTTP/2, as curl does, gets through.', command: '{diagnose} --http2' },
      { who: 'you', text: 'Compare what each protocol gets from the server.', command: '{curl} -sv --http1.1 {url} -o /dev/null; {curl} -sv --http2 {url} -o /dev/null' },
      {
        who: 'you',
        text: 'In a Node client, allow HTTP/2 (undici\'s allowH2) for this endpoint.',
        command: "import { Agent, setGlobalDispatcher } from 'undici'; setGlobalDispatcher(new Agent({ allowH2: true }))",
      },
      {
        who: 'gateway',
        text: 'On the gateway, accept HTTP/1.1 as well: nginx serves both with "http2 on"; HAProxy needs "alpn h2,http/1.1" on the bind line and no "proto h2".',
        command: 'bind :443 ssl crt /etc/haproxy/site.pem alpn h2,http/1.1',
      },
    ],
  },
  {
    code: 'HTTP2_STREAM_ERROR',
    stage: 'http',
    severity: 'error',
    exitCode: 14,
    title: 'The HTTP/2 server ended the request with an error frame (GOAWAY or RST_STREAM)',
    explanation:
      'Over HTTP/2 the server, or the proxy in front of it, closed the connection with a GOAWAY frame or reset the request\'s stream with ' +
      'RST_STREAM, before any response header. The error code says why: REFUSED_STREAM means nothing was processed and a retry is safe; ' +
      'ENHANCE_YOUR_CALM means the client is being throttled as abusive; NO_ERROR in a GOAWAY is a graceful shutdown; PROTOCOL_ERROR points at a broken stack or middlebox.',
    origin: 'unknown',
    owner: 'gateway',
    retry: 'once',
    steps: [
      {
        who: 'you',
        text: 'REFUSED_STREAM or a GOAWAY with NO_ERROR: retry on a new connection; if it repeats, the server limits concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS) or is draining.',
        when: { detail: 'errorName', in: ['REFUSED_STREAM', 'NO_ERROR'] },
      },
      {
        who: 'you',
        text: 'ENHANCE_YOUR_CALM: slow down (fewer parallel streams, fewer resets and pings) and honour the server\'s limits; do not retry in a tight loop.',
        when: { detail: 'errorName', in: ['ENHANCE_YOUR_CALM'] },
      },
      {
        who: 'you',
        text: 'HTTP_1_1_REQUIRED: run the request over HTTP/1.1 (without --http2, or with allowH2 off in the client).',
        when: { detail: 'errorName', in: ['HTTP_1_1_REQUIRED'] },
      },
      { who: 'you', text: 'Compare with HTTP/1.1, which has no streams to reset.', command: '{curl} -sv --http1.1 {url} -o /dev/null' },
      { who: 'gateway', text: 'Whoever runs the HTTP/2 front end: look in its log for the stream at this time, and check its stream and rate limits (max concurrent streams, request rate, reset-flood guards).' },
    ],
    attach: ['the frame (GOAWAY or RST_STREAM) and its error code', 'the UTC time'],
  },
];
