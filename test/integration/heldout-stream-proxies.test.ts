/**
 * Held-out streaming scenarios behind real Debian daemons configured unlike the stage's own
 * tests: nginx with small buffers and no temp file (partial buffering), nginx with proxy_cache,
 * nginx in front of an upstream that dies mid-stream (HTTP/1.1 and HTTP/1.0 upstreams end the
 * client's stream differently), HAProxy plain, with compression, and with a short server timeout.
 * Each configuration's real behaviour is asserted on its arrival timeline before the verdict.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { haproxyPath, startHaproxy } from '../../fixtures/haproxy.js';
import { startSseServer, type SseServerOptions } from '../../fixtures/sse-server.js';
import type { Fixture } from '../../fixtures/types.js';
import type { StageOutcome } from '../../src/stages/types.js';
import { runStreamStage, timeline } from '../helpers/stream-ctx.js';

const started: Fixture[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function upstream(o: SseServerOptions) {
  const s = await startSseServer(o);
  started.push(s);
  return s;
}
async function nginx(port: number, server: string, http = '') {
  const n = await startNginx({ server: `location / { proxy_pass http://127.0.0.1:${port}; ${server} }`, http });
  started.push(n);
  return n.url;
}
async function haproxy(port: number, defaults = '', backend = '') {
  const h = await startHaproxy({ servers: [`server up 127.0.0.1:${port}`], defaults, backend });
  started.push(h);
  return h.url;
}

type Arr = Array<{ at: number; chunk: number }>;
const codes = (o: StageOutcome) => o.findings.map((f) => f.code);
const why = (o: StageOutcome) => `${o.summary}\n${timeline(o)}\n${JSON.stringify(o.data.buffering)}`;
const arrivals = (o: StageOutcome) => o.data.arrivals as Arr;
const reads = (o: StageOutcome) => new Set(arrivals(o).map((a) => a.chunk)).size;
const spread = (o: StageOutcome) => {
  const a = arrivals(o);
  return a.length < 2 ? 0 : a[a.length - 1]!.at - a[0]!.at;
};

describe.skipIf(nginxPath() === undefined)('held-out: real nginx 1.22 configured otherwise', () => {
  it('small proxy buffers and no temp file: the stream comes in a few ~1 KiB bursts (partial buffering), STREAM_BUFFERED', async () => {
    // 40 events ~190 bytes each, 60 ms apart: ~7.6 KiB over 2.5 s. With buffering on and nowhere
    // to spill, nginx passes a buffer on only when the buffers are full.
    const up = await upstream({ mode: 'openai', events: 40, periodMs: 60 });
    const url = await nginx(up.port, 'proxy_buffer_size 1k; proxy_buffers 2 1k; proxy_busy_buffers_size 1k; proxy_max_temp_file_size 0;');
    const out = await runStreamStage(url);
    expect(reads(out), why(out)).toBeLessThan(12);
    expect(reads(out), why(out)).toBeGreaterThan(1);
    expect(codes(out), why(out)).toEqual(['STREAM_BUFFERED']);
    expect(out.findings[0]!.details).toMatchObject({ reason: 'held-in-bursts' });
    expect(out.findings[0]!.evidence.join('\n')).toMatch(/bursts of \d+ events/);
  });

  it('proxy_cache on (HTTP/1.1 upstream): nginx still passes each event on while it fills the cache, pass', async () => {
    const up = await upstream({ mode: 'openai', events: 8, periodMs: 200 });
    const url = await nginx(
      up.port,
      'proxy_http_version 1.1; proxy_cache sse; proxy_cache_methods POST; proxy_cache_key "$request_uri|$request_body"; proxy_cache_valid 200 1m;',
      `proxy_cache_path /tmp/heldout-nginx-cache-${process.pid} levels=1 keys_zone=sse:1m;`,
    );
    const out = await runStreamStage(url);
    // Measured: every event in its own read, 200 ms apart, like the upstream made them.
    expect(spread(out), why(out)).toBeGreaterThan(1500);
    expect(reads(out), why(out)).toBeGreaterThan(8);
    expect(codes(out), why(out)).toEqual([]);
  });

  it('the upstream dies mid-stream behind an HTTP/1.1 proxy_pass: nginx cuts the client too, STREAM_STALLED (cut)', async () => {
    const up = await upstream({ mode: 'cut', events: 8, periodMs: 80 });
    const url = await nginx(up.port, 'proxy_http_version 1.1; proxy_buffering off;');
    const out = await runStreamStage(url);
    expect(codes(out), why(out)).toEqual(['STREAM_STALLED']);
    expect(out.findings[0]!.details).toMatchObject({ how: 'cut', phase: 'mid-stream' });
    expect(out.findings[0]!.evidence.join('\n')).toMatch(/server: nginx/);
  });

  it('the upstream dies mid-stream behind nginx\'s default HTTP/1.0 proxy_pass: nginx ends the chunked body cleanly, STREAM_TRUNCATED', async () => {
    const up = await upstream({ mode: 'cut', events: 8, periodMs: 80 });
    const url = await nginx(up.port, 'proxy_buffering off;');
    const out = await runStreamStage(url);
    expect(out.data.end, why(out)).toMatchObject({ kind: 'complete' });
    expect(codes(out), why(out)).toEqual(['STREAM_TRUNCATED']);
  });
});

describe.skipIf(haproxyPath() === undefined)('held-out: real HAProxy 2.6 in front of the stream', () => {
  it('plain HAProxy (HTX, no buffering): the events flow, pass', async () => {
    const up = await upstream({ mode: 'anthropic', events: 8, periodMs: 150 });
    const url = await haproxy(up.port);
    const out = await runStreamStage(url, 'anthropic');
    expect(spread(out), why(out)).toBeGreaterThan(150 * 8);
    expect(codes(out), why(out)).toEqual([]);
    expect(out.data.terminalEvent).toBe(true);
  });

  it('HAProxy compressing text/event-stream: gzip releases the events in pairs, 400 ms apart; still a stream, pass', async () => {
    const up = await upstream({ mode: 'openai', events: 8, periodMs: 200 });
    const url = await haproxy(up.port, '', 'compression algo gzip\n  compression type text/event-stream');
    const out = await runStreamStage(url);
    expect((out.data.headers as Record<string, string>)['content-encoding'], why(out)).toBe('gzip');
    // Measured: each read carries two events; the text moves every 400 ms instead of 200 ms.
    expect(reads(out), why(out)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...[...new Set(arrivals(out).map((a) => a.chunk))].map((c) => arrivals(out).filter((a) => a.chunk === c).length))).toBeLessThanOrEqual(3);
    expect(codes(out), why(out)).toEqual([]);
    expect(out.data.terminalEvent).toBe(true);
  });

  it('timeout server 1s and a 2.5 s pause mid-answer: HAProxy cuts the stream, STREAM_STALLED (cut) after ~1 s of silence', async () => {
    const up = await upstream({ mode: 'openai', events: 6, periodMs: 100, pauseAfter: 3, pauseMs: 2500 });
    const url = await haproxy(up.port, 'timeout server 1s');
    const out = await runStreamStage(url);
    expect(codes(out), why(out)).toEqual(['STREAM_STALLED']);
    const d = out.findings[0]!.details as { how: string; phase: string; silenceMs: number };
    expect(d.how).toBe('cut');
    expect(d.phase).toBe('mid-stream');
    // Measured: HAProxy delivers small writes up to ~200 ms late (no `option http-no-delay`), so
    // the client's silence is a little shorter than the proxy's 1 s; the cut comes long before
    // the upstream would have resumed (~2.8 s).
    expect(d.silenceMs).toBeGreaterThan(600);
    expect(d.silenceMs).toBeLessThan(1500);
    expect((out.findings[0]!.details as { atMs: number }).atMs).toBeLessThan(2600);
  });
});
