import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The one test that spawns the built command: what a user runs.
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'diagnose.js');
const built = existsSync(join(root, 'dist', 'cli.js'));

function runBin(args: string[], opts: { sigintAfterMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (opts.sigintAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), opts.sigintAfterMs);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!built)('bin/diagnose.js (built)', () => {
  let blackhole: Server;
  let port = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts connections and never says a word.
    blackhole = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    port = (blackhole.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    blackhole.close();
  });

  it('a bad target: one line, exit 2, no stack trace', async () => {
    const r = await runBin(['ftp://example.com']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an unknown option: one line, exit 2', async () => {
    const r = await runBin(['127.0.0.1:1', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('--json prints only the report on stdout', async () => {
    const r = await runBin([`127.0.0.1:${port}`, '--json', '--timeout', '1s']);
    const report = JSON.parse(r.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.exitCode).toBe(r.code);
    expect(r.code).not.toBe(3);
  });

  it('SIGINT leaves a partial report marked interrupted, exit 130', async () => {
    const r = await runBin([`127.0.0.1:${port}`, '--json', '--timeout', '20s'], { sigintAfterMs: 1500 });
    expect(r.code).toBe(130);
    const report = JSON.parse(r.stdout);
    expect(report.interrupted).toBe(true);
    expect(report.exitCode).toBe(130);
  });
});
