/**
 * Held-out scenarios for sampled runs, built the way production fails rather than like the flaky
 * fixtures: a load balancer that forgets idle flows (NLB-style RST on the next packet) under
 * --reuse over https, a server whose FIN the pool sees in time, a fixed-window rate limit that bites
 * on the 3rd request, mixed failure kinds, a 2 % failure rate, every sample failing the same way,
 * the --max-failure-rate threshold exactly, and Ctrl-C on the built bin.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../fixtures/built-cli.js';
import { startHeldout, type HeldoutFixture } from '../../fixtures/heldout-samples.js';
import { TEST_CA_PATH } from '../../fixtures/tls-server.js';
import type { Report } from '../../src/report.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { assertValidReport } from '../helpers/schema.js';

const KEY = 'sk-test-4f9c2b7d1e8a6c3f5b0d9e2a7c4f1b8d';
const env = () => cleanEnv({ OPENAI_API_KEY: KEY });
const base = (f: HeldoutFixture) => [`${f.url.replace(/\/$/, '')}/v1`, '--provider', 'openai-compatible'];

describe('--reuse over https through a load balancer that forgets flows idle for 1 s (RST on the next packet)', () => {
  let f: HeldoutFixture;
  beforeAll(async () => {
    f = await startHeldout({ tls: true, forgetIdleFlowMs: 1000 });
  });
  afterAll(() => f.close());

  it('the reused samples fail with resets before headers; the summary names the keep-alive race and points to --keepalive', async () => {
    const run = await runCli([...base(f), '--ca', TEST_CA_PATH, '--repeat', '4', '--interval', '1500ms', '--reuse', '--json'], { env: env() });
    const r = run.report!;
    expect(r, run.stderr).toBeDefined();
    const s = r.samples!;
    expect(f.staleResets()).toBeGreaterThanOrEqual(1);
    // The first sample opens the pool's connection and passes; every later one reuses a connection idle ~1.5 s.
    expect(s.timeline[0]!.ok).toBe(true);
    expect(s.byCode).toEqual({ RESET_BEFORE_HEADERS: s.failed });
    expect(s.failed).toBe(f.staleResets());
    expect(s.connections!.fresh.failed).toBe(0);
    expect(s.connections!.reused.failed).toBe(s.failed);
    expect(s.connections!.reused.failedIdleMs![0]).toBeGreaterThan(1000);
    expect(r.rootCause).toBe('RESET_BEFORE_HEADERS');
    expect(run.code).toBe(14);
    const top = r.diagnoses[0]!;
    expect(top.code).toBe('INTERMITTENT_FAILURES');
    expect(top.details.keepaliveRace).toBe(true);
    expect(top.evidence.join('\n')).toMatch(/keep-alive race/);
    expect(top.remediation.some((st) => st.command?.includes('--keepalive'))).toBe(true);
    // The root cause is an error of the run, not the warning of its own sample (whose retry passed).
    expect(r.diagnoses.find((d) => d.code === 'RESET_BEFORE_HEADERS')!.severity).toBe('error');
  });

  it('without --reuse (a new connection per sample) the same path passes', async () => {
    const before = f.staleResets();
    const run = await runCli([...base(f), '--ca', TEST_CA_PATH, '--repeat', '3', '--interval', '1500ms', '--json'], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(run.report!.samples!.failed).toBe(0);
    expect(f.staleResets()).toBe(before);
  });
});

describe('--reuse against a server that closes idle connections with a FIN the pool sees in time', () => {
  let f: HeldoutFixture;
  beforeAll(async () => {
    // Node closes after keepAliveTimeout (+ its own buffer of up to 1 s): well before the next sample.
    f = await startHeldout({ tls: true, keepAliveTimeoutMs: 300 });
  });
  afterAll(() => f.close());

  it('like httpx, the pool drops a connection whose peer closed and opens a new one: no race, no failure', async () => {
    const run = await runCli([...base(f), '--ca', TEST_CA_PATH, '--repeat', '3', '--interval', '1600ms', '--reuse', '--json'], { env: env() });
    const s = run.report!.samples!;
    expect(run.code, run.stderr).toBe(0);
    expect(s.failed).toBe(0);
    expect(s.reuse && s.reuse.reusedRequests).toBe(0);
    expect(s.connections!.fresh.count).toBe(3);
  });
});

describe('a fixed-window rate limit that bites on the 3rd request', () => {
  let f: HeldoutFixture;
  beforeAll(async () => {
    f = await startHeldout({ rateLimit: { limit: 2, windowMs: 60_000 } });
  });
  afterAll(() => f.close());

  it('RATE_LIMITED is the root cause (exit 16), owned by the caller; the evidence shows the onset after 2 requests', async () => {
    const run = await runCli([...base(f), '--repeat', '6', '--interval', '20ms', '--json'], { env: env() });
    const r = run.report!;
    expect(run.code, run.stderr).toBe(16);
    expect(r.rootCause).toBe('RATE_LIMITED');
    expect(r.samples!.timeline.map((t) => t.ok)).toEqual([true, true, false, false, false, false]);
    const top = r.diagnoses[0]!;
    expect(top.code).toBe('INTERMITTENT_FAILURES');
    expect(top.owner).toBe(r.diagnoses.find((d) => d.code === 'RATE_LIMITED')!.owner);
    expect(top.evidence.join('\n')).toMatch(/the first 2 samples passed, then every sample from #3 to the last \(#6\) failed \(RATE_LIMITED\)/);
    const human = await runCli([...base(f), '--repeat', '3', '--interval', '20ms'], { env: env() });
    expect(human.stdout).toMatch(/LLL/);
  });
});

describe('mixed failure kinds', () => {
  it('the root cause is the most frequent code, and its diagnosis is in the report even when the first failing sample failed otherwise', async () => {
    const f = await startHeldout({ statusFor: (n) => (n === 2 ? 500 : n === 4 || n === 6 ? 429 : undefined) });
    try {
      const run = await runCli([...base(f), '--repeat', '7', '--interval', '20ms', '--json'], { env: env() });
      const r = run.report!;
      expect(r.rootCause).toBe('RATE_LIMITED');
      expect(run.code).toBe(16);
      expect(Object.keys(r.samples!.byCode)).toEqual(['RATE_LIMITED', 'SERVER_ERROR']);
      // The stages stay those of the first failing sample (the 500), as the contract says.
      expect(r.stages.find((s) => s.id === 'http')!.data.status).toBe(500);
      const rl = r.diagnoses.find((d) => d.code === 'RATE_LIMITED')!;
      expect(rl.severity).toBe('error');
      expect(rl.evidence.join('\n')).toMatch(/from the first sample that failed with RATE_LIMITED/);
      expect(r.diagnoses.some((d) => d.code === 'SERVER_ERROR')).toBe(true);
    } finally {
      await f.close();
    }
  });

  it('a tie goes to the code whose first failing sample came first (documented), whatever the alphabet says', async () => {
    const f = await startHeldout({ statusFor: (n) => (n === 2 ? 500 : n === 4 ? 429 : undefined) });
    try {
      const run = await runCli([...base(f), '--repeat', '5', '--interval', '20ms', '--json'], { env: env() });
      expect(run.report!.rootCause).toBe('SERVER_ERROR');
      expect(run.code).toBe(17);
      expect(Object.keys(run.report!.samples!.byCode)).toEqual(['SERVER_ERROR', 'RATE_LIMITED']);
    } finally {
      await f.close();
    }
  });
});

describe('rates at the edges', () => {
  let f: HeldoutFixture;
  beforeAll(async () => {
    f = await startHeldout({ statusFor: (n) => (n % 50 === 0 ? 500 : undefined) });
  });
  afterAll(() => f.close());

  it('2 % of 100 samples fail: caught (INTERMITTENT_FAILURES, exit 17); exactly at --max-failure-rate 2 % it is a warning (exit 0)', async () => {
    const run = await runCli([...base(f), '--repeat', '100', '--interval', '2ms', '--concurrency', '2', '--json'], { env: env() });
    const s = run.report!.samples!;
    expect(s.failed).toBe(2);
    expect(run.code).toBe(17);
    expect(run.report!.diagnoses[0]!.evidence[0]).toMatch(/^2 of 100 samples failed \(2 %, 95 % CI 1-7 %\)/);
    const at = await runCli([...base(f), '--repeat', '100', '--interval', '2ms', '--concurrency', '2', '--max-failure-rate', '2%', '--json'], { env: env() });
    expect(at.report!.samples!.failed).toBe(2);
    expect(at.report!.diagnoses[0]!.severity).toBe('warning');
    expect(at.code).toBe(0);
  });
});

describe('every sample failing the same way', () => {
  it('is a consistent failure over the samples: no INTERMITTENT_FAILURES, the code itself is the root cause with the rate in its evidence', async () => {
    const f = await startHeldout({ statusFor: () => 500 });
    try {
      const run = await runCli([...base(f), '--repeat', '4', '--interval', '20ms', '--json'], { env: env() });
      const r = run.report!;
      expect(r.diagnoses.some((d) => d.code === 'INTERMITTENT_FAILURES')).toBe(false);
      expect(r.rootCause).toBe('SERVER_ERROR');
      expect(run.code).toBe(17);
      expect(r.diagnoses[0]!.evidence.at(-1)).toMatch(/^4 of 4 samples failed/);
    } finally {
      await f.close();
    }
  });
});

describe('Ctrl-C on the built bin during a sampled run', () => {
  let bin: string;
  let f: HeldoutFixture;
  let dir: string;
  beforeAll(async () => {
    bin = await buildCli('samples-heldout');
    f = await startHeldout({});
    dir = mkdtempSync(join(tmpdir(), 'ud-heldout-'));
  }, 240_000);
  afterAll(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the partial summary as valid JSON, writes --output, exits 130', async () => {
    const out = join(dir, 'report.json');
    const child = spawn(process.execPath, [bin, ...base(f), '--repeat', '1000', '--interval', '100ms', '--json', '--output', out], { env: { ...env(), PATH: process.env.PATH } as NodeJS.ProcessEnv });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (f.requests() >= 3) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('exit', (c) => {
        clearInterval(poll);
        resolve(c);
      });
    });
    expect(code).toBe(130);
    for (const text of [stdout, readFileSync(out, 'utf8')]) {
      const r = JSON.parse(text) as Report;
      assertValidReport(r);
      expect(r.interrupted).toBe(true);
      expect(r.exitCode).toBe(130);
      expect(r.samples!.count).toBeGreaterThanOrEqual(2);
      expect(r.samples!.count).toBeLessThan(1000);
    }
  }, 60_000);
});
