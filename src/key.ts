/** Where the API key comes from: a variable, a file, or stdin. Never the command line. */
import { readFile } from 'node:fs/promises';
import type { KeySource } from './config.js';
import { UsageError } from './errors.js';

export interface LoadedKey {
  key?: string;
  /** Human description of the source, e.g. `$OPENAI_API_KEY` or `file /run/secrets/key`. */
  source: string;
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
        text = await readFile(source.path, 'utf8');
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'error';
        throw new UsageError(`--api-key-file: cannot read "${source.path}" (${code})`);
      }
      const key = firstLine(text);
      if (key === '') throw new UsageError(`--api-key-file: "${source.path}" is empty`);
      return { key, source: `file ${source.path}` };
    }
    case 'stdin': {
      if (!stdin) throw new UsageError('--api-key-file -: no standard input to read the key from');
      const key = firstLine(await readAll(stdin));
      if (key === '') throw new UsageError('--api-key-file -: standard input was empty');
      return { key, source: 'stdin' };
    }
  }
}
