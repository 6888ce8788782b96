/** readCapped on real files: regular files of every size read whole, caps and special files. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapped } from '../../src/safe-io/read-capped.js';

const dir = mkdtempSync(join(tmpdir(), 'ud-read-capped-'));

describe('readCapped', () => {
  it.each([0, 1, 4095, 4096, 65535, 65536, 65537, 300_000])('a regular file of %i bytes reads whole', async (n) => {
    const file = join(dir, `f${n}`);
    const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 31) % 251));
    writeFileSync(file, data);
    expect((await readCapped(file, { maxBytes: 1_000_000 })).equals(data)).toBe(true);
  });
  it('a file exactly at the cap reads; one byte more is ETOOBIG', async () => {
    writeFileSync(join(dir, 'cap'), 'x'.repeat(100));
    writeFileSync(join(dir, 'cap1'), 'x'.repeat(101));
    expect((await readCapped(join(dir, 'cap'), { maxBytes: 100 })).length).toBe(100);
    await expect(readCapped(join(dir, 'cap1'), { maxBytes: 100 })).rejects.toMatchObject({ code: 'ETOOBIG' });
  });
  it('a directory is EISDIR, a missing file ENOENT', async () => {
    await expect(readCapped(dir, { maxBytes: 100 })).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(readCapped(join(dir, 'nope'), { maxBytes: 100 })).rejects.toMatchObject({ code: 'ENOENT' });
  });
  it('a device that never ends stops at the cap', async () => {
    await expect(readCapped('/dev/zero', { maxBytes: 100_000 })).rejects.toMatchObject({ code: 'ETOOBIG' });
  });
  it('a FIFO is read to its end as its writer sends it, and one nobody writes to reads as empty', async () => {
    const fifo = join(dir, 'fifo');
    await new Promise((resolve, reject) => spawn('mkfifo', [fifo]).on('exit', (c) => (c === 0 ? resolve(c) : reject(new Error(`mkfifo ${c}`)))));
    expect((await readCapped(fifo, { maxBytes: 100, timeoutMs: 5000 })).toString()).toBe('');
    // The writer holds the FIFO open (read-write: that open does not wait for a reader), says so,
    // writes a little later, and closes it when it exits.
    const writer = spawn('sh', ['-c', `exec 3<>${fifo}; echo ready; sleep 0.1; printf 'sk-from-a-fifo' >&3; sleep 0.2`]);
    await new Promise((resolve) => writer.stdout.once('data', resolve));
    expect((await readCapped(fifo, { maxBytes: 100, timeoutMs: 5000 })).toString()).toBe('sk-from-a-fifo');
  });
});
