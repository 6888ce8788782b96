/** The SSE recorder: chunk splits, line ends, comments, retry fields, multi-byte text (property tests). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseRecorder } from '../../src/net/stream/sse.js';

interface Ev {
  name?: string;
  lines: string[];
}

const lineText = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\r\n]/.test(s));
const eventArb = fc.record(
  { name: fc.option(fc.constantFrom('message_start', 'content_block_delta', 'ping', 'x'), { nil: undefined }), lines: fc.array(lineText, { minLength: 1, maxLength: 3 }) },
  { requiredKeys: ['lines'] },
);
const eol = fc.constantFrom('\n', '\r\n', '\r');

/** Serialise events with the given line end, optional comments and retry lines between them. */
function serialise(events: Ev[], nl: string, extras: Array<'comment' | 'retry' | 'none'>): string {
  let out = '';
  events.forEach((e, i) => {
    const extra = extras[i % extras.length];
    if (extra === 'comment') out += `: keep-alive${nl}`;
    if (extra === 'retry') out += `retry: 1500${nl}`;
    if (e.name !== undefined) out += `event: ${e.name}${nl}`;
    for (const l of e.lines) out += `data: ${l}${nl}`;
    out += nl;
  });
  return out;
}

/** Split bytes at the given cut points and feed them as separate chunks. */
function feedSplit(bytes: Uint8Array, cuts: number[]) {
  const rec = new SseRecorder({ terminator: { data: '[DONE]' } });
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  points.forEach((p, i) => {
    rec.feed(bytes.subarray(prev, p), i * 10, i);
    prev = p;
  });
  rec.feed(bytes.subarray(prev), points.length * 10, points.length);
  return rec.end(points.length * 10 + 1);
}

describe('SseRecorder', () => {
  it('parses the same events however the bytes are split, whatever the line ends', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 8 }),
        eol,
        fc.array(fc.constantFrom('comment', 'retry', 'none') as fc.Arbitrary<'comment' | 'retry' | 'none'>, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(4000), { maxLength: 12 }),
        (events, nl, extras, cuts) => {
          // A lone CR at the very end of the body is ambiguous until more bytes come; end with a blank LF line.
          const text = serialise(events, nl, extras) + '\n';
          const bytes = new TextEncoder().encode(text);
          const whole = feedSplit(bytes, []);
          const split = feedSplit(bytes, cuts);
          expect(split.events).toBe(events.length);
          expect(whole.events).toBe(events.length);
          expect(split.arrivals.map((a) => [a.name, a.bytes])).toEqual(events.map((e) => [e.name, e.lines.join('\n').length]));
          const comments = events.filter((_, i) => extras[i % extras.length] === 'comment').length;
          expect(split.comments).toBe(comments);
          if (events.some((_, i) => extras[i % extras.length] === 'retry')) expect(split.retryMs).toBe(1500);
          expect(split.parseErrors).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stamps each event with the chunk that completed it', () => {
    const rec = new SseRecorder({ terminator: { data: '[DONE]' } });
    rec.feed('data: {"choices":[{"delta":{"content":"Hi"}}]}\n', 5, 0);
    rec.feed('\ndata: {"choices":[{"delta":{"content":"!"}}]}\n\nda', 9, 1);
    rec.feed('ta: [DONE]\n\n', 20, 2);
    const r = rec.end(21);
    expect(r.arrivals.map((a) => [a.at, a.chunk, a.kind])).toEqual([
      [9, 1, 'content'],
      [9, 1, 'content'],
      [20, 2, 'terminal'],
    ]);
    expect(r.firstEventAt).toBe(9);
    expect(r.firstContentAt).toBe(9);
    expect(r.terminalAt).toBe(20);
  });

  it('recognises Anthropic events, pings and the message_stop terminator', () => {
    const rec = new SseRecorder({ terminator: { event: 'message_stop' } });
    const body = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1"}}\n\n',
      'event: ping\ndata: {"type": "ping"}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens"}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ];
    body.forEach((b, i) => rec.feed(b, i * 100, i));
    const r = rec.end(500);
    expect(r.arrivals.map((a) => a.kind)).toEqual(['other', 'ping', 'content', 'other', 'terminal']);
    expect(r.finish).toBe('max_tokens');
    expect(r.terminalAt).toBe(400);
    expect(r.firstContentAt).toBe(200);
  });

  it('reads error events: Anthropic event: error and OpenAI data objects with error', () => {
    const a = new SseRecorder({ terminator: { event: 'message_stop' } });
    a.feed('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n', 50, 0);
    expect(a.end(60).error).toMatchObject({ at: 50, name: 'error', type: 'overloaded_error', message: 'Overloaded' });
    const o = new SseRecorder({ terminator: { data: '[DONE]' } });
    o.feed('data: {"error":{"message":"The server had an error","type":"server_error","code":null}}\n\n', 70, 0);
    expect(o.end(80).error).toMatchObject({ at: 70, type: 'server_error', message: 'The server had an error' });
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = new TextEncoder().encode('data: {"choices":[{"delta":{"content":"héllo ✓ 🙂"}}]}\n\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const rec = new SseRecorder({ terminator: { data: '[DONE]' } });
      rec.feed(bytes.subarray(0, cut), 1, 0);
      rec.feed(bytes.subarray(cut), 2, 1);
      const r = rec.end(3);
      expect(r.events).toBe(1);
      expect(r.arrivals[0]!.kind).toBe('content');
    }
  });

  it('bounds memory: an endless line marks overflow instead of growing, the timeline is capped', () => {
    const rec = new SseRecorder({ terminator: { data: '[DONE]' }, maxBufferSize: 1024, maxArrivals: 3 });
    for (let i = 0; i < 5; i++) rec.feed(`data: ${i}\n\n`, i, i);
    rec.feed('data: ' + 'x'.repeat(4096), 6, 6);
    rec.feed('more', 7, 7);
    const r = rec.end(8);
    expect(r.events).toBe(5);
    expect(r.arrivals).toHaveLength(3);
    expect(r.droppedArrivals).toBe(2);
    expect(r.overflow).toBe(true);
  });

  it('drops an event left unfinished when the body ends', () => {
    const rec = new SseRecorder({ terminator: { data: '[DONE]' } });
    rec.feed('data: one\n\ndata: tw', 1, 0);
    expect(rec.end(2).events).toBe(1);
  });
});
