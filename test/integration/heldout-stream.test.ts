/**
 * Held-out streaming scenarios: streams shaped unlike the ones the stage was built against
 * (other dialects, timings, framings, middleboxes, error shapes), each played byte for byte by a
 * scripted raw-HTTP server on 127.0.0.1, judged as an on-call engineer would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptServer, type ScriptFixture, type ScriptOptions, type ScriptStep } from '../../fixtures/sse-script.js';
import { startHoldingRelay } from '../../fixtures/sse-holding-relay.js';
import { startSseServer } from '../../fixtures/sse-server.js';
import { anthropicEvents, geminiEvents, openaiEvents } from '../../fixtures/sse-events.js';
import type { Fixture } from '../../fixtures/types.js';
import type { StageOutcome } from '../../src/stages/types.js';
import { runStreamStage, timeline } from '../helpers/stream-ctx.js';

const started: Fixture[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function script(o: ScriptOptions): Promise<ScriptFixture> {
  const s = await startScriptServer(o);
  started.push(s);
  return s;
}

const SSE = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' };
const codes = (o: StageOutcome) => o.findings.map((f) => f.code);
const why = (o: StageOutcome) => `${o.summary}\n${timeline(o)}\n${JSON.stringify(o.data.buffering)}`;
/** Steps that send each event on its own after `gap` ms (the first after `first` ms). */
const paced = (events: string[], gap: number, first = gap): ScriptStep[] => events.flatMap((e, i) => [{ sleep: i === 0 ? first : gap }, { send: e }]);
const oai = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-h', object: 'chat.completion.chunk', created: 1763700000, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const tokens = (n: number) => Array.from({ length: n }, (_, i) => oai({ content: ` t${i}` }));

describe('held-out streams that are healthy must pass', () => {
  it('Gemini alt=sse with LF lines, 1.2 s to the first chunk, finishReason STOP then a clean end', async () => {
    const ev = geminiEvents(6).map((e) => e.replace(/\r\n/g, '\n').replace('MAX_TOKENS', 'STOP'));
    const s = await script({ headers: { 'Content-Type': 'text/event-stream', 'X-Content-Type-Options': 'nosniff' }, steps: [...paced(ev, 80, 1200), { end: true }] });
    const out = await runStreamStage(s.url, 'gemini');
    expect(codes(out), why(out)).toEqual([]);
    expect(out.data.terminalEvent).toBe(true);
    expect(out.data.finishReason).toBe('STOP');
  });

  it('a slow model: 1.8 s to the first token, then 16 tokens 25 ms apart', async () => {
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(16), oai({}, 'length'), 'data: [DONE]\n\n'], 25, 1800), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual([]);
    expect((out.data.buffering as { buffered: boolean }).buffered).toBe(false);
  });

  it('a server that flushes every second event, 200 ms apart', async () => {
    const ev = [oai({ role: 'assistant', content: '' }), ...tokens(12), oai({}, 'stop'), 'data: [DONE]\n\n'];
    const pairs = Array.from({ length: Math.ceil(ev.length / 2) }, (_, i) => ev.slice(2 * i, 2 * i + 2).join(''));
    const s = await script({ headers: SSE, steps: [...paced(pairs, 200), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual([]);
  });

  it('a fast model after a 1.2 s prefill, 4 ms between tokens, Nagle left on at the server', async () => {
    const ev = [oai({ role: 'assistant', content: '' }), ...tokens(16), oai({}, 'length'), 'data: [DONE]\n\n'];
    const s = await script({ headers: SSE, nagle: true, steps: [...paced(ev, 4, 1200), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual([]);
  });

  it('a fast model after a 1 s prefill whose events the network delivers three to a read', async () => {
    const ev = [oai({ role: 'assistant', content: '' }), ...tokens(16), oai({}, 'length'), 'data: [DONE]\n\n'];
    const groups = Array.from({ length: Math.ceil(ev.length / 3) }, (_, i) => ev.slice(3 * i, 3 * i + 3));
    const s = await script({ headers: SSE, steps: [{ sleep: 1000 }, ...groups.flatMap((g) => [{ sendTogether: g }, { sleep: 12 }] as ScriptStep[]), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual([]);
    expect(out.data.reads as number).toBeGreaterThanOrEqual(3);
  });

  it('data: [DONE], then the server keeps the connection open: reading stops at [DONE] and passes', async () => {
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(4), 'data: [DONE]\n\n'], 60), { sleep: 30_000 }] });
    const out = await runStreamStage(s.url, 'openai-compatible', 6000);
    expect(codes(out), why(out)).toEqual([]);
    expect(out.data.end).toMatchObject({ kind: 'terminal' });
    expect((out.data.end as { at: number }).at).toBeLessThan(3000);
  });

  it('an Azure stream that begins with prompt filter results and ends on content_filter still ends with [DONE]: passes, the finish reason is reported', async () => {
    const filter = `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }] })}\n\n`;
    const s = await script({ headers: { ...SSE, 'apim-request-id': 'a1b2' }, steps: [...paced([filter, oai({ role: 'assistant', content: '' }), ...tokens(3), oai({}, 'content_filter'), 'data: [DONE]\n\n'], 60), { end: true }] });
    const out = await runStreamStage(s.url, 'azure-openai');
    expect(codes(out), why(out)).toEqual([]);
    expect(out.data.finishReason).toBe('content_filter');
    expect(out.summary).toMatch(/content_filter/);
  });
});

describe('held-out streams that are held back must be STREAM_BUFFERED', () => {
  it('a scanning middlebox (DLP / antivirus) holds a chunked stream and releases it in one read', async () => {
    const up = await startSseServer({ mode: 'openai', events: 8, periodMs: 200 });
    started.push(up);
    const relay = await startHoldingRelay({ upstreamPort: up.port, quietMs: 700 });
    started.push(relay);
    const out = await runStreamStage(relay.url);
    expect(codes(out), why(out)).toEqual(['STREAM_BUFFERED']);
    expect(out.findings[0]!.details).toMatchObject({ burstReads: 1 });
  });

  it('a middlebox that releases what it holds every ~1.5 KB: partial buffering in a few bursts', async () => {
    const up = await startSseServer({ mode: 'openai', events: 30, periodMs: 60 });
    started.push(up);
    const relay = await startHoldingRelay({ upstreamPort: up.port, holdBytes: 1500, quietMs: 700 });
    started.push(relay);
    const out = await runStreamStage(relay.url);
    expect(codes(out), why(out)).toEqual(['STREAM_BUFFERED']);
  });

  it('a LiteLLM-like producer stamping each chunk with its own created second, held by a middlebox: still buffered', async () => {
    // The events' `created` seconds straddle one boundary: that proves neither production over
    // time nor at once, so the 1.6 s wait before the single burst decides.
    const t = Math.floor(Date.now() / 1000);
    const chunk = (i: number) => `data: ${JSON.stringify({ id: 'chatcmpl-l', object: 'chat.completion.chunk', created: t + (i < 4 ? 0 : 1), model: 'm', choices: [{ index: 0, delta: { content: ` w${i}` }, finish_reason: null }] })}\n\n`;
    const up = await script({ headers: SSE, steps: [...paced([...Array.from({ length: 8 }, (_, i) => chunk(i)), 'data: [DONE]\n\n'], 180), { end: true }] });
    const relay = await startHoldingRelay({ upstreamPort: up.port, quietMs: 600 });
    started.push(relay);
    const out = await runStreamStage(relay.url);
    expect(codes(out), why(out)).toEqual(['STREAM_BUFFERED']);
  });

  it('an API gateway that buffers the whole stream and sends it with Content-Length: buffered, and the evidence says so', async () => {
    const ev = [oai({ role: 'assistant', content: '' }), ...tokens(6), oai({}, 'length'), 'data: [DONE]\n\n'];
    const s = await script({ headers: { ...SSE, 'x-amzn-RequestId': 'r-1' }, framing: 'length', steps: [{ sleep: 1500 }, { send: ev.join('') }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_BUFFERED']);
    expect(out.findings[0]!.evidence.join('\n')).toMatch(/content-length/i);
  });
});

describe('held-out streams that end badly', () => {
  it('a close-delimited stream (no chunking) that ends without [DONE]: STREAM_TRUNCATED', async () => {
    const s = await script({ headers: SSE, framing: 'close', steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(4)], 50), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_TRUNCATED']);
  });

  it('a reset mid-stream after tokens: STREAM_STALLED (cut) with ECONNRESET', async () => {
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(4)], 50), { sleep: 200 }, { reset: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_STALLED']);
    expect(out.findings[0]!.details).toMatchObject({ how: 'cut', phase: 'mid-stream', eventsBefore: 5, errorCode: 'ECONNRESET' });
  });

  it('keep-alive comments while the model thinks past the idle budget: STALLED before the first event, blamed on the producer, not the path', async () => {
    const keepAlive: ScriptStep[] = Array.from({ length: 12 }, () => [{ sleep: 250 }, { send: ': OPENROUTER PROCESSING\n\n' }] as ScriptStep[]).flat();
    const s = await script({ headers: SSE, steps: [...keepAlive, ...paced([oai({ role: 'assistant', content: '' }), ...tokens(3), 'data: [DONE]\n\n'], 30), { end: true }] });
    const out = await runStreamStage(s.url, 'openai-compatible', 3000);
    expect(codes(out), why(out)).toEqual(['STREAM_STALLED']);
    const f = out.findings[0]!;
    expect(f.details).toMatchObject({ how: 'idle', phase: 'before-first-event' });
    expect(f.evidence.join('\n')).toMatch(/keep-alive comment/);
    expect(f.origin).toBe('provider');
  });
});

describe('held-out error events inside a 200', () => {
  it('OpenAI style: tokens, then data: {"error": {type: server_error}}, then [DONE]', async () => {
    const err = `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } })}\n\n`;
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(3), err, 'data: [DONE]\n\n'], 40), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_ERROR_EVENT']);
    expect(out.findings[0]!.details).toMatchObject({ errorType: 'server_error' });
    expect(out.findings[0]!.retry).toBe('yes');
  });

  it('vLLM (older) style: a top-level {"object":"error"} data event, then [DONE]', async () => {
    const err = `data: ${JSON.stringify({ object: 'error', message: 'CUDA out of memory. Tried to allocate 2.00 GiB', type: 'InternalServerError', param: null, code: 500 })}\n\n`;
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(2), err, 'data: [DONE]\n\n'], 40), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_ERROR_EVENT']);
    expect(out.findings[0]!.details).toMatchObject({ errorType: 'InternalServerError', errorCode: '500' });
    expect(out.findings[0]!.retry).toBe('yes');
  });

  it('Hugging Face TGI style: {"error": "...", "error_type": "generation"} as plain data', async () => {
    const err = `data: ${JSON.stringify({ error: 'Request failed during generation: Server error: CUDA out of memory', error_type: 'generation' })}\n\n`;
    const tgi = (t: string) => `data: ${JSON.stringify({ index: 1, token: { id: 1, text: t, logprob: -0.1, special: false }, generated_text: null, details: null })}\n\n`;
    const s = await script({ headers: SSE, steps: [...paced([tgi('Hi'), tgi(' there'), err], 40), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_ERROR_EVENT']);
    expect(out.findings[0]!.details).toMatchObject({ errorType: 'generation' });
    expect((out.findings[0]!.details as { errorMessage: string }).errorMessage).toMatch(/CUDA out of memory/);
  });

  it('a proxy (LiteLLM style) relaying an upstream failure with a numeric code 500: retry helps', async () => {
    const err = `data: ${JSON.stringify({ error: { message: 'litellm.APIConnectionError: upstream closed', type: null, param: null, code: '500' } })}\n\n`;
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(2), err], 40), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_ERROR_EVENT']);
    expect(out.findings[0]!.retry).toBe('yes');
    expect(out.findings[0]!.owner).toBe('provider');
  });

  it('a rate-limit error event with a numeric 429: back off and retry, not yours to fix', async () => {
    const err = `event: error\ndata: ${JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } })}\n\n`;
    const s = await script({ headers: SSE, steps: [...paced([oai({ role: 'assistant', content: '' }), err], 40), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_ERROR_EVENT']);
    expect(out.findings[0]!.retry).toBe('yes');
  });
});

describe('held-out answers that are not event streams', () => {
  it('an event stream mislabelled text/plain: NOT_SSE, and the evidence says the body is SSE-shaped', async () => {
    const s = await script({ headers: { 'Content-Type': 'text/plain; charset=utf-8' }, steps: [...paced([oai({ role: 'assistant', content: '' }), ...tokens(3), 'data: [DONE]\n\n'], 40), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_NOT_SSE']);
    expect(out.findings[0]!.details).toMatchObject({ body: 'sse' });
    expect(out.findings[0]!.evidence.join('\n')).toMatch(/event stream.*label|labelled/i);
  });

  it('an NDJSON stream (Ollama native) instead of SSE: NOT_SSE naming newline-delimited JSON', async () => {
    const line = (t: string, done = false) => `${JSON.stringify({ model: 'llama3', created_at: new Date().toISOString(), message: { role: 'assistant', content: t }, done })}\n`;
    const s = await script({ headers: { 'Content-Type': 'application/x-ndjson' }, steps: [...paced([line('Hi'), line(' there'), line('', true)], 40), { end: true }] });
    const out = await runStreamStage(s.url);
    expect(codes(out), why(out)).toEqual(['STREAM_NOT_SSE']);
    expect(out.findings[0]!.details).toMatchObject({ body: 'ndjson' });
  });
});
