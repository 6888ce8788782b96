import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stdWriter } from '../../src/safe-io/stdio.js';

const root = join(import.meta.dirname, '..', '..');
const built = existsSync(join(root, 'dist', 'safe-io', 'stdio.js'));

/**
 * A child that writes `chunks` chunks of `size` bytes through stdWriter(1), flushes, and exits
 * with 7. `nonBlocking`: it touches process.stdout first, which makes Node set O_NONBLOCK on the
 * pipe, so that a write into a full pipe fails with EAGAIN.
 */
function writer(chunks: number, size: number, nonBlocking = false) {
  const code = `import { stdWriter } from ${JSON.stringify(join(root, 'dist', 'safe-io', 'stdio.js'))};
${nonBlocking ? 'process.stdout.isTTY;' : ''}
const w = stdWriter(1, () => process.stdout);
for (let i = 0; i < ${chunks}; i++) w.write(String(i % 10).repeat(${size}));
w.flush(() => process.exit(7));`;
  return spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('stdWriter: the CLI writes its stdout and stderr straight to the fd', () => {
  it('a terminal gets the stream, and every write goes through it', () => {
    const got: string[] = [];
    const fake = new Writable({ write: (c, _e, cb) => (got.push(String(c)), cb()) }) as unknown as NodeJS.WriteStream;
    const w = stdWriter(1, () => fake, () => true);
    expect(w.isTTY).toBe(true);
    expect(w.tty).toBe(fake);
    w.write('a');
    w.write('b');
    expect(got).toEqual(['a', 'b']);
  });

  it('not a terminal: no stream is made for writing', () => {
    let made = 0;
    const w = stdWriter(2, () => (made++, process.stderr), () => false);
    expect(w.isTTY).toBe(false);
    expect(w.tty).toBeUndefined();
    w.write('');
    let flushed = false;
    w.flush(() => (flushed = true));
    expect([made, flushed]).toEqual([0, true]);
  });

  it.skipIf(!built).each([false, true])('four MB through a pipe read slowly arrive whole and in order, and the process exits as it said (non-blocking pipe, the EAGAIN path: %s)', async (nonBlocking) => {
    const child = writer(64, 65536, nonBlocking);
    const parts: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      parts.push(d);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 1);
    });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const code = await new Promise((r) => child.on('close', r));
    const all = Buffer.concat(parts).toString();
    expect([code, err, all.length]).toEqual([7, '', 64 * 65536]);
    for (let i = 0; i < 64; i++) expect(all.slice(i * 65536, (i + 1) * 65536)).toBe(String(i % 10).repeat(65536));
  });

  it.skipIf(!built)('a reader that went away (EPIPE) ends the output quietly: no crash, the exit code stays', async () => {
    const child = writer(64, 65536);
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const code = await new Promise((r) => child.on('close', r));
    expect([code, err]).toEqual([7, '']);
  });
});
