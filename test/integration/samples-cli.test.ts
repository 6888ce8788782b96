/** Sampled runs (--repeat, --duration, --reuse ...) through the CLI, against flaky loopback servers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burstAfter, everyKth, startFlaky, thirtyPercent, type FlakyFixture } from '../../fixtures/flaky-servers.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const KEY = 'sk-test-4f9c2b7d1e8a6c3f5b0d9e2a7c4f1b8d';
const env = () => cleanEnv({ OPENAI_API_KEY: KEY });
const base = (f: FlakyFixture) => [`${f.url}/v1`, '--provider', 'openai-compatible'];

describe('a server that resets 30 % of requests, sampled 30 times', () => {
  let f: FlakyFixture;
  beforeAll(async () => {
    f = await startFlaky({ reset: thirtyPercent });
  });
  afterAll(() => f.close());

  it('is never called healthy; the true rate lies within the 95 % interval; exit 14', async () => {
    const run = await runCli([...base(f), '--repeat', '30', '--interval', '10ms', '--json'], { env: env() });
    const r = run.report!;
    expect(r, run.stderr).toBeDefined();
    expect(r.verdict).toBe('failed');
    expect(run.code).toBe(14);
    const s = r.samples!;
    expect(s.count).toBe(30);
    expect(s.failed).toBeGreaterThan(0);
    expect(s.failed).toBeLessThan(30);
    expect(s.byCode.RESET_BEFORE_HEADERS).toBe(s.failed);
    expect(s.failureRateCi95[0]).toBeLessThanOrEqual(0.3);
    expect(s.failureRateCi95[1]).toBeGreaterThanOrEqual(0.3);
    expect(s.failureRate).toBeGreaterThanOrEqual(s.failureRateCi95[0]);
    expect(s.failureRate).toBeLessThanOrEqual(s.failureRateCi95[1]);
    expect(r.rootCause).toBe('RESET_BEFORE_HEADERS');
    expect(r.diagnoses[0]!.code).toBe('INTERMITTENT_FAILURES');
    expect(r.diagnoses[0]!.severity).toBe('error');
    expect(r.diagnoses[0]!.evidence[0]).toMatch(new RegExp(`^${s.failed} of 30 samples failed \\(\\d+ %, 95 % CI \\d+-\\d+ %\\) over `));
    expect(s.timeline).toHaveLength(30);
    expect(s.timeline.filter((t) => !t.ok)).toHaveLength(s.failed);
    expect(s.firstFailureAt).not.toBeNull();
    // The report's stages are those of the first failing sample.
    expect(r.stages.find((x) => x.id === 'http')!.status).not.toBe('pass');
    for (const p of ['tcp', 'request', 'firstByte', 'total'] as const) {
      const q = s.phases[p]!;
      expect(q.p50).toBeLessThanOrEqual(q.p90);
      expect(q.p90).toBeLessThanOrEqual(q.p99);
      expect(q.p99).toBeLessThanOrEqual(q.max);
    }
    expect(run.stdout).not.toContain(KEY);
  });

  it('within --max-failure-rate 0.5: a warning, exit 0 (1 with --strict)', async () => {
    const run = await runCli([...base(f), '--repeat', '20', '--interval', '10ms', '--max-failure-rate', '50%', '--json'], { env: env() });
    const r = run.report!;
    expect(r.diagnoses[0]!.code).toBe('INTERMITTENT_FAILURES');
    expect(r.diagnoses[0]!.severity).toBe('warning');
    expect(r.verdict).toBe('degraded');
    expect(run.code).toBe(0);
    const strict = await runCli([...base(f), '--repeat', '10', '--interval', '10ms', '--max-failure-rate', '0.9', '--strict', '--json'], { env: env() });
    expect(strict.code).toBe(1);
  });
});

describe('single runs against a flaky server (item 5)', () => {
  it('never claim a consistent failure or that a retry will not help, whatever one sample saw', async () => {
    // Every second request reset: some runs see reset-then-200, some 200 at once.
    const f = await startFlaky({ reset: everyKth(2) });
    try {
      for (let i = 0; i < 6; i++) {
        const run = await runCli([...base(f), '--json'], { env: env() });
        const text = JSON.stringify(run.report!.diagnoses);
        expect(text).not.toMatch(/consistent|will not help|won't help/i);
        expect(run.report!.samples).toBeUndefined();
        for (const d of run.report!.diagnoses.filter((x) => x.code === 'RESET_BEFORE_HEADERS')) {
          expect(d.retry).not.toBe('no');
          expect(d.evidence.join(' ')).toMatch(/one retry on another new connection/);
        }
      }
    } finally {
      await f.close();
    }
  });
});

describe('a healthy server sampled 100 times', () => {
  let f: FlakyFixture;
  beforeAll(async () => {
    f = await startFlaky();
  });
  afterAll(() => f.close());

  it('never fails: 0 of 100, interval [0, x], exit 0', async () => {
    const run = await runCli([...base(f), '--repeat', '100', '--interval', '10ms', '--concurrency', '4', '--json'], { env: env() });
    const r = run.report!;
    expect(run.code, run.stderr).toBe(0);
    expect(r.verdict).toBe('ok');
    expect(r.samples).toMatchObject({ count: 100, failed: 0, failureRate: 0, byCode: {}, firstFailureAt: null, lastFailureAt: null, reuse: false });
    expect(r.samples!.failureRateCi95[0]).toBe(0);
    expect(r.samples!.failureRateCi95[1]).toBeGreaterThan(0);
    expect(r.samples!.failureRateCi95[1]).toBeLessThan(0.05);
    expect(r.samples!.timeline.every((t) => t.ok)).toBe(true);
    expect(r.diagnoses.filter((d) => d.code === 'INTERMITTENT_FAILURES')).toHaveLength(0);
  });

  it('--reuse: the samples share httpx-like pooled connections (fewer connections than samples)', async () => {
    const before = f.connections();
    const run = await runCli([...base(f), '--repeat', '10', '--interval', '10ms', '--reuse', '--json'], { env: env() });
    const r = run.report!;
    expect(run.code, run.stderr).toBe(0);
    const reuse = r.samples!.reuse;
    expect(reuse).toMatchObject({ like: 'python-httpx', keepaliveExpirySeconds: 5, maxKeepaliveConnections: 20, maxConnections: 100 });
    expect(reuse && reuse.connectionsOpened).toBe(1);
    expect(reuse && reuse.reusedRequests).toBe(9);
    // Each sample still dials its own TCP check; only the HTTP requests share the pool.
    const used = f.connections() - before;
    expect(used).toBeLessThan(2 * 10);
  });
});

describe('rate-limit bursts and slow requests', () => {
  it('a 429 burst after 5 requests: INTERMITTENT_FAILURES with RATE_LIMITED as root cause, exit 16', async () => {
    const f = await startFlaky({ limit: burstAfter(5, 4) });
    try {
      const run = await runCli([...base(f), '--repeat', '15', '--interval', '10ms', '--json'], { env: env() });
      const r = run.report!;
      expect(run.code).toBe(16);
      expect(r.rootCause).toBe('RATE_LIMITED');
      expect(r.samples!.byCode).toEqual({ RATE_LIMITED: 4 });
      // The burst shows in the timeline: samples 6 to 9 failed.
      expect(r.samples!.timeline.map((t) => (t.ok ? '.' : 'x')).join('')).toBe('.....xxxx......');
    } finally {
      await f.close();
    }
  });

  it('every 5th request slow: no failure, but the slow ones show in p90/max of firstByte', async () => {
    const f = await startFlaky({ slow: (n) => (everyKth(5)(n) ? 300 : 0) });
    try {
      const run = await runCli([...base(f), '--repeat', '10', '--interval', '10ms', '--json'], { env: env() });
      const q = run.report!.samples!.phases.firstByte!;
      expect(run.code).toBe(0);
      expect(q.max).toBeGreaterThanOrEqual(290);
      expect(q.p50).toBeLessThan(290);
    } finally {
      await f.close();
    }
  });

  it('a reset every 3rd connection with --reuse counts the samples as failed (retried inside the sample)', async () => {
    const f = await startFlaky({ reset: everyKth(3) });
    try {
      const run = await runCli([...base(f), '--repeat', '12', '--interval', '10ms', '--json'], { env: env() });
      const s = run.report!.samples!;
      expect(s.failed).toBeGreaterThan(0);
      expect(s.retried).toBe(s.failed);
      expect(s.timeline.filter((t) => t.retried).every((t) => !t.ok && t.code === 'RESET_BEFORE_HEADERS')).toBe(true);
    } finally {
      await f.close();
    }
  });
});
