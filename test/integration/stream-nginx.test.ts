/**
 * Real nginx (Debian's package) in front of a fixture SSE upstream that sends an event every
 * 250 ms. Each configuration's behaviour is checked by its arrival times first (the timeline
 * must show a burst or a spread), then the stage's verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxPath, startNginx, type NginxFixture } from '../../fixtures/nginx.js';
import { startSseServer, type SseFixture } from '../../fixtures/sse-server.js';
import { runStreamStage, timeline } from '../helpers/stream-ctx.js';

const PERIOD = 250;
const EVENTS = 8;
const hasNginx = nginxPath() !== undefined;
const GZIP = 'gzip on; gzip_types text/event-stream;';

let plain: SseFixture;
let accel: SseFixture;
let slow: SseFixture;
const started: NginxFixture[] = [];

beforeAll(async () => {
  if (!hasNginx) return;
  plain = await startSseServer({ mode: 'openai', events: EVENTS, periodMs: PERIOD });
  accel = await startSseServer({ mode: 'openai', events: EVENTS, periodMs: PERIOD, xAccelBufferingNo: true });
  // Events every 150 ms, then a 3 s pause after the fourth: longer than nginx's 1 s read timeout.
  slow = await startSseServer({ mode: 'openai', events: 6, periodMs: 150, pauseAfter: 4, pauseMs: 3000 });
});
afterAll(async () => {
  for (const n of started) await n.close();
  await Promise.all([plain?.close(), accel?.close(), slow?.close()]);
});

async function nginxFor(upstream: SseFixture, server: string, http = ''): Promise<string> {
  const n = await startNginx({ server: `location / { proxy_pass http://127.0.0.1:${upstream.port}; ${server} }`, http });
  started.push(n);
  return n.url;
}

type Arr = Array<{ at: number; chunk: number }>;
/** Spread of the events' arrivals, first to last, in ms. */
const spread = (a: Arr) => (a.length < 2 ? 0 : a[a.length - 1]!.at - a[0]!.at);
const reads = (a: Arr) => new Set(a.map((e) => e.chunk)).size;

describe.skipIf(!hasNginx)('stream stage behind real nginx 1.22', () => {
  it('default proxy settings (HTTP/1.0 upstream, proxy_buffering on) hold the events back: STREAM_BUFFERED', async () => {
    const out = await runStreamStage(await nginxFor(plain, ''));
    const arr = out.data.arrivals as Arr;
    // The upstream spent ~2.5 s producing; everything reached us in one burst at the end.
    expect(spread(arr), timeline(out)).toBeLessThan(PERIOD / 2);
    expect(arr[0]!.at, timeline(out)).toBeGreaterThan(PERIOD * (EVENTS - 1));
    expect(out.findings.map((f) => f.code)).toEqual(['STREAM_BUFFERED']);
  });

  it('gzip on with text/event-stream in gzip_types holds back what HTTP/1.1 alone lets flow: STREAM_BUFFERED naming gzip', async () => {
    // Measured: proxy_http_version 1.1 streams (below), adding gzip buffers; with proxy_buffering
    // off or X-Accel-Buffering: no, nginx flushes the compressor per chunk and the stream flows.
    const url = await nginxFor(plain, 'proxy_http_version 1.1;', GZIP);
    const out = await runStreamStage(url);
    const arr = out.data.arrivals as Arr;
    expect((out.data.headers as Record<string, string>)['content-encoding']).toBe('gzip');
    expect(spread(arr), timeline(out)).toBeLessThan(PERIOD / 2);
    expect(out.findings.map((f) => f.code)).toEqual(['STREAM_BUFFERED']);
    expect(out.findings[0]!.evidence.join('\n')).toMatch(/content-encoding: gzip/);
  });

  for (const [name, fixture, directives, http] of [
    ['proxy_http_version 1.1', () => plain, 'proxy_http_version 1.1;', ''],
    ['proxy_buffering off', () => plain, 'proxy_buffering off;', ''],
    ['the upstream sending X-Accel-Buffering: no', () => accel, '', ''],
    ['gzip with proxy_buffering off (compressed, yet flushed per chunk)', () => plain, 'proxy_buffering off;', GZIP],
  ] as const) {
    it(`${name} lets the events flow: pass`, async () => {
      const out = await runStreamStage(await nginxFor(fixture(), directives, http));
      const arr = out.data.arrivals as Arr;
      expect(spread(arr), timeline(out)).toBeGreaterThan(PERIOD * (EVENTS - 2));
      expect(reads(arr), timeline(out)).toBeGreaterThan(EVENTS / 2);
      expect(out.findings.map((f) => f.code)).toEqual([]);
      expect(out.status).toBe('pass');
      expect(out.data.terminalEvent).toBe(true);
    });
  }

  it('proxy_read_timeout shorter than an event gap cuts the stream: STREAM_STALLED', async () => {
    const url = await nginxFor(slow, 'proxy_http_version 1.1; proxy_buffering off; proxy_read_timeout 1s;');
    const out = await runStreamStage(url, 'openai-compatible', 8000);
    expect(out.findings.map((f) => f.code), JSON.stringify(out.data.end)).toEqual(['STREAM_STALLED']);
    const d = out.findings[0]!.details as { how: string; phase: string; silenceMs: number; eventsBefore: number };
    expect(d.how).toBe('cut');
    expect(d.phase).toBe('mid-stream');
    expect(d.eventsBefore).toBe(4);
    // nginx gave up after its 1 s read timeout: the silence before the cut is about that long.
    expect(d.silenceMs).toBeGreaterThan(900);
    expect(d.silenceMs).toBeLessThan(2000);
  });
});
