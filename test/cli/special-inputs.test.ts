/**
 * Issue 12, items 5 (key file mode), 11 (inputs that never end) and 12 (--ca without a
 * certificate), on the built bin: a FIFO or character device as --api-key-file, --ca,
 * SSL_CERT_FILE, SSL_CERT_DIR or the hosts file is read with a size cap (key 4 KiB, CA bundle
 * 16 MiB) and a time cap; the run never hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type EchoFixture } from '../../fixtures/echo-server.js';
import { runBin } from '../helpers/bin.js';
import { assertValidReport } from '../helpers/schema.js';

const KEY = 'sk-proj-Zx81mQp0aLkT7vB2nYc4Rw9sEe3Fh6UjXq0Lp2Rs';
let dir: string;
let echo: EchoFixture;
const writers: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ud-special-'));
  echo = await startEchoServer({ status: 200 });
});
afterEach(() => {
  for (const w of writers.splice(0)) w.kill('SIGKILL');
});
afterAll(async () => {
  await echo?.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function fifo(): string {
  const p = join(dir, `fifo-${++n}`);
  execFileSync('mkfifo', [p]);
  return p;
}
/** A writer that opens the FIFO and then says nothing (the reader waits for data forever). */
function silentWriter(p: string): string {
  writers.push(spawn('sh', ['-c', `exec 3>"${p}"; sleep 120`], { stdio: 'ignore' }));
  return p;
}
/** A writer that never stops writing. */
function endlessWriter(p: string): string {
  writers.push(spawn('sh', ['-c', `yes AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA > "${p}"`], { stdio: 'ignore' }));
  return p;
}
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...extra });

describe('--api-key-file that never ends', () => {
  it.each([
    ['a FIFO nobody writes to', () => fifo(), /is empty/],
    ['a FIFO whose writer says nothing', () => silentWriter(fifo()), /no end of file in time/],
    ['a FIFO whose writer never stops', () => endlessWriter(fifo()), /more than 4 KiB/],
    ['/dev/zero', () => '/dev/zero', /more than 4 KiB/],
    ['/dev/urandom', () => '/dev/urandom', /more than 4 KiB/],
  ])('%s: one line, exit 2', async (_name, make, message) => {
    const run = await runBin([`http://127.0.0.1:${echo.port}/v1`, '--api-key-file', make(), '--timeout', '1s', '--json'], { env: env(), killAfterMs: 30_000 });
    expect(run.killed).toBe(false);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('a key from a FIFO that delivers it (bash <(...)) works', async () => {
    const p = fifo();
    writers.push(spawn('sh', ['-c', `printf '%s\\n' "${KEY}" > "${p}"`], { stdio: 'ignore' }));
    const run = await runBin([`http://127.0.0.1:${echo.port}/v1`, '--provider', 'openai-compatible', '--api-key-file', p, '--timeout', '2s', '--json'], { env: env(), killAfterMs: 30_000 });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).key.source).toBe(`file ${p}`);
  });
});

describe('--api-key-file readable by other users', () => {
  it('warns like ssh, names the mode, never the key', async () => {
    const p = join(dir, 'open.key');
    writeFileSync(p, `${KEY}\n`);
    chmodSync(p, 0o644);
    const run = await runBin([`http://127.0.0.1:${echo.port}/v1`, '--provider', 'openai-compatible', '--api-key-file', p, '--timeout', '2s', '--json'], { env: env(), killAfterMs: 30_000 });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`--api-key-file "${p}" is readable by other users (mode 0644)`);
    expect(run.stderr).toContain('chmod 600');
    expect(run.stderr).not.toContain(KEY.slice(10, 18));
    chmodSync(p, 0o600);
    const quiet = await runBin([`http://127.0.0.1:${echo.port}/v1`, '--provider', 'openai-compatible', '--api-key-file', p, '--timeout', '2s', '--json'], { env: env(), killAfterMs: 30_000 });
    expect(quiet.stderr).not.toContain('readable by other users');
  });
});

describe('--ca that never ends, or holds no certificate', () => {
  it.each([
    ['a FIFO whose writer says nothing', () => silentWriter(fifo()), /--ca: cannot read .*no end of file in time/],
    ['a FIFO whose writer never stops', () => endlessWriter(fifo()), /--ca: cannot read .*more than 16 MiB/],
    ['/dev/zero', () => '/dev/zero', /--ca: cannot read .*more than 16 MiB/],
    ['a file without a certificate', () => (writeFileSync(join(dir, 'empty.pem'), 'hello\n'), join(dir, 'empty.pem')), /--ca: ".*empty\.pem" holds no PEM certificate/],
    [
      'PEM markers around garbage',
      () => (writeFileSync(join(dir, 'garbage.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n'), join(dir, 'garbage.pem')),
      /--ca: ".*garbage\.pem" holds no certificate that can be read/,
    ],
  ])('%s: a usage error naming the file, exit 2', async (_name, make, message) => {
    const run = await runBin(['https://127.0.0.1:1/v1', '--ca', make(), '--timeout', '1s', '--json'], { env: env(), killAfterMs: 60_000 });
    expect(run.killed).toBe(false);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('CA variables and the hosts file that never end', () => {
  it.each([
    ['SSL_CERT_FILE', 'silent FIFO'],
    ['SSL_CERT_FILE', '/dev/zero'],
    ['SSL_CERT_DIR', 'silent FIFO'],
    ['NODE_EXTRA_CA_CERTS', '/dev/zero'],
    ['UPSTREAM_DOCTOR_HOSTS_FILE', 'silent FIFO'],
    ['UPSTREAM_DOCTOR_HOSTS_FILE', 'endless FIFO'],
    ['UPSTREAM_DOCTOR_RESOLV_CONF', 'silent FIFO'],
  ])('%s as a %s: the run finishes with a valid report', async (variable, kind) => {
    const path = kind === 'silent FIFO' ? silentWriter(fifo()) : kind === 'endless FIFO' ? endlessWriter(fifo()) : kind;
    const run = await runBin([`http://127.0.0.1:${echo.port}/v1`, '--provider', 'openai-compatible', '--timeout', '3s', '--json'], { env: env({ [variable]: path }), killAfterMs: 60_000 });
    expect(run.killed).toBe(false);
    expect(run.code).not.toBe(3);
    const report = JSON.parse(run.stdout);
    assertValidReport(report);
    expect(report.stages.find((s: { id: string }) => s.id === 'http').status).not.toBe('skip');
  });
});
