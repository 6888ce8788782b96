/**
 * The stream stage against fixture SSE servers on 127.0.0.1, one per failure mode. The stage runs
 * with the path state the earlier stages would have left (endpoint chosen, http answered).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { Redactor } from '../../src/secret.js';
import { streamStage } from '../../src/stages/stream.js';
import type { RunContext, StageOutcome } from '../../src/stages/types.js';
import { startSseServer, type SseFixture, type SseServerOptions } from '../../fixtures/sse-server.js';

const KEY = 'sk-test-stream-0000000000abcd';
let server: SseFixture | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runAgainst(opts: SseServerOptions, provider = 'openai-compatible', budgetMs = 8000): Promise<StageOutcome & { server: SseFixture }> {
  server = await startSseServer(opts);
  const config = buildConfig(`${server.url}/v1`, { provider, stream: true, timeout: `${budgetMs}ms` });
  const redactor = new Redactor();
  redactor.add(KEY);
  const ctx: RunContext = {
    config,
    env: {},
    apiKey: KEY,
    redactor,
    state: { endpoint: { address: '127.0.0.1', family: 4, port: server.port, source: 'literal' }, httpOk: true },
    now: () => performance.now(),
    results: {},
  };
  expect(streamStage.shouldRun(ctx)).toEqual({ run: true });
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error('deadline')), budgetMs);
  try {
    const out = await streamStage.run(ctx, ac.signal, ctx.now() + budgetMs);
    return { ...out, server };
  } finally {
    clearTimeout(timer);
  }
}

const codes = (o: StageOutcome) => o.findings.map((f) => f.code);
type Timings = Record<string, number | undefined>;

describe('stream stage against fixture servers', () => {
  it('a healthy OpenAI-style stream passes with its timings; the request looks like an SDK', async () => {
    const out = await runAgainst({ mode: 'openai', events: 8, periodMs: 120 });
    expect(codes(out)).toEqual([]);
    expect(out.status).toBe('pass');
    const t = out.data.timings as Timings;
    expect(out.data.terminalEvent).toBe(true);
    expect(out.data.events).toBe(11); // role chunk, 8 content, finish chunk, [DONE]
    expect(t.firstContent).toBeGreaterThan(t.headers!);
    expect(t.terminal).toBeGreaterThan(t.firstContent!);
    expect((out.data.buffering as { reason: string }).reason).toBe('separate-reads');
    expect((out.data.gaps as { maxMs: number }).maxMs).toBeGreaterThan(0);
    const r = out.server.requests.find((x) => x.method === 'POST')!;
    expect(r.url).toBe('/v1/chat/completions');
    expect(r.headers.accept).toBe('text/event-stream');
    expect(r.headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(r.headers['user-agent']).toMatch(/^upstream-doctor\//);
    expect(JSON.parse(r.body)).toMatchObject({ stream: true });
  });

  it('a healthy Anthropic stream ends at message_stop', async () => {
    const out = await runAgainst({ mode: 'anthropic', events: 6, periodMs: 100 }, 'anthropic');
    expect(codes(out)).toEqual([]);
    expect(out.data.terminalEvent).toBe(true);
    expect(out.data.finishReason).toBe('max_tokens');
    const r = out.server.requests.find((x) => x.method === 'POST')!;
    expect(r.url).toBe('/v1/messages');
    expect(r.headers['x-api-key']).toBe(KEY);
  });

  it('a Gemini stream (CRLF lines, no terminal event) passes when it ends after its finish reason', async () => {
    const out = await runAgainst({ mode: 'openai', events: 4, periodMs: 60 }, 'gemini');
    expect(codes(out)).toEqual([]);
    expect(out.data.finishReason).toBe('MAX_TOKENS');
    expect(out.data.terminalEvent).toBe(true);
    const r = out.server.requests.find((x) => x.method === 'POST')!;
    expect(r.url).toMatch(/:streamGenerateContent\?alt=sse$/);
    expect(r.headers['x-goog-api-key']).toBe(KEY);
  });

  it('a Gemini stream that ends without its finish reason gives STREAM_TRUNCATED', async () => {
    const out = await runAgainst({ mode: 'truncated', events: 4, periodMs: 60 }, 'gemini');
    expect(codes(out)).toEqual(['STREAM_TRUNCATED']);
  });

  it('buffer-then-flush gives STREAM_BUFFERED', async () => {
    const out = await runAgainst({ mode: 'buffered', events: 8, periodMs: 100 });
    expect(codes(out)).toEqual(['STREAM_BUFFERED']);
    expect(out.findings[0]!.details).toMatchObject({ burstReads: 1, burstEvents: 11 });
  });

  it('a clean end without [DONE] gives STREAM_TRUNCATED', async () => {
    const out = await runAgainst({ mode: 'truncated', events: 5, periodMs: 60 });
    expect(codes(out)).toEqual(['STREAM_TRUNCATED']);
    expect(out.data.finishReason).toBe('length');
    expect(out.data.end).toMatchObject({ kind: 'complete' });
  });

  it('silence mid-stream gives STREAM_STALLED (idle) within the budget', async () => {
    const out = await runAgainst({ mode: 'stall', events: 6, periodMs: 80 }, 'openai-compatible', 3000);
    expect(codes(out)).toEqual(['STREAM_STALLED']);
    expect(out.findings[0]!.details).toMatchObject({ how: 'idle', phase: 'mid-stream' });
    expect((out.findings[0]!.details as { eventsBefore: number }).eventsBefore).toBeGreaterThan(0);
  });

  it('a connection cut mid-body gives STREAM_STALLED (cut)', async () => {
    const out = await runAgainst({ mode: 'cut', events: 6, periodMs: 80 });
    expect(codes(out)).toEqual(['STREAM_STALLED']);
    expect(out.findings[0]!.details).toMatchObject({ how: 'cut', phase: 'mid-stream' });
  });

  it('an HTML block page gives STREAM_NOT_SSE naming the page', async () => {
    const out = await runAgainst({ mode: 'html', htmlStatus: 200 });
    expect(codes(out)).toEqual(['STREAM_NOT_SSE']);
    expect(out.findings[0]!.details).toMatchObject({ body: 'html', label: 'Access Denied - Web Filter', status: 200 });
  });

  it('a whole JSON completion gives STREAM_NOT_SSE (stream ignored)', async () => {
    const out = await runAgainst({ mode: 'json' });
    expect(codes(out)).toEqual(['STREAM_NOT_SSE']);
    expect(out.findings[0]!.details).toMatchObject({ body: 'json-completion' });
  });

  it('an error event inside a 200 gives STREAM_ERROR_EVENT', async () => {
    const out = await runAgainst({ mode: 'error-event', periodMs: 50 }, 'anthropic');
    expect(codes(out)).toEqual(['STREAM_ERROR_EVENT']);
    expect(out.findings[0]!.details).toMatchObject({ errorType: 'overloaded_error', errorMessage: 'Overloaded' });
    expect(out.findings[0]!.retry).toBe('yes');
  });

  it('a gzip stream flushed per event is decoded incrementally and passes', async () => {
    const out = await runAgainst({ mode: 'gzip', events: 6, periodMs: 100, gzipFlush: true });
    expect(codes(out)).toEqual([]);
    expect((out.data.headers as Record<string, string>)['content-encoding']).toBe('gzip');
    expect(out.data.decodedBytes as number).toBeGreaterThan(out.data.rawBytes as number);
    expect(out.data.terminalEvent).toBe(true);
  });

  it('a gzip stream the compressor holds back gives STREAM_BUFFERED naming the compression', async () => {
    const out = await runAgainst({ mode: 'gzip', events: 6, periodMs: 100, gzipFlush: false });
    expect(codes(out)).toEqual(['STREAM_BUFFERED']);
    expect(out.findings[0]!.evidence.join('\n')).toMatch(/content-encoding: gzip/);
  });

  describe('hostile servers neither crash the check nor keep it past its budget', () => {
    it('keep-alive comments forever, never an event: STREAM_STALLED (idle), comments counted', async () => {
      const out = await runAgainst({ mode: 'comments-only', periodMs: 100 }, 'openai-compatible', 3000);
      expect(codes(out)).toEqual(['STREAM_STALLED']);
      expect(out.findings[0]!.details).toMatchObject({ how: 'idle', phase: 'before-first-event', eventsBefore: 0 });
      expect(out.data.comments as number).toBeGreaterThan(3);
      expect(out.findings[0]!.evidence.join('\n')).toMatch(/keep-alive comment/);
    });
    it('one data line that never ends: reading stops at the cap, no crash, no verdict on the path', async () => {
      const out = await runAgainst({ mode: 'endless-line' }, 'openai-compatible', 8000);
      expect(out.status).toBe('warn');
      expect(out.data.end).toMatchObject({ kind: 'limit' });
      expect(out.data.events).toBe(0);
    });
    it('a body labelled gzip that is not: the decode error is evidence', async () => {
      const out = await runAgainst({ mode: 'bad-gzip', periodMs: 20 });
      expect(out.status).toBe('fail');
      expect(out.data.decodeError).toMatch(/gzip data could not be decoded/);
      expect(out.findings[0]!.evidence.join('\n')).toMatch(/could not be decoded/);
    });
  });

  it('never puts the key into the data', async () => {
    const { server: fx, ...out } = await runAgainst({ mode: 'openai', events: 2, periodMs: 20 });
    expect(fx.requests.some((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(JSON.stringify(out)).not.toContain(KEY.slice(3, -4));
  });
});
