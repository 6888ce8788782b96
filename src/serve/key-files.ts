/**
 * Key files named in the exporter's config are read again when they change, so a rotated key is
 * used by the next probe without a restart (as a mounted Kubernetes secret or a Vault agent
 * rewrites the file). Each probe stats the file; the content is read again (through the capped
 * reader, via loadKey) only when its inode, size, mtime or ctime moved. Every key seen is added to
 * the exporter's redactor, so an old or new key is scrubbed from every page and refusal.
 */
import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { PreparedTarget } from '../fleet/prepare.js';
import { loadKey } from '../key.js';
import { describeReadError, KEY_FILE_MAX } from '../safe-io/read-capped.js';
import type { Redactor } from '../secret.js';

/** A key file that cannot be read at probe time: the probe is not run (HTTP 500, one line). */
export class KeyFileError extends Error {}

interface Seen {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  key: string;
}

const same = (a: Seen, b: Stats) => a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

export class KeyFiles {
  private readonly seen = new Map<string, Seen>();
  /** Reads in progress, so concurrent probes of one changed file read it once. */
  private readonly reading = new Map<string, Promise<string>>();

  constructor(private readonly secrets: Redactor) {}

  /** The target with the key its file holds now (the target itself when its key is not from a file). */
  async current(t: PreparedTarget): Promise<PreparedTarget> {
    const source = t.config.keySource;
    if (source.kind !== 'file') return t;
    const key = await this.read(source.path);
    return key === t.key ? t : { ...t, key };
  }

  private async read(path: string): Promise<string> {
    let st: Stats;
    try {
      st = await stat(path);
    } catch (e) {
      throw new KeyFileError(`api-key-file "${path}" cannot be read now (${describeReadError(e, KEY_FILE_MAX)}); the probe was not run`);
    }
    const hit = this.seen.get(path);
    if (hit && same(hit, st)) return hit.key;
    const pending = this.reading.get(path);
    if (pending) return pending;
    const p = (async () => {
      try {
        const loaded = await loadKey({ kind: 'file', path }, {});
        const key = loaded.key!;
        this.secrets.add(key);
        // The stat taken before the read: a change during the read is seen by the next probe.
        this.seen.set(path, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, key });
        return key;
      } catch (e) {
        throw new KeyFileError(`${e instanceof Error ? e.message.replace(/^--api-key-file: /, 'api-key-file: ') : String(e)}; the probe was not run`);
      } finally {
        this.reading.delete(path);
      }
    })();
    this.reading.set(path, p);
    return p;
  }
}
