/** The stream rules as tables: buffering, truncation, stalls, non-SSE bodies, error events. */
import { describe, expect, it } from 'vitest';
import type { ArrivalEvent, SseRecord } from '../../src/net/stream/sse.js';
import type { StreamObservation } from '../../src/net/stream/observation.js';
import { assessBuffering } from '../../src/diagnose/stream/buffering.js';
import { judgeStream, matchTimeout } from '../../src/diagnose/stream/rules.js';
import { describeBody } from '../../src/diagnose/stream/body.js';

/** A timeline: [at, chunk] pairs, the last one terminal. */
function tl(points: Array<[number, number]>, producedAt?: number[]): ArrivalEvent[] {
  return points.map(([at, chunk], i) => ({
    at,
    chunk,
    kind: i === points.length - 1 ? 'terminal' : 'content',
    bytes: 40,
    ...(producedAt ? { producedAt: producedAt[i] } : {}),
  }));
}
const paced = (n: number, gap: number, start = 200) => tl(Array.from({ length: n }, (_, i) => [start + i * gap, i] as [number, number]));
const burst = (n: number, at: number, reads = 1) => tl(Array.from({ length: n }, (_, i) => [at + i * 0.1, Math.floor((i * reads) / n)] as [number, number]));

describe('assessBuffering', () => {
  const cases: Array<[string, ArrivalEvent[], boolean, string]> = [
    ['paced every 250 ms', paced(10, 250), false, 'separate-reads'],
    ['buffer filled once mid-way, the rest at the end (nginx 4 KiB buffers)', tl([...Array.from({ length: 12 }, () => [1500, 0] as [number, number]), ...Array.from({ length: 7 }, () => [2800, 1] as [number, number])]), true, 'held-back'],
    ['fast model coalesced two or three per read by the network', tl(Array.from({ length: 19 }, (_, i) => [400 + i * 2, Math.floor(i / 3)] as [number, number])), false, 'separate-reads'],
    ['fast model, 5 ms apart, separate reads, after a 2 s prefill', paced(8, 5, 2000), false, 'separate-reads'],
    ['all 10 at 2.5 s in one read', burst(10, 2500), true, 'held-back'],
    ['all 10 at 2.5 s in two reads (buffer filled once)', burst(10, 2500, 2), true, 'held-back'],
    ['all 12 at 3 s in 12 reads (each flushed, arriving together)', tl(Array.from({ length: 12 }, (_, i) => [3000 + i * 0.5, i] as [number, number])), false, 'separate-reads'],
    ['one event early, the rest held to the end', tl([[50, 0], ...Array.from({ length: 9 }, (_, i) => [2400 + i * 0.1, 1] as [number, number])]), true, 'held-back'],
    ['half early, half late', tl([...Array.from({ length: 5 }, (_, i) => [100 + i * 200, i] as [number, number]), ...Array.from({ length: 5 }, () => [3000, 9] as [number, number])]), false, 'separate-reads'],
    ['instant answer in one read (nothing held)', burst(6, 40), false, 'no-wait'],
    ['two events only', burst(2, 3000), false, 'too-few-events'],
    ['one read after 2 s, own timestamps span 2 s (ms)', tl(Array.from({ length: 6 }, () => [2100, 0] as [number, number]), [0, 400, 800, 1200, 1600, 2000].map((x) => 1.7e12 + x)), true, 'held-back'],
    ['one read after 2 s, own timestamps identical (ms): made at once', tl(Array.from({ length: 6 }, () => [2100, 0] as [number, number]), Array(6).fill(1.7e12 + 123)), false, 'produced-at-once'],
    ['OpenAI created seconds identical: no information, wait decides', tl(Array.from({ length: 6 }, () => [2100, 0] as [number, number]), Array(6).fill(1.7e12)), true, 'held-back'],
    ['created seconds straddle one boundary: proves nothing either way, the 2 s wait decides', tl(Array.from({ length: 6 }, () => [2100, 0] as [number, number]), [0, 0, 0, 1000, 1000, 1000].map((x) => 1.7e12 + x)), true, 'held-back'],
    ['created seconds straddle one boundary, no wait: not buffered', tl(Array.from({ length: 6 }, () => [40, 0] as [number, number]), [0, 0, 0, 1000, 1000, 1000].map((x) => 1.7e12 + x)), false, 'no-wait'],
  ];
  it.each(cases)('%s', (_name, arrivals, buffered, reason) => {
    const a = assessBuffering(arrivals);
    expect(a.reason).toBe(reason);
    expect(a.buffered).toBe(buffered);
  });
});

function sse(arrivals: ArrivalEvent[], extra: Partial<SseRecord> = {}): SseRecord {
  const terminal = arrivals.find((a) => a.kind === 'terminal');
  return {
    events: arrivals.length,
    arrivals,
    droppedArrivals: 0,
    comments: 0,
    parseErrors: 0,
    overflow: false,
    firstEventAt: arrivals[0]?.at,
    firstContentAt: arrivals.find((a) => a.kind === 'content')?.at,
    lastEventAt: arrivals[arrivals.length - 1]?.at,
    ...(terminal ? { terminalAt: terminal.at } : {}),
    ...extra,
  };
}

function obs(p: Partial<StreamObservation> & { sse: SseRecord }): StreamObservation {
  const last = p.sse.arrivals[p.sse.arrivals.length - 1]?.at;
  return {
    connectMs: 1,
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    headersAt: 5,
    firstByteAt: p.sse.arrivals[0]?.at,
    lastByteAt: last,
    end: { kind: p.sse.terminalAt !== undefined ? 'terminal' : 'complete', at: last ?? 10 },
    rawBytes: 1000,
    decodedBytes: 1000,
    chunks: 10,
    bodyPrefix: '',
    idleBudgetMs: 5000,
    ...p,
  };
}

const codes = (o: StreamObservation) => judgeStream(o).findings.map((f) => f.code);

describe('judgeStream', () => {
  it('passes a healthy paced stream with its terminal event', () => {
    expect(codes(obs({ sse: sse(paced(8, 250)) }))).toEqual([]);
  });
  it('BUFFERED when everything came at once at the end, naming compression', () => {
    const v = judgeStream(obs({ sse: sse(burst(10, 2600)), headers: { 'content-type': 'text/event-stream', 'content-encoding': 'gzip', server: 'nginx/1.22.1' } }));
    expect(v.findings.map((f) => f.code)).toEqual(['STREAM_BUFFERED']);
    expect(v.findings[0]!.evidence.join('\n')).toMatch(/content-encoding: gzip/);
    expect(v.findings[0]!.details).toMatchObject({ burstEvents: 10, burstReads: 1, contentEncoding: 'gzip' });
  });
  it('TRUNCATED when the body ended cleanly without the terminal event', () => {
    const a = paced(6, 100).map((e) => ({ ...e, kind: 'content' as const }));
    const v = judgeStream(obs({ sse: sse(a, { finish: 'length' }), end: { kind: 'complete', at: 800 } }));
    expect(v.findings.map((f) => f.code)).toEqual(['STREAM_TRUNCATED']);
    expect(v.findings[0]!.evidence[1]).toMatch(/finish reason "length"/);
  });
  it('STALLED (cut) when the connection broke mid-stream, matching a known timeout', () => {
    const a = paced(4, 1000).map((e) => ({ ...e, kind: 'content' as const }));
    const v = judgeStream(obs({ sse: sse(a), lastByteAt: 3200, end: { kind: 'cut', at: 63_300, errorCode: 'UND_ERR_SOCKET' } }));
    expect(v.findings.map((f) => f.code)).toEqual(['STREAM_STALLED']);
    expect(v.findings[0]!.details).toMatchObject({ phase: 'mid-stream', how: 'cut', matchedTimeoutMs: 60_000, errorCode: 'UND_ERR_SOCKET' });
  });
  it('STALLED (idle) when nothing came for the idle budget', () => {
    const a = paced(3, 100).map((e) => ({ ...e, kind: 'content' as const }));
    const v = judgeStream(obs({ sse: sse(a), lastByteAt: 400, end: { kind: 'idle', at: 5400 } }));
    expect(v.findings.map((f) => f.code)).toEqual(['STREAM_STALLED']);
    expect(v.findings[0]!.details).toMatchObject({ how: 'idle', silenceMs: 5000, eventsBefore: 3 });
  });
  it('STALLED before headers when none came', () => {
    const v = judgeStream(obs({ sse: sse([]), status: undefined, headers: {}, headersAt: undefined, end: { kind: 'no-headers', at: 9000 } }));
    expect(v.findings[0]!.details).toMatchObject({ phase: 'before-headers' });
  });
  it('ERROR_EVENT inside a 200, and no TRUNCATED next to it; retry follows the error type', () => {
    const a = paced(3, 100).map((e) => ({ ...e, kind: 'other' as const }));
    const v = judgeStream(obs({ sse: sse(a, { error: { at: 300, name: 'error', type: 'overloaded_error', message: 'Overloaded' } }), end: { kind: 'complete', at: 310 } }));
    expect(v.findings.map((f) => f.code)).toEqual(['STREAM_ERROR_EVENT']);
    expect(v.findings[0]!.retry).toBe('yes');
    const w = judgeStream(obs({ sse: sse(a, { error: { at: 300, type: 'invalid_request_error', message: 'bad model' } }), end: { kind: 'complete', at: 310 } }));
    expect(w.findings[0]).toMatchObject({ retry: 'no', owner: 'you' });
  });
  it('NOT_SSE says what came instead', () => {
    const html = judgeStream(obs({ sse: sse([]), headers: { 'content-type': 'text/html' }, bodyPrefix: '<!DOCTYPE html><html><head><title>Access Denied</title></head>' }));
    expect(html.findings[0]).toMatchObject({ code: 'STREAM_NOT_SSE', details: { body: 'html', label: 'Access Denied' } });
    const json = judgeStream(obs({ sse: sse([]), headers: { 'content-type': 'application/json' }, bodyPrefix: '{"id":"x","choices":[{"message":{"content":"hi"}}]}' }));
    expect(json.findings[0]!.details).toMatchObject({ body: 'json-completion' });
    const err = judgeStream(obs({ sse: sse([]), status: 400, headers: { 'content-type': 'application/json' }, bodyPrefix: '{"error":{"type":"invalid_request_error","message":"model: not found"}}' }));
    expect(err.findings[0]!.details).toMatchObject({ body: 'json-error', status: 400 });
  });
});

describe('matchTimeout and describeBody', () => {
  it.each([
    [60_400, 60_000],
    [14_600, 15_000],
    [299_000, 300_000],
    [45_000, undefined],
    [2_000, undefined],
  ])('%d ms matches %s', (ms, expected) => {
    expect(matchTimeout(ms)?.ms).toBe(expected);
  });
  it.each([
    ['text/html', '<html><body><h1>403 Forbidden</h1></body></html>', 'html'],
    [undefined, '  <!doctype html><title>Login</title>', 'html'],
    ['application/json', '{"error":"nope"}', 'json-error'],
    ['application/json', '{"error":{"message":"x"', 'json'],
    ['text/plain', 'upstream connect error or disconnect/reset before headers', 'text'],
    ['text/plain', '', 'empty'],
  ])('%s %j is %s', (ct, body, kind) => {
    expect(describeBody(ct, body).kind).toBe(kind);
  });
});
