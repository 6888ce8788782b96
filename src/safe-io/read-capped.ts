/**
 * Reading a file the user named, which may be a FIFO, a character device or a socket that never
 * ends (`--api-key-file /dev/zero`, `NODE_EXTRA_CA_CERTS=<(slow)`): at most `maxBytes`, for at
 * most `timeoutMs`. Non-regular files are opened non-blocking, so neither open() nor read() can
 * hang a thread of the pool; a FIFO nobody writes to reads as empty.
 */
import { constants } from 'node:fs';
import { open, sleep } from './fs-async.js';

export const KEY_FILE_MAX = 4 * 1024;
export const CA_BUNDLE_MAX = 16 * 1024 * 1024;
/** The time a special file gets to deliver its content. */
export const SPECIAL_FILE_TIMEOUT_MS = 5000;

/** Why a capped read stopped: `ETOOBIG` (more than the cap) or `ETIMEDOUT` (not finished in time). */
export class CappedReadError extends Error {
  constructor(
    readonly code: 'ETOOBIG' | 'ETIMEDOUT',
    message: string,
  ) {
    super(message);
  }
}

export interface CapOptions {
  maxBytes: number;
  timeoutMs?: number;
}

/** One line that says what a failed read means, for a usage error. */
export function describeReadError(err: unknown, maxBytes: number): string {
  const code = (err as { code?: string }).code ?? 'error';
  if (code === 'ETOOBIG') return `more than ${maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes / 1024} KiB`}`;
  if (code === 'ETIMEDOUT') return 'it delivered no end of file in time (a FIFO or device?)';
  return code;
}

export async function readCapped(path: string, opts: CapOptions): Promise<Buffer> {
  // Opened non-blocking whatever it is (the flag changes nothing for a regular file) and judged by
  // fstat: one trip through the thread pool fewer than stat() before open().
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const deadline = Date.now() + (opts.timeoutMs ?? SPECIAL_FILE_TIMEOUT_MS);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
    const regular = st.isFile();
    if (regular && st.size > opts.maxBytes) throw new CappedReadError('ETOOBIG', `${path}: ${st.size} bytes`);
    // A regular file is asked for one byte more than its size: a shorter read is its end, and no
    // second read is needed to see it.
    let want = regular ? st.size + 1 : 64 * 1024;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(want, opts.maxBytes + 1 - total));
      let n: number;
      try {
        n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EAGAIN') throw err;
        if (Date.now() >= deadline) throw new CappedReadError('ETIMEDOUT', `${path}: no end of file in time`);
        await sleep(10);
        continue;
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > opts.maxBytes) throw new CappedReadError('ETOOBIG', `${path}: more than ${opts.maxBytes} bytes`);
      if (regular && n < buf.length) break;
      if (Date.now() >= deadline) throw new CappedReadError('ETIMEDOUT', `${path}: no end of file in time`);
      want = 64 * 1024;
    }
  } finally {
    // Not awaited: nothing waits on the descriptor's release.
    fh.close().catch(() => undefined);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
