/** Where the API key comes from: a variable, a file, or stdin. Never the command line. */
import { stat } from './safe-io/fs-async.js';
import { describeReadError, KEY_FILE_MAX, readCapped } from './safe-io/read-capped.js';
import type { KeySource } from './config.js';
import { UsageError } from './errors.js';

export interface LoadedKey {
  key?: string;
  /** Human description of the source, e.g. `$OPENAI_API_KEY` or `file /run/secrets/key`. */
  source: string;
  /** Something the user should fix, printed on stderr (never the key). */
  warning?: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > 64 * 1024) throw new UsageError('--api-key-file -: more than 64 KiB on stdin; that is not an API key');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The key is the first non-empty line, trimmed (files often end with a newline). */
function firstLine(text: string): string {
  return text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
}

export async function loadKey(
  source: KeySource,
  env: Record<string, string | undefined>,
  stdin?: NodeJS.ReadableStream,
  timeoutMs?: number,
): Promise<LoadedKey> {
  switch (source.kind) {
    case 'none':
      return { source: 'none' };
    case 'env': {
      const value = env[source.variable]?.trim();
      if (!value) {
        if (source.explicit) throw new UsageError(`--api-key-env: the variable ${source.variable} is not set or empty`);
        return { source: `$${source.variable} (not set)` };
      }
      return { key: value, source: `$${source.variable}` };
    }
    case 'file': {
      let text: string;
      try {
        // A FIFO or device never hangs the run or grows it: 4 KiB at most, within the time cap.
        text = (await readCapped(source.path, { maxBytes: KEY_FILE_MAX, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })).toString('utf8');
      } catch (err) {
        throw new UsageError(`--api-key-file: cannot read "${source.path}" (${describeReadError(err, KEY_FILE_MAX)})`);
      }
      const key = firstLine(text);
      if (key === '') throw new UsageError(`--api-key-file: "${source.path}" is empty`);
      return { key, source: `file ${source.path}`, ...(await permissionWarning(source.path)) };
    }
    case 'stdin': {
      if (!stdin) throw new UsageError('--api-key-file -: no standard input to read the key from');
      const key = firstLine(await readAll(stdin));
      if (key === '') throw new UsageError('--api-key-file -: standard input was empty');
      return { key, source: 'stdin' };
    }
  }
}

/** As ssh does for private keys: a key file other users can read is worth a warning. */
async function permissionWarning(path: string): Promise<{ warning?: string }> {
  const st = await stat(path).catch(() => undefined);
  if (!st || !st.isFile() || process.platform === 'win32') return {};
  const mode = st.mode & 0o777;
  if ((mode & 0o044) === 0) return {};
  const octal = mode.toString(8).padStart(4, '0');
  return { warning: `--api-key-file "${path}" is readable by other users (mode ${octal}); restrict it: chmod 600 "${path}"` };
}
