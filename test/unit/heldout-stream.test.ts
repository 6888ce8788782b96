/** Held-out tables for the stream rules: shapes the stage was not built against (pure, no I/O). */
import { describe, expect, it } from 'vitest';
import type { ArrivalEvent } from '../../src/net/stream/sse.js';
import { classifyEvent } from '../../src/net/stream/sse-events.js';
import { assessBuffering } from '../../src/diagnose/stream/buffering.js';
import { describeBody } from '../../src/diagnose/stream/body.js';
import { errorEventAdvice } from '../../src/diagnose/stream/rules.js';

/** `groups` reads, `per` events each, `gap` ms apart, starting at `start`. */
function grouped(groups: number, per: number, gap: number, start: number): ArrivalEvent[] {
  return Array.from({ length: groups * per }, (_, i) => ({ at: start + Math.floor(i / per) * gap, chunk: Math.floor(i / per), kind: 'content' as const, bytes: 40 }));
}

describe('buffering in bursts (partial buffering)', () => {
  const cases: Array<[string, ArrivalEvent[], boolean, string]> = [
    ['nginx 1 KiB buffers: 8 reads of 5 events, 360 ms apart', grouped(8, 5, 360, 320), true, 'held-in-bursts'],
    ['a middlebox releasing every 1.5 KB: 5 reads of 7, 500 ms apart (few enough reads for the main rule)', grouped(5, 7, 500, 400), true, 'held-back'],
    ['a fast model, four events to a read, 12 ms apart after 1 s', grouped(6, 4, 12, 1000), false, 'separate-reads'],
    ['gzip releasing pairs 400 ms apart', grouped(6, 2, 400, 600), false, 'separate-reads'],
    ['a server flushing three events at a time every 250 ms', grouped(8, 3, 250, 250), false, 'separate-reads'],
    ['one big early read, the rest one by one', [...grouped(1, 6, 0, 300), ...Array.from({ length: 14 }, (_, i) => ({ at: 400 + i * 100, chunk: 10 + i, kind: 'content' as const, bytes: 40 }))], false, 'separate-reads'],
  ];
  it.each(cases)('%s', (_name, arrivals, buffered, reason) => {
    const a = assessBuffering(arrivals);
    expect(a.reason).toBe(reason);
    expect(a.buffered).toBe(buffered);
  });
});

describe('error events in other servers\' shapes', () => {
  const none = {};
  const cases: Array<[string, string | undefined, string, string | undefined]> = [
    ['vLLM (older): top-level object "error"', undefined, JSON.stringify({ object: 'error', message: 'CUDA OOM', type: 'InternalServerError', param: null, code: 500 }), 'InternalServerError'],
    ['TGI: error string with error_type', undefined, JSON.stringify({ error: 'Input validation error: max_new_tokens', error_type: 'validation' }), 'validation'],
    ['Gemini mid-stream error', undefined, JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }), 'UNAVAILABLE'],
    ['Anthropic event: error', 'error', JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } }), 'api_error'],
  ];
  it.each(cases)('%s is an error', (_n, name, data, type) => {
    const m = classifyEvent(name, data, { data: '[DONE]' });
    expect(m.kind).toBe('error');
    expect(m.error?.type).toBe(type);
  });
  it('content that merely has an empty or null error field is not an error', () => {
    expect(classifyEvent(undefined, JSON.stringify({ choices: [{ delta: { content: 'hi' } }], error: null }), none).kind).toBe('content');
    expect(classifyEvent(undefined, JSON.stringify({ token: { text: 'hi' }, error: '' }), none).kind).toBe('other');
    expect(classifyEvent(undefined, JSON.stringify({ response: 'hi', error: 'x' }), none).kind).toBe('content');
  });

  const advice: Array<[{ type?: string; code?: string }, string, string]> = [
    [{ code: '500' }, 'yes', 'provider'],
    [{ code: '429', type: 'RESOURCE_EXHAUSTED' }, 'yes', 'provider'],
    [{ type: 'InternalServerError', code: '500' }, 'yes', 'provider'],
    [{ type: 'overloaded_error' }, 'yes', 'provider'],
    [{ code: '400' }, 'no', 'you'],
    [{ type: 'invalid_request_error', code: 'context_length_exceeded' }, 'no', 'you'],
    [{ type: 'insufficient_quota' }, 'no', 'you'],
    [{ type: 'validation' }, 'no', 'you'],
    [{ type: 'generation' }, 'once', 'provider'],
    [{}, 'once', 'provider'],
  ];
  it.each(advice)('%j: retry %s, owner %s', (e, retry, owner) => {
    expect(errorEventAdvice(e)).toEqual({ retry, owner });
  });
});

describe('what came instead of an event stream', () => {
  it('recognises an event stream under another label', () => {
    expect(describeBody('text/plain', 'data: {"choices":[]}\n\ndata: [DONE]\n\n').kind).toBe('sse');
    expect(describeBody('application/octet-stream', ': ping\n\nevent: message_start\ndata: {}\n\n').kind).toBe('sse');
  });
  it('recognises newline-delimited JSON', () => {
    expect(describeBody('application/x-ndjson', '{"message":{"content":"Hi"},"done":false}\n{"message":{"content":"!"},"done":true}\n').kind).toBe('ndjson');
  });
  it('does not mistake a pretty-printed JSON error or an HTML page for either', () => {
    expect(describeBody('application/json', '{\n  "error": {\n    "message": "model not found"\n  }\n}\n').kind).toBe('json-error');
    expect(describeBody('text/html', '<html><head><title>data: blocked</title></head></html>').kind).toBe('html');
    expect(describeBody('text/plain', 'upstream connect error or disconnect/reset before headers').kind).toBe('text');
  });
});
