/**
 * How an API key is written, judged from the raw value as the variable or file holds it (pure):
 * quotes kept from a .env or YAML file, surrounding spaces, a newline from `echo | base64` or a
 * Windows line end, or a "Bearer " prefix (the header's scheme pasted with the key). This tool
 * trims whitespace, but many clients send the value as is and fail where this run passes. Only
 * the shape is reported, never a character of the key.
 */
import { stat } from '../../safe-io/fs-async.js';
import type { KeySource } from '../../config.js';

export type KeyShapeIssue = 'quoted' | 'whitespace' | 'newline' | 'bearer-prefix';

/** Plain words for each issue. */
export const KEY_SHAPE_WORDS: Record<KeyShapeIssue, string> = {
  quoted: 'it is wrapped in quotes, which are sent as part of the key',
  whitespace: 'it has spaces or tabs around it',
  newline: 'it contains a line break (a trailing newline or a Windows CR)',
  'bearer-prefix': 'it starts with "Bearer ", so the Authorization header says "Bearer Bearer …"',
};

/** The issues of one raw value. A file's own final newline is how files end and is not one. */
export function keyShape(raw: string, fromFile = false): KeyShapeIssue[] {
  let v = raw;
  if (fromFile) v = (raw.split('\n').find((l) => l.trim() !== '') ?? '');
  const out: KeyShapeIssue[] = [];
  const inner = v.trim();
  if (/[\r\n]/.test(v)) out.push('newline');
  if (/^[ \t]|[ \t]$/.test(v.replace(/[\r\n]+$/, '').replace(/^[\r\n]+/, ''))) out.push('whitespace');
  if (inner.length >= 2 && ((inner.startsWith('"') && inner.endsWith('"')) || (inner.startsWith("'") && inner.endsWith("'")))) out.push('quoted');
  if (/^["']?bearer\s+/i.test(inner)) out.push('bearer-prefix');
  return out;
}

/** The raw value behind a key source, when it can be read again (not stdin). */
export async function rawKeyValue(source: KeySource, env: Record<string, string | undefined>): Promise<{ raw: string; fromFile: boolean; where: string } | undefined> {
  if (source.kind === 'env') {
    const raw = env[source.variable];
    return raw ? { raw, fromFile: false, where: `$${source.variable}` } : undefined;
  }
  if (source.kind === 'file') {
    try {
      // Only a regular file is read again: a FIFO or a device gave its value once, to loadKey.
      if (!(await stat(source.path)).isFile()) return undefined;
      const { KEY_FILE_MAX, readCapped } = await import('../../safe-io/read-capped.js');
      const buf = await readCapped(source.path, { maxBytes: KEY_FILE_MAX, timeoutMs: 1000 });
      return { raw: buf.toString('utf8'), fromFile: true, where: `file ${source.path}` };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
