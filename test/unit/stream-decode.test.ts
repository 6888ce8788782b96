/** Incremental decoding keeps each piece tied to the network read that carried it. */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createBodyDecoder } from '../../src/net/stream/decode.js';

const TEXT = 'data: {"choices":[{"delta":{"content":"Hello"}}]}\n\n'.repeat(20) + 'data: [DONE]\n\n';

async function decode(encoding: string, bytes: Buffer, parts: number) {
  const pieces: Array<{ text: string; at: number; chunk: number }> = [];
  const d = createBodyDecoder(encoding, (p, at, chunk) => pieces.push({ text: p.toString('utf8'), at, chunk }));
  const size = Math.ceil(bytes.length / parts);
  for (let i = 0; i * size < bytes.length; i++) d.write(bytes.subarray(i * size, (i + 1) * size), 100 + i, i);
  await d.end();
  return { text: pieces.map((p) => p.text).join(''), pieces, error: d.error };
}

describe('createBodyDecoder', () => {
  it.each([
    ['gzip', gzipSync(TEXT)],
    ['x-gzip', gzipSync(TEXT)],
    ['deflate', deflateSync(TEXT)],
    ['deflate', deflateRawSync(TEXT)], // raw deflate, as some servers send it
    ['br', brotliCompressSync(TEXT)],
    ['', Buffer.from(TEXT)],
    ['identity', Buffer.from(TEXT)],
  ])('%s decodes split into 7 reads', async (enc, bytes) => {
    const r = await decode(enc, bytes as Buffer, 7);
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(TEXT);
    // Every piece is credited to a read that was actually written, at that read's time.
    for (const p of r.pieces) expect(p.at).toBe(100 + p.chunk);
  });

  it('reports corrupt data and an unknown encoding instead of throwing', async () => {
    expect((await decode('gzip', Buffer.from('not gzip at all, sorry'), 2)).error).toMatch(/gzip data could not be decoded/);
    expect((await decode('zstd', Buffer.from('whatever'), 1)).error).toMatch(/unsupported content-encoding zstd/);
  });

  it('a gzip stream cut short still yields what arrived (sync flush at the end)', async () => {
    const full = gzipSync(TEXT);
    const r = await decode('gzip', full.subarray(0, full.length - 12), 3);
    expect(TEXT.startsWith(r.text)).toBe(true);
    expect(r.text.length).toBeGreaterThan(0);
  });
});
