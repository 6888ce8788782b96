/**
 * HTTP/2 (issue 11, item 5) against real servers on loopback: Node's http2 module (h2 only, h2 with
 * HTTP/1.1, h2c by prior knowledge, RST_STREAM and GOAWAY sent on purpose) and raw scripted HTTP/1.1
 * answers the client's parser refuses. The tls stage offers what the request will use; an h2-only
 * server is named as such; h2 error frames are read by their error code.
 */
import { describe, expect, it } from 'vitest';
import { H2, startH2Server } from '../../fixtures/h2-servers.js';
import { startScripted } from '../../fixtures/http-scripted.js';
import { TEST_CA_PATH, startTlsServer } from '../../fixtures/tls-server.js';
import { cleanEnv, codesOf, runCli, stageOf } from '../helpers/cli.js';
import { closeAfterAll } from '../helpers/fixtures.js';

const keep = closeAfterAll();
const env = cleanEnv({ OPENAI_API_KEY: 'sk-test-h2-0000000000abcd' });

function diagnose(url: string, extra: string[] = []) {
  return runCli([url, '--provider', 'openai-compatible', '--json', '--timeout', '3s', ...extra], { env });
}
const local = (port: number, path = '/v1') => `https://localhost:${port}${path}`;
const pin = (port: number) => ['--resolve', `localhost:${port}:127.0.0.1`, '--ca', TEST_CA_PATH];

describe('h2-only servers are named, not a garbled transport error', () => {
  it('an h2-only TLS server, default run (HTTP/1.1 client): HTTP2_ONLY_SERVER from the ALPN refusal', async () => {
    const s = await keep(startH2Server());
    const run = await diagnose(local(s.port), pin(s.port));
    expect(run.code).toBe(14);
    expect(run.report!.rootCause).toBe('HTTP2_ONLY_SERVER');
    expect(codesOf(run.report!)).not.toContain('HTTP_TRANSPORT_ERROR');
    expect(codesOf(run.report!)).not.toContain('TLS_PROTOCOL_ERROR');
    const tls = stageOf(run.report!, 'tls');
    expect(tls.data.alpnOffered).toEqual(['http/1.1']);
    const d = run.report!.diagnoses[0]!;
    expect(d.details).toMatchObject({ seenBy: 'alpn', accepted: 'h2' });
    expect(d.remediation.map((r) => r.command ?? '').join('\n')).toContain('--http2');
  });

  it('the same server with --http2: h2 offered and spoken, the run passes', async () => {
    const s = await keep(startH2Server());
    const run = await diagnose(local(s.port), [...pin(s.port), '--http2']);
    expect(run.code).toBe(0);
    expect(stageOf(run.report!, 'tls').data.alpnOffered).toEqual(['h2', 'http/1.1']);
    expect(stageOf(run.report!, 'tls').data.alpn).toBe('h2');
    expect(stageOf(run.report!, 'http').data.httpVersion).toBe('2');
    expect(stageOf(run.report!, 'http').data.status).toBe(200);
  });

  it('a server that speaks both: HTTP/1.1 negotiated by default, no finding', async () => {
    const s = await keep(startH2Server({ allowHTTP1: true }));
    const run = await diagnose(local(s.port), pin(s.port));
    expect(run.code).toBe(0);
    expect(stageOf(run.report!, 'tls').data.alpn).toBe('http/1.1');
    expect(stageOf(run.report!, 'http').data.httpVersion).toBe('1.1');
  });

  it('h2c by prior knowledge on a plain port answers HTTP/1.1 with frames: HTTP2_ONLY_SERVER, seen by the http stage', async () => {
    const s = await keep(startH2Server({ tls: false }));
    const run = await diagnose(`http://127.0.0.1:${s.port}/v1`);
    expect(run.code).toBe(14);
    expect(run.report!.rootCause).toBe('HTTP2_ONLY_SERVER');
    expect(run.report!.diagnoses[0]!.details.seenBy).toBe('http');
  });
});

describe('h2 error frames, read by their code (--http2)', () => {
  it('RST_STREAM REFUSED_STREAM: safe to retry', async () => {
    const s = await keep(startH2Server({ behaviour: { kind: 'rst', code: H2.NGHTTP2_REFUSED_STREAM } }));
    const run = await diagnose(local(s.port), [...pin(s.port), '--http2']);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses.find((x) => x.code === 'HTTP2_STREAM_ERROR')!;
    expect(d.details).toMatchObject({ frame: 'RST_STREAM', errorName: 'REFUSED_STREAM', errorCode: 7 });
    expect(d.retry).toBe('yes');
    expect(d.evidence.join('\n')).toMatch(/safe to retry/);
  });

  it('GOAWAY ENHANCE_YOUR_CALM: throttled as abusive, retrying does not help', async () => {
    const s = await keep(startH2Server({ behaviour: { kind: 'goaway', code: H2.NGHTTP2_ENHANCE_YOUR_CALM } }));
    const run = await diagnose(local(s.port), [...pin(s.port), '--http2']);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses.find((x) => x.code === 'HTTP2_STREAM_ERROR')!;
    expect(d.details).toMatchObject({ frame: 'GOAWAY', errorName: 'ENHANCE_YOUR_CALM', errorCode: 11 });
    expect(d.retry).toBe('no');
  });

  it('RST_STREAM INTERNAL_ERROR from the server', async () => {
    const s = await keep(startH2Server({ behaviour: { kind: 'rst', code: H2.NGHTTP2_INTERNAL_ERROR } }));
    const run = await diagnose(local(s.port), [...pin(s.port), '--http2']);
    const d = run.report!.diagnoses.find((x) => x.code === 'HTTP2_STREAM_ERROR')!;
    expect(d.details).toMatchObject({ frame: 'RST_STREAM', errorName: 'INTERNAL_ERROR' });
  });
});

describe('--http2 against other servers', () => {
  it('an HTTP/1.1-only server: ALPN picks http/1.1 and the request falls back to it', async () => {
    const s = await keep(startTlsServer({ cert: 'valid' }));
    const run = await diagnose(local(s.port), [...pin(s.port), '--http2']);
    expect(run.code).toBe(0);
    expect(stageOf(run.report!, 'tls').data.alpn).toBe('http/1.1');
    expect(stageOf(run.report!, 'http').data.httpVersion).toBe('1.1');
  });

  it('an h2 stream that is never answered ends at the budget as HEADERS_TIMEOUT, not a hang', async () => {
    const s = await keep(startH2Server({ behaviour: { kind: 'hang' } }));
    const run = await runCli([local(s.port), ...pin(s.port), '--provider', 'openai-compatible', '--json', '--timeout', '2s', '--http2'], { env });
    expect(run.code).toBe(14);
    expect(run.report!.rootCause).toBe('HEADERS_TIMEOUT');
  });
});

describe('HTTP/1.1 parser errors are HTTP_PROTOCOL_ERROR with the reason', () => {
  it('both Content-Length and Transfer-Encoding', async () => {
    const s = await keep(startScripted([{ write: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n{"data":[]}\r\n0\r\n\r\n' }]));
    const run = await diagnose(`http://127.0.0.1:${s.port}/v1`);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses.find((x) => x.code === 'HTTP_PROTOCOL_ERROR')!;
    expect(d).toBeDefined();
    expect(d.evidence.join('\n')).toMatch(/Content-Length.*Transfer-Encoding/);
  });

  it('bad chunking: a chunk size that is not hex', async () => {
    const s = await keep(startScripted([{ write: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"data":[]}\r\n0\r\n\r\n' }]));
    const run = await diagnose(`http://127.0.0.1:${s.port}/v1`);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses.find((x) => x.code === 'HTTP_PROTOCOL_ERROR')!;
    expect(d).toBeDefined();
    expect(d.evidence.join('\n')).toMatch(/chunk/);
  });

  it('a header name with a space in it', async () => {
    const s = await keep(startScripted([{ write: 'HTTP/1.1 200 OK\r\nContent Type: application/json\r\nContent-Length: 2\r\n\r\n{}' }]));
    const run = await diagnose(`http://127.0.0.1:${s.port}/v1`);
    expect(run.code).toBe(14);
    const d = run.report!.diagnoses.find((x) => x.code === 'HTTP_PROTOCOL_ERROR')!;
    expect(d.details.reason ?? d.details.parserReason).toBeDefined();
  });
});
