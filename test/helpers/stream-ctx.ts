/** Run the stream stage directly against a loopback server, with the state earlier stages leave. */
import { expect } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { Redactor } from '../../src/secret.js';
import { streamStage } from '../../src/stages/stream.js';
import type { RunContext, StageOutcome } from '../../src/stages/types.js';

export const STREAM_TEST_KEY = 'sk-test-stream-0000000000abcd';

/** `url` is the loopback base (http://127.0.0.1:PORT); the stage streams from `${url}/v1`. */
export async function runStreamStage(url: string, provider = 'openai-compatible', budgetMs = 8000): Promise<StageOutcome> {
  const config = buildConfig(`${url}/v1`, { provider, stream: true, timeout: `${budgetMs}ms` });
  const redactor = new Redactor();
  redactor.add(STREAM_TEST_KEY);
  const port = Number(new URL(url).port);
  const ctx: RunContext = {
    config,
    env: {},
    apiKey: STREAM_TEST_KEY,
    redactor,
    state: { endpoint: { address: '127.0.0.1', family: 4, port, source: 'literal' }, httpOk: true },
    now: () => performance.now(),
    results: {},
  };
  expect(streamStage.shouldRun(ctx)).toEqual({ run: true });
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error('deadline')), budgetMs);
  try {
    return await streamStage.run(ctx, ac.signal, ctx.now() + budgetMs);
  } finally {
    clearTimeout(timer);
  }
}

/** A compact timeline for failure messages: "t=ms/read" per event. */
export function timeline(out: StageOutcome): string {
  const arr = (out.data.arrivals ?? []) as Array<{ at: number; chunk: number }>;
  return arr.map((a) => `${Math.round(a.at)}/${a.chunk}`).join(' ');
}
