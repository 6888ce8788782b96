/**
 * Issue 11 item 6: silence in a stream. The streaming check waits for the whole budget before it
 * calls a silent stream stalled, so a stream a buffering proxy holds back and then delivers whole
 * within the budget is STREAM_BUFFERED, not STREAM_STALLED. When the budget ends with headers and
 * no event, the diagnosis says it is either a buffering proxy or a stall, and how to tell.
 * Real nginx with its default proxy settings (proxy_buffering on, HTTP/1.0 upstream).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nginxPath, startNginx } from '../../fixtures/nginx.js';
import { startSseServer } from '../../fixtures/sse-server.js';
import type { Fixture } from '../../fixtures/types.js';
import { cleanEnv, runCli, stageOf } from '../helpers/cli.js';

const KEY = 'sk-proj-Wq5Er8Ty1Ui4Op7As0Df3Gh6';
const started: Fixture[] = [];
afterAll(async () => {
  for (const f of started.reverse()) await f.close();
});

async function behindNginx(upstream: Parameters<typeof startSseServer>[0], server = ''): Promise<string> {
  const up = await startSseServer(upstream);
  started.push(up);
  const n = await startNginx({ server: `location / { proxy_pass http://127.0.0.1:${up.port}; ${server} }` });
  started.push(n);
  return n.url.replace(/\/$/, '');
}

const diagnose = (url: string, timeout: string) =>
  runCli([`${url}/v1`, '--provider', 'openai-compatible', '--stream', '--timeout', timeout, '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });

describe.skipIf(nginxPath() === undefined)('silence in a stream behind real nginx', () => {
  it('default proxy settings, a 2.3 s answer, --timeout 4s: the held-back stream arrives whole: STREAM_BUFFERED, not STREAM_STALLED', async () => {
    const url = await behindNginx({ mode: 'openai', events: 8, periodMs: 290 });
    const run = await diagnose(url, '4s');
    const codes = run.report!.diagnoses.map((d) => d.code);
    const st = stageOf(run.report!, 'stream');
    expect(codes, st.summary).toContain('STREAM_BUFFERED');
    expect(codes).not.toContain('STREAM_STALLED');
    expect(st.data.terminalEvent).toBe(true);
  });

  /** What both readings of a silent budget must say: either buffering or a stall, and how to tell. */
  function expectEitherReading(run: Awaited<ReturnType<typeof diagnose>>, phase: string): void {
    const d = run.report!.diagnoses.find((x) => x.code === 'STREAM_STALLED')!;
    expect(d, JSON.stringify(run.report!.diagnoses.map((x) => x.code))).toBeDefined();
    expect(d.details).toMatchObject({ reading: 'buffering-or-stall', silentFromStart: true, eventsBefore: 0, phase });
    expect(d.evidence.join('\n')).toMatch(/either an intermediary is buffering .* or the producer stalled/);
    const steps = d.remediation.map((r) => `${r.text} ${r.command ?? ''}`).join('\n');
    expect(steps).toMatch(/--timeout 60s/);
    expect(steps).toMatch(/X-Accel-Buffering: no/);
    expect(steps).toMatch(/--compare-direct/);
    expect(run.code).toBe(18);
    // The whole budget was waited for, not half of it.
    expect(stageOf(run.report!, 'stream').data.idleBudgetMs as number).toBeGreaterThan(2000);
  }

  it('default proxy settings, an answer longer than the budget: nginx holds even the headers; STREAM_STALLED says buffering proxy or stall, and how to tell', async () => {
    // The first event goes out at once, then the model thinks for 20 s: nginx sends nothing yet.
    const url = await behindNginx({ mode: 'openai', events: 8, periodMs: 50, pauseAfter: 1, pauseMs: 20_000 });
    expectEitherReading(await diagnose(url, '3s'), 'before-headers');
  });

  it('buffering off: nginx passes the headers at once, then the model says nothing for longer than the budget: the same two readings, with the headers\' time', async () => {
    const url = await behindNginx({ mode: 'openai', events: 8, periodMs: 50, pauseAfter: 0, pauseMs: 20_000, xAccelBufferingNo: true }, 'proxy_http_version 1.1; proxy_buffering off;');
    const run = await diagnose(url, '3s');
    expectEitherReading(run, 'before-first-event');
    const st = stageOf(run.report!, 'stream');
    expect(st.data.status).toBe(200);
    expect(run.report!.diagnoses.find((x) => x.code === 'STREAM_STALLED')!.evidence.join('\n')).toMatch(/the headers came after .* but not one body byte in the whole budget/);
  });

  it('buffering off, a model that thinks 2.2 s before its first token, --timeout 4s: a healthy stream, not stalled', async () => {
    const url = await behindNginx({ mode: 'openai', events: 6, periodMs: 40, pauseAfter: 0, pauseMs: 2200, xAccelBufferingNo: true }, 'proxy_http_version 1.1;');
    const run = await diagnose(url, '4s');
    const st = stageOf(run.report!, 'stream');
    expect(st.status, st.summary).toBe('pass');
    expect(run.code).toBe(0);
  });
});
