/** Held-out --keepalive scenario: a gateway that answers every reused connection with 503 + Connection: close. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeldout, type HeldoutFixture } from '../../fixtures/heldout-samples.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

describe('--keepalive against a server that answers reuses with 503 + Connection: close', () => {
  let f: HeldoutFixture;
  beforeAll(async () => {
    f = await startHeldout({ closeOnReuse: true, statusFor: (_n, reused) => (reused ? 503 : undefined) });
  });
  afterAll(() => f.close());

  it('is not called "survived": the reuse was refused, the probe says so and claims no idle survival', async () => {
    const run = await runCli([`${f.url}/v1`, '--provider', 'openai-compatible', '--keepalive', '--keepalive-max', '2s', '--timeout', '3s', '--json'], {
      env: cleanEnv({ OPENAI_API_KEY: 'sk-test-4f9c2b7d1e8a6c3f5b0d9e2a7c4f1b8d' }),
    });
    const k = run.report!.keepalive as { outcome: string; reason?: string; survivedSeconds?: number };
    expect(f.reusedRequests()).toBeGreaterThan(0);
    expect(k.outcome).not.toBe('survived');
    expect(k.outcome).toBe('inconclusive');
    expect(k.reason).toMatch(/answered HTTP 503 while the first request on the connection got HTTP 200/);
    expect(k.survivedSeconds).toBeUndefined();
  });
});
