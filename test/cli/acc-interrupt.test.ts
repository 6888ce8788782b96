/**
 * Issue 11 item 8: Ctrl-C is not a timeout. A real SIGINT to the built bin while one stage hangs
 * on a real server: the stage is reported as interrupted, the report is marked interrupted (exit
 * 130), and no *_TIMEOUT (nor a stall) becomes the root cause. Several stages: proxy, tls, http,
 * stream.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSseServer, type SseFixture } from '../../fixtures/sse-server.js';
import type { Report } from '../../src/report.js';
import { assertValidReport } from '../helpers/schema.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'diagnose.js');
const built = existsSync(join(root, 'dist', 'cli.js'));

/** Run the bin and send it SIGINT after a delay long enough for the fast stages on loopback. */
function runBin(args: string[], sigintAfterMs: number): Promise<{ code: number | null; report: Report; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', OPENAI_API_KEY: 'sk-proj-Zq8vXw3Lm9Rt2Kp7Yh4Nc6Bd' };
    const child = spawn(process.execPath, [bin, ...args, '--json', ...(args.includes('--proxy') ? [] : ['--no-proxy']), '--timeout', '30s'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGINT'), sigintAfterMs);
    child.on('close', (code) => {
      clearTimeout(t);
      try {
        const report = JSON.parse(stdout) as Report;
        assertValidReport(report);
        resolve({ code, report, stderr });
      } catch (e) {
        reject(new Error(`no report (exit ${code}): ${stdout.slice(0, 300)} ${stderr.slice(0, 300)} ${String(e).slice(0, 2000)}`));
      }
    });
  });
}

function expectInterruptedAt(r: { code: number | null; report: Report }, stageId: string): void {
  expect(r.code).toBe(130);
  expect(r.report.interrupted).toBe(true);
  const s = r.report.stages.find((x) => x.id === stageId)!;
  expect(s.summary).toMatch(/interrupted/);
  expect(s.data.skipReason).toBe('interrupted');
  expect(s.status).not.toBe('fail');
  const codes = r.report.diagnoses.map((d) => d.code);
  expect(codes.filter((c) => /_TIMEOUT$|STREAM_STALLED|MTU_BLACKHOLE/.test(c))).toEqual([]);
  expect(r.report.rootCause ?? '').not.toMatch(/TIMEOUT|STALLED/);
  // The stages after it did not run.
  const after = r.report.stages.slice(r.report.stages.indexOf(s) + 1);
  expect(after.every((x) => x.status === 'skip')).toBe(true);
}

describe.skipIf(!built)('Ctrl-C while a stage hangs (built bin, real SIGINT)', () => {
  let blackhole: Server;
  let port = 0;
  const sockets: Socket[] = [];
  let silentStream: SseFixture;
  let silentHeaders: SseFixture;

  beforeAll(async () => {
    // Accepts connections and never says a word: a TLS handshake or a request hangs on it.
    blackhole = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    port = (blackhole.address() as { port: number }).port;
    // The key check answers; the streaming request gets its headers, then nothing for a minute.
    silentStream = await startSseServer({ mode: 'openai', pauseAfter: 0, pauseMs: 60_000 });
    // The key check answers; the streaming request is never answered at all.
    silentHeaders = await startSseServer({ mode: 'no-headers' });
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    blackhole.close();
    await silentStream.close();
    await silentHeaders.close();
  });

  it('during the TLS handshake: interrupted, not TLS_HANDSHAKE_TIMEOUT', async () => {
    const r = await runBin([`https://127.0.0.1:${port}/`], 1500);
    expectInterruptedAt(r, 'tls');
  });

  it('while waiting for response headers: interrupted, not HEADERS_TIMEOUT', async () => {
    const r = await runBin([`http://127.0.0.1:${port}/v1`, '--provider', 'openai-compatible'], 1500);
    expectInterruptedAt(r, 'http');
  });

  it('while a proxy sits on the CONNECT: interrupted, not a proxy timeout', async () => {
    const r = await runBin(['https://api.example.test/', '--resolve', 'api.example.test:443:127.0.0.1', '--proxy', `http://127.0.0.1:${port}`], 1500);
    expect(r.code).toBe(130);
    const proxy = r.report.stages.find((x) => x.id === 'proxy')!;
    expect(proxy.summary).toMatch(/interrupted/);
    expect(r.report.rootCause ?? '').not.toMatch(/TIMEOUT/);
  });

  it('inside a silent stream (headers, no event): interrupted, not STREAM_STALLED', async () => {
    const r = await runBin([`${silentStream.url}/v1`, '--provider', 'openai-compatible', '--stream'], 2500);
    expectInterruptedAt(r, 'stream');
    expect(r.report.stages.find((x) => x.id === 'http')!.status).toBe('pass');
  });

  it('while the streaming request waits for headers: interrupted', async () => {
    const r = await runBin([`${silentHeaders.url}/v1`, '--provider', 'openai-compatible', '--stream'], 2500);
    expectInterruptedAt(r, 'stream');
  });
});
