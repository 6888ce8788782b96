/**
 * Second held-out run, class 8 (Ctrl-C is not a timeout), on the features merged since the first
 * round: an interrupt during --repeat sampling, during the --keepalive idle ladder, and during the
 * --gateway checks (a body ladder that a hung server never answers). No *_TIMEOUT, no STALLED, no
 * cut or timeout recorded for what the interrupt stopped; exit 130.
 */
import { createServer, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenFixture } from '../../fixtures/listen.js';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import type { Fixture } from '../../fixtures/types.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const KEY = 'sk-proj-Rf4Tg7Yh2Jk9Lm3Nb6Vc8Xz1';
const started: Fixture[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});
async function keep<T extends Fixture>(p: Promise<T>): Promise<T> {
  const f = await p;
  started.push(f);
  return f;
}

/** Answers the first `answered` requests with a model list, then accepts requests and never answers. */
async function answerThenHang(answered: number): Promise<Fixture> {
  let n = 0;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    if (n++ < answered) {
      res.setHeader('content-type', 'application/json');
      res.end('{"object":"list","data":[]}');
    } else held.push(res);
  });
  const f = await listenFixture(server);
  return { ...f, close: async () => { for (const r of held) r.destroy(); await f.close(); } };
}

function interruptedRun(args: string[], afterMs: number) {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), afterMs);
  return runCli(args, { env: cleanEnv({ OPENAI_API_KEY: KEY }), interrupt: ac.signal });
}

function expectNoTimeoutVerdict(r: Report): void {
  expect(r.interrupted).toBe(true);
  const codes = r.diagnoses.map((d) => d.code);
  expect(codes.filter((c) => /_TIMEOUT$|STALLED|INTERMITTENT|HUNG|MTU_BLACKHOLE/.test(c))).toEqual([]);
  expect(r.rootCause ?? '').not.toMatch(/TIMEOUT|STALLED/);
}

describe('Ctrl-C during the features merged since', () => {
  it('during --repeat, while a sample waits for headers: interrupted, no timeout or failure rate from the cut sample', async () => {
    const s = await keep(answerThenHang(3));
    const r = await interruptedRun([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--repeat', '20', '--interval', '200ms', '--timeout', '20s', '--json'], 2500);
    expect(r.code).toBe(130);
    expectNoTimeoutVerdict(r.report!);
    const samples = (r.report as unknown as { samples?: { byCode: Record<string, number>; failed: number } }).samples;
    expect(Object.keys(samples?.byCode ?? {}).filter((c) => /TIMEOUT/.test(c))).toEqual([]);
  });

  it('during --keepalive, while a connection sits idle: interrupted, no STALE_KEEPALIVE or keep-alive verdict', async () => {
    const api = await keep(startOpenAiCompatible({}));
    const r = await interruptedRun([`${api.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--keepalive', '--timeout', '20s', '--json'], 2000);
    expect(r.code).toBe(130);
    expectNoTimeoutVerdict(r.report!);
    expect(r.report!.diagnoses.filter((d) => /KEEPALIVE/.test(d.code))).toEqual([]);
    expect((r.report as unknown as { keepalive?: { reason?: string } }).keepalive?.reason).toBe('interrupted');
  });

  it('during --gateway, while a hung server holds the body ladder: no cut or timeout recorded for the interrupted rung', async () => {
    const s = await keep(answerThenHang(4));
    const r = await interruptedRun([`${s.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible', '--gateway', '--timeout', '20s', '--json'], 2500);
    expect(r.code).toBe(130);
    expectNoTimeoutVerdict(r.report!);
    const g = (r.report as unknown as { gateway?: { body?: { rungs?: Array<{ failure?: string }> } } }).gateway;
    expect((g?.body?.rungs ?? []).filter((x) => x.failure === 'timeout')).toEqual([]);
    expect(r.report!.diagnoses.map((d) => d.code).filter((c) => /BODY|WEBSOCKET|BURST/.test(c))).toEqual([]);
  });
});
