/** KeyFiles: a key file's current content per probe, read again only when the file changed, every key registered with the redactor. */
import { mkdir, mkdtemp, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { Redactor } from '../../src/secret.js';
import { KeyFileError, KeyFiles } from '../../src/serve/key-files.js';

describe('KeyFiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ud-keyfiles-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('returns the current key, caches by stat, and registers each key with the redactor', async () => {
    const path = join(dir, 'k1');
    await writeFile(path, 'sk-first-key-aaaaaaaaaaaaaaaa\n', { mode: 0o600 });
    const config = buildConfig('http://127.0.0.1:9/v1', { provider: 'openai-compatible', apiKeyFile: path });
    const secrets = new Redactor();
    const files = new KeyFiles(secrets);
    const t = { name: 'a', config, key: 'sk-start-key', keySource: `file ${path}` };
    expect((await files.current(t)).key).toBe('sk-first-key-aaaaaaaaaaaaaaaa');
    expect(secrets.scrub('x sk-first-key-aaaaaaaaaaaaaaaa y')).not.toContain('sk-first-key');

    // Same size, same inode, but a new mtime: read again.
    await writeFile(path, 'sk-other-key-bbbbbbbbbbbbbbbb\n');
    const later = new Date(Date.now() + 5000);
    await utimes(path, later, later);
    expect((await files.current(t)).key).toBe('sk-other-key-bbbbbbbbbbbbbbbb');
    expect(secrets.scrub('sk-other-key-bbbbbbbbbbbbbbbb')).not.toContain('sk-other-key');

    // A key that does not come from a file: the target as it is.
    const envTarget = { name: 'b', config: buildConfig('http://127.0.0.1:9/v1', { provider: 'openai-compatible' }), keySource: 'none' };
    expect(await files.current(envTarget)).toBe(envTarget);
  });

  it('an emptied or oversized key file is a KeyFileError with one line, never the content', async () => {
    const path = join(dir, 'k2');
    await writeFile(path, '\n');
    const t = { name: 'a', config: buildConfig('http://127.0.0.1:9/v1', { provider: 'openai-compatible', apiKeyFile: path }), keySource: `file ${path}` };
    const files = new KeyFiles(new Redactor());
    await expect(files.current(t)).rejects.toThrow(KeyFileError);
    await expect(files.current(t)).rejects.toThrow(/is empty; the probe was not run$/);
    await writeFile(path, 'x'.repeat(10_000));
    await expect(files.current(t)).rejects.toThrow(/\(more than 4 KiB\); the probe was not run$/);
  });

  it('a Kubernetes-style secret mount (key -> ..data/key, ..data swapped to a new directory): the new key', async () => {
    const mount = join(dir, 'mount');
    await mkdir(join(mount, '..v1'), { recursive: true });
    await writeFile(join(mount, '..v1', 'key'), 'sk-mounted-first-aaaaaaaaaaaa\n');
    await symlink('..v1', join(mount, '..data'));
    await symlink('..data/key', join(mount, 'key'));
    const path = join(mount, 'key');
    const t = { name: 'a', config: buildConfig('http://127.0.0.1:9/v1', { provider: 'openai-compatible', apiKeyFile: path }), keySource: `file ${path}` };
    const files = new KeyFiles(new Redactor());
    expect((await files.current(t)).key).toBe('sk-mounted-first-aaaaaaaaaaaa');
    // The kubelet's swap: a new directory with the same file sizes, then ..data renamed over.
    await mkdir(join(mount, '..v2'));
    await writeFile(join(mount, '..v2', 'key'), 'sk-mounted-other-bbbbbbbbbbbb\n');
    await symlink('..v2', join(mount, '..data_tmp'));
    await rename(join(mount, '..data_tmp'), join(mount, '..data'));
    expect((await files.current(t)).key).toBe('sk-mounted-other-bbbbbbbbbbbb');
  });
});
