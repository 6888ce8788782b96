/** Reading a response body with a hard cap, and flattening undici's headers (I/O helpers). */
import type { Readable } from 'node:stream';
import { errorFacts, type ErrorFacts } from '../failure.js';

/** Never hold more than this much of a body, whatever the server sends. */
export const BODY_CAP = 64 * 1024;

export interface CappedBody {
  text: string;
  /** Bytes received (up to the cap plus one chunk). */
  bytes: number;
  /** True when the body was longer than the cap and the rest was not read. */
  truncated: boolean;
  /** How the body read ended, when it did not end cleanly. */
  error?: ErrorFacts;
}

/**
 * Read at most `cap` bytes, then stop reading (the connection is destroyed by the caller). A body
 * cut by the peer or the deadline returns what arrived with the error.
 */
export async function readCapped(body: Readable, cap = BODY_CAP, onFirstChunk?: () => void): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  let first = true;
  try {
    for await (const chunk of body) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      if (first) {
        first = false;
        onFirstChunk?.();
      }
      const room = cap - bytes;
      if (b.length > room) {
        chunks.push(b.subarray(0, Math.max(0, room)));
        bytes += b.length;
        truncated = true;
        break;
      }
      chunks.push(b);
      bytes += b.length;
    }
  } catch (err) {
    const facts = errorFacts(err);
    // undici's parser error on a body (bad chunking) may carry no code: its name is stable, its message is not.
    if (!facts.code && (err as { name?: unknown })?.name === 'HTTPParserError') {
      facts.code = 'HPE_INVALID_BODY';
      facts.codes.push('HPE_INVALID_BODY');
    }
    return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated, error: facts };
  } finally {
    if (truncated) body.destroy();
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated };
}

/** undici's headers (string or string[] values) as one lower-case record; repeated values joined. */
export function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    // A hostile server may send thousands of headers: keep the first 200.
    if (++n > 200) break;
    const value = Array.isArray(v) ? v.join(', ') : v;
    out[k.toLowerCase()] = value.length > 2048 ? value.slice(0, 2048) : value;
  }
  return out;
}
