/**
 * Issue 12, items 7 to 10 and the fault-injection audit, on the built bin: signals (SIGINT,
 * SIGTERM, SIGHUP) while each stage hangs against a fixture server, stdout that goes away, a full
 * disk, --output that cannot be written or is a special file. Wherever a report is asked for it is
 * valid, and exit 3 appears nowhere.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSilentDns, startSilentTcp, startStallingStream } from '../../fixtures/hanging-servers.js';
import type { Fixture } from '../../fixtures/types.js';
import { startEchoServer } from '../../fixtures/echo-server.js';
import { runBin, type BinRun } from '../helpers/bin.js';
import { assertValidReport } from '../helpers/schema.js';

let dns: Fixture;
let silent: Fixture;
let stream: Fixture;
let dir: string;
beforeAll(async () => {
  [dns, silent, stream] = await Promise.all([startSilentDns(), startSilentTcp(), startStallingStream()]);
  dir = mkdtempSync(join(tmpdir(), 'ud-faults-'));
});
afterAll(async () => {
  await Promise.all([dns?.close(), silent?.close(), stream?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH!, HOME: process.env.HOME!, NO_COLOR: '1', ...extra });
const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Each stage hanging on its fixture: the arguments, and the stage that hangs. */
const HANGS: Record<string, () => { args: string[]; env?: Record<string, string>; stage: string }> = {
  dns: () => ({ args: ['api.hang.test', '--resolver', `127.0.0.1:${dns.port}`], stage: 'dns' }),
  proxy: () => ({ args: ['https://api.hang.test/v1', '--resolve', 'api.hang.test:443:127.0.0.1', '--proxy', `http://127.0.0.1:${silent.port}`], stage: 'proxy' }),
  tls: () => ({ args: [`https://127.0.0.1:${silent.port}/v1`], stage: 'tls' }),
  http: () => ({ args: [`http://127.0.0.1:${silent.port}/v1`], stage: 'http' }),
  stream: () => ({ args: [`http://127.0.0.1:${stream.port}/v1`, '--provider', 'openai-compatible', '--api-key-env', 'K', '--stream'], env: { K: 'sk-faultinjection0123456789abcdef' }, stage: 'stream' }),
};

function checkReport(text: string): Record<string, unknown> {
  const report = JSON.parse(text) as Record<string, unknown>;
  assertValidReport(report);
  return report;
}

describe('signals while a stage hangs: a partial report, --output written, 130 / 143 / 129', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(signal, async () => {
      const runs = await Promise.all(
        Object.entries(HANGS).map(async ([name, make]) => {
          const h = make();
          const out = join(dir, `${signal}-${name}.json`);
          // The earlier stages take milliseconds on loopback; the hanging one has 30 s.
          const run = await runBin([...h.args, '--timeout', '30s', '--json', '--output', out], { env: env(h.env), signal: { name: signal, afterMs: 2500 }, killAfterMs: 60_000 });
          return { name, stage: h.stage, out, run };
        }),
      );
      for (const { name, stage, out, run } of runs) {
        expect(run.killed, name).toBe(false);
        expect(run.stderr, name).not.toMatch(/\n\s+at /);
        expect(run.code, `${name}: ${run.stderr}`).toBe(EXIT[signal]);
        const report = checkReport(run.stdout);
        expect(report.interrupted, name).toBe(true);
        expect(report.exitCode, name).toBe(EXIT[signal]);
        const stages = report.stages as { id: string; status: string }[];
        expect(stages.some((s) => s.id === stage), `${name}: the ${stage} stage ran`).toBe(true);
        expect(checkReport(readFileSync(out, 'utf8')).interrupted, name).toBe(true);
      }
    });
  }
});

describe('stdout that goes away', () => {
  const refused = () => ['127.0.0.1:1', '--timeout', '5s'];
  let baseline: BinRun;
  beforeAll(async () => {
    baseline = await runBin(refused(), { env: env() });
  });

  it('| head -1: no stack trace, --output written, exit code unchanged', async () => {
    const out = join(dir, 'head.json');
    const run = await runBin([...refused(), '--output', out], { env: env(), closeStdoutAfterFirstChunk: true });
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(run.code).toBe(baseline.code);
    expect(checkReport(readFileSync(out, 'utf8')).exitCode).toBe(baseline.code);
  });

  it('| true (closed before the first byte): no stack trace, --output written, exit code unchanged', async () => {
    const out = join(dir, 'true.json');
    const [r, w] = pipePair();
    closeSync(r); // nobody will ever read
    const run = await runBin([...refused(), '--output', out], { env: env(), stdout: w });
    closeSync(w);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(run.code).toBe(baseline.code);
    expect(checkReport(readFileSync(out, 'utf8')).exitCode).toBe(baseline.code);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk (/dev/full): no stack trace, --output written, exit code unchanged', async () => {
    const out = join(dir, 'full.json');
    const fd = openSync('/dev/full', 'w');
    const run = await runBin([...refused(), '--output', out], { env: env(), stdout: fd });
    closeSync(fd);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(baseline.code);
    expect(checkReport(readFileSync(out, 'utf8')).exitCode).toBe(baseline.code);
  });
});

/** A pipe made by the shell: read end and write end as fds of this process. */
function pipePair(): [number, number] {
  const fifo = join(dir, `pipe-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [fifo]);
  const r = openSync(fifo, 'r+'); // r+ opens a FIFO without waiting for a writer
  const w = openSync(fifo, 'w');
  return [r, w];
}

describe('--output onto special files, and unwritable ones', () => {
  const refused = ['127.0.0.1:1', '--timeout', '5s', '--json'];
  it.skipIf(process.getuid?.() !== 0)('a character device stays a character device (as root, /dev/null)', async () => {
    const dev = join(dir, 'null-device');
    execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    const run = await runBin([...refused, '--output', dev], { env: env() });
    expect(run.code).toBe(11);
    expect(statSync(dev).isCharacterDevice()).toBe(true);
    const real = await runBin([...refused, '--output', '/dev/null'], { env: env() });
    expect(real.code).toBe(11);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a FIFO is written in place, for its reader', async () => {
    const fifo = join(dir, 'out-fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const done = new Promise((r) => reader.on('close', r));
    const run = await runBin([...refused, '--output', fifo], { env: env() });
    const guard = setTimeout(() => reader.kill(), 5000); // a report never written must not hang the test
    await done;
    clearTimeout(guard);
    expect(run.code).toBe(11);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(checkReport(got).exitCode).toBe(11);
  });

  it('a FIFO nobody reads: no hang, the run is reported, exit 2 for a run that was healthy', async () => {
    const fifo = join(dir, 'unread-fifo');
    execFileSync('mkfifo', [fifo]);
    const ok = await startEchoServer({ status: 200 });
    try {
      const run = await runBin([`http://127.0.0.1:${ok.port}/`, '--timeout', '5s', '--json', '--output', fifo], { env: env(), killAfterMs: 60_000 });
      expect(run.killed).toBe(false);
      expect(checkReport(run.stdout).exitCode).toBe(0);
      expect(run.stderr).toMatch(/could not write --output .*unread-fifo: ENXIO/);
      expect(run.code).toBe(2);
    } finally {
      await ok.close();
    }
  });

  it('/dev/stdout: the report is written to stdout, not replaced', async () => {
    const run = await runBin(['127.0.0.1:1', '--timeout', '5s', '--format', 'md', '--output', '/dev/stdout'], { env: env() });
    expect(run.code).toBe(11);
    expect(run.stdout).toMatch(/^## upstream-doctor/);
    expect(run.stdout).toContain('"schemaVersion": 1');
  });

  it.each([
    ['a directory', () => dir],
    ['a missing folder', () => join(dir, 'missing', 'r.json')],
    ['a file as folder', () => join('/etc/hostname', 'r.json')],
    ['/proc', () => '/proc/upstream-doctor.json'],
    ['a read-only file system', () => '/sys/upstream-doctor.json'],
  ])('%s: found before the run, one line, exit 2', async (_name, path) => {
    const run = await runBin([...refused, '--output', path()], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^diagnose: --output /);
  });
});
