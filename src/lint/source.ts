/**
 * Reading configuration files with bounds: a size cap per file and in all, a cap on the number of
 * files and the include depth, binary files refused, include loops named. Everything that goes
 * wrong here is a LintInputError (exit 2), never a stack trace.
 */
import { closeSync, openSync, readSync, fstatSync, statSync } from 'node:fs';
import { LintInputError } from './types.js';

/** Larger than any real proxy configuration (an `nginx -T` of a big site is a few hundred KiB). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 16 * 1024 * 1024;
export const MAX_FILES = 1000;
export const MAX_INCLUDE_DEPTH = 32;

function human(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Decode, refusing binary content (NUL bytes or text that is not UTF-8). */
export function decodeText(buf: Buffer, path: string): string {
  const head = buf.subarray(0, 64 * 1024);
  if (head.includes(0)) throw new LintInputError(`${path}: a binary file (NUL bytes), not a configuration`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    throw new LintInputError(`${path}: not UTF-8 text, not a configuration`);
  }
}

/** Counts what has been read so far, across the includes of one run. */
export class ReadBudget {
  private bytes = 0;
  private files = 0;

  /** Read one file within the caps; the size is checked before a byte is read. */
  read(path: string): string {
    let fd: number;
    try {
      const st = statSync(path);
      if (st.isDirectory()) throw new LintInputError(`${path}: a directory, not a configuration file`);
      fd = openSync(path, 'r');
    } catch (e) {
      if (e instanceof LintInputError) throw e;
      const code = (e as { code?: string }).code;
      throw new LintInputError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? String(e)})`}`);
    }
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_FILE_BYTES) throw new LintInputError(`${path}: ${human(size)} is too large for a configuration file (at most ${human(MAX_FILE_BYTES)})`);
      if (++this.files > MAX_FILES) throw new LintInputError(`${path}: more than ${MAX_FILES} files included`);
      this.bytes += size;
      if (this.bytes > MAX_TOTAL_BYTES) throw new LintInputError(`${path}: the configuration and its includes exceed ${human(MAX_TOTAL_BYTES)} in all`);
      // Read at most the cap plus one byte: a file that grows while we read cannot take more.
      const buf = Buffer.alloc(Math.min(size, MAX_FILE_BYTES) + 1);
      let n = 0;
      for (;;) {
        const r = readSync(fd, buf, n, buf.length - n, null);
        if (r === 0) break;
        n += r;
        if (n >= buf.length) throw new LintInputError(`${path}: grew past ${human(MAX_FILE_BYTES)} while being read`);
      }
      return decodeText(buf.subarray(0, n), path);
    } finally {
      closeSync(fd);
    }
  }

  /** Account for text that did not come from a file (stdin). */
  accept(text: string, path: string): string {
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new LintInputError(`${path}: too large for a configuration (at most ${human(MAX_FILE_BYTES)})`);
    this.files++;
    return text;
  }
}

/** Read stdin up to the cap, then stop reading (a 50 MB pipe is refused without holding it). */
export async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    total += b.length;
    if (total > MAX_FILE_BYTES) {
      (stream as { destroy?: () => void }).destroy?.();
      throw new LintInputError(`stdin: more than ${human(MAX_FILE_BYTES)}, too large for a configuration`);
    }
    chunks.push(b);
  }
  return decodeText(Buffer.concat(chunks), 'stdin');
}
