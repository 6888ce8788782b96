/**
 * RESET_BEFORE_HEADERS on a reused pooled connection (--reuse): the evidence gives the time the
 * connection sat idle in the pool (data.reusedIdleMs of the http stage) and compares THAT with the
 * well-known idle timeouts, instead of "cut after 0.0 s" since the request. Real flaky server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyKth, startFlaky, type FlakyFixture } from '../../fixtures/flaky-servers.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const KEY = 'sk-test-7a1c9e3b5d2f4a6c8e0b1d3f5a7c9e2b';
let f: FlakyFixture;
beforeAll(async () => {
  f = await startFlaky({ reset: everyKth(3) });
});
afterAll(() => f.close());

describe('--reuse: a reset on a reused connection', () => {
  it('says how long the connection sat idle and compares that, not the 0 s since the request', async () => {
    const run = await runCli([`${f.url}/v1`, '--provider', 'openai-compatible', '--repeat', '6', '--interval', '10ms', '--reuse', '--json'], { env: cleanEnv({ OPENAI_API_KEY: KEY }) });
    const r = run.report!;
    expect(r.samples!.reuse && r.samples!.reuse.reusedRequests).toBeGreaterThan(0);
    const d = r.diagnoses.find((x) => x.code === 'RESET_BEFORE_HEADERS');
    expect(d, JSON.stringify(r.diagnoses.map((x) => x.code))).toBeDefined();
    expect(d!.details.fresh).toBe(false);
    expect(typeof d!.details.reusedIdleMs).toBe('number');
    const ev = d!.evidence.join('\n');
    expect(ev).toMatch(/the connection had sat idle \d+\.\d\d s in the pool before this request went out on it: too short for any idle timeout/);
    expect(ev).not.toMatch(/cut after 0\.0 s/);
    expect(ev).not.toMatch(/matches no well-known default/);
    expect(JSON.stringify(r)).not.toContain(KEY);
  });
});
