/**
 * Memory of a sampled run: peak RSS of `--repeat 1000` and `--repeat 10000` against a healthy
 * loopback API, beside a bare `node -e 0` measured in the same run. Flat memory means the 10000-
 * sample run's peak is close to the 1000-sample one's (the loop keeps outcomes, not reports;
 * percentiles live in fixed Float64Arrays; the timeline is capped).
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAiCompatible } from '../fixtures/http-api.js';
import { BENCH_KEY } from './scenarios.js';
import { runChild } from './child.js';

export interface SamplesMemory {
  nodeBareMb: number;
  repeat1000Mb: number;
  repeat10000Mb: number;
  /** repeat10000 / repeat1000: 1.0 is perfectly flat. */
  growth: number;
  /** repeat10000 / node -e 0. */
  vsNode: number;
  samples10000: number;
  wall10000Ms: number;
}

export async function samplesMemory(): Promise<SamplesMemory> {
  const api = await startOpenAiCompatible({ key: BENCH_KEY });
  const dir = mkdtempSync(join(tmpdir(), 'ud-bench-'));
  const bare = join(dir, 'bare.js');
  writeFileSync(bare, '0;\n');
  const env = { PATH: process.env.PATH, OPENAI_API_KEY: BENCH_KEY, NO_COLOR: '1' };
  try {
    const node = await runChild([], { env, hardLimitMs: 10_000, script: bare });
    const run = (n: number) => runChild([`${api.url}/v1`, '--provider', 'openai-compatible', '--repeat', String(n), '--interval', '1ms', '--concurrency', '4', '--json'], { env, hardLimitMs: 600_000, pollMs: 50 });
    const small = await run(1000);
    const big = await run(10_000);
    const count = (JSON.parse(big.stdout) as { samples?: { count: number } }).samples?.count ?? 0;
    const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
    return {
      nodeBareMb: mb(node.peakRssKb),
      repeat1000Mb: mb(small.peakRssKb),
      repeat10000Mb: mb(big.peakRssKb),
      growth: Math.round((big.peakRssKb / small.peakRssKb) * 100) / 100,
      vsNode: Math.round((big.peakRssKb / node.peakRssKb) * 100) / 100,
      samples10000: count,
      wall10000Ms: Math.round(big.wallMs),
    };
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
